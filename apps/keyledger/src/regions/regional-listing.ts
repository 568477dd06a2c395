import { regionOf, type AliasAggregate } from '@keyledger/ledger';
import type { LedgerView } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import type { ResolvedKey } from '../keys/key-resolver.js';
import { placeOf } from './request-region.js';

/**
 * What ListKeys and ListAliases show: one region's keys and aliases only, as AWS lists them.
 * The view holds every region's, by regional id.
 */
type RegionConfig = Pick<KeyledgerConfig, 'region' | 'accountId'>;

/** The region's keys that exist and are not deleted (deleted keys are gone for KMS clients), in creation order. */
export function liveKeysIn(view: LedgerView, config: RegionConfig, region: string): ResolvedKey[] {
  const live: ResolvedKey[] = [];
  for (const ref of view.keyIds()) {
    if (regionOf(ref, config.region) !== region) continue;
    const entry = view.key(ref);
    if (entry && entry.state.exists && !entry.state.deleted)
      live.push({ keyId: placeOf(config, ref).id, ref, ...entry });
  }
  return live;
}

/** The region's aliases, by name. */
export function aliasesIn(view: LedgerView, config: RegionConfig, region: string): AliasAggregate[] {
  return aliasStates(
    view,
    view.aliasNames().filter((ref) => regionOf(ref, config.region) === region),
  );
}

/** The ledger ids of the region's aliases that point at `keyId` (alias events name the bare key id). */
export const aliasesOfKeyIn = (view: LedgerView, config: RegionConfig, region: string, keyId: string): string[] =>
  view.aliasesOf(keyId).filter((ref) => regionOf(ref, config.region) === region);

export const aliasStates = (view: LedgerView, refs: readonly string[]): AliasAggregate[] =>
  refs.map((ref) => view.alias(ref)!.state).filter((a) => a.exists);

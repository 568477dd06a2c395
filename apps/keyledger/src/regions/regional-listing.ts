import { regionOf, type AliasAggregate } from '@keyledger/ledger';
import type { KeyStateCache } from '@keyledger/key-store';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import type { ResolvedKey } from '../keys/key-resolver.js';
import { placeOf } from './request-region.js';

/**
 * What ListKeys and ListAliases show: one region's keys and aliases only, as AWS lists them.
 * The cache holds every region's, by regional id.
 */
type RegionConfig = Pick<KeyledgerConfig, 'region' | 'accountId'>;

/** The region's keys that exist and are not deleted (deleted keys are gone for KMS clients), in creation order. */
export function liveKeysIn(cache: KeyStateCache, config: RegionConfig, region: string): ResolvedKey[] {
  const live: ResolvedKey[] = [];
  for (const ref of cache.keyIds()) {
    if (regionOf(ref, config.region) !== region) continue;
    const entry = cache.key(ref);
    if (entry && entry.state.exists && !entry.state.deleted)
      live.push({ keyId: placeOf(config, ref).id, ref, ...entry });
  }
  return live;
}

/** The region's aliases, by name. */
export function aliasesIn(cache: KeyStateCache, config: RegionConfig, region: string): AliasAggregate[] {
  return aliasStates(
    cache,
    cache.aliasNames().filter((ref) => regionOf(ref, config.region) === region),
  );
}

/** The ledger ids of the region's aliases that point at `keyId` (alias events name the bare key id). */
export const aliasesOfKeyIn = (cache: KeyStateCache, config: RegionConfig, region: string, keyId: string): string[] =>
  cache.aliasesOf(keyId).filter((ref) => regionOf(ref, config.region) === region);

export const aliasStates = (cache: KeyStateCache, refs: readonly string[]): AliasAggregate[] =>
  refs.map((ref) => cache.alias(ref)!.state).filter((a) => a.exists);

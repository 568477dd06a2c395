import {
  aliasArnOf,
  bareId,
  DomainError,
  isRegionName,
  parseKeyIdentifier,
  regionalId,
  regionOf,
  type KmsScope,
} from '@keyledger/ledger';
import type { TimeIndex } from '../time-index.js';
import type { LedgerQueryOptions } from './query-support.js';

/** A key as the ledger API names it: its id, the region it is asked about, and its ledger id there. */
export interface RegionalKey {
  keyId: string;
  region: string;
  /** The key's ledger id in that region (its stream name's suffix). */
  ref: string;
  scope: KmsScope;
}

/** A `region` given to the ledger API: a region name, else a ValidationException. */
export function checkRegion(region: string | undefined): string | undefined {
  if (region !== undefined && !isRegionName(region))
    throw new DomainError('Validation', `region '${region}' is not a region name`);
  return region;
}

const arnRegion = (input: string): string | undefined => {
  if (!input.startsWith('arn:')) return undefined;
  const region = input.split(':')[3];
  return region !== undefined && isRegionName(region) ? region : undefined;
};

/** Where aliases are taken: the time index that says where an alias pointed, and when. */
export interface AliasesAt {
  times: TimeIndex;
  asOfMs: number;
}

/**
 * A key id or key ARN in a region: the one given, else the ARN's own, else the home region
 * (`options.region`). A key ARN of another region than the one given is refused as the KMS API refuses it.
 * With `aliases`, an alias name or ARN names the key it pointed at as of that time, in that region.
 */
export function regionalKey(
  options: LedgerQueryOptions,
  input: string,
  region?: string,
  aliases?: AliasesAt,
): RegionalKey {
  const inRegion = checkRegion(region) ?? arnRegion(input) ?? options.region;
  const scope = { region: inRegion, accountId: options.accountId };
  const parsed = parseKeyIdentifier(input, scope, { allowAlias: aliases !== undefined });
  if (parsed instanceof DomainError) throw parsed;
  let keyId: string;
  if (parsed.kind === 'key') keyId = parsed.keyId;
  else {
    const target = aliases!.times.aliasTargetAt(
      regionalId(parsed.aliasName, inRegion, options.region),
      aliases!.asOfMs,
    );
    if (target === null)
      throw new DomainError(
        'NotFound',
        `Alias ${aliasArnOf(scope, parsed.aliasName)} is not found at ${new Date(aliases!.asOfMs).toISOString()}.`,
      );
    keyId = target;
  }
  return { keyId, region: inRegion, ref: regionalId(keyId, inRegion, options.region), scope };
}

/** The ledger id of an alias name in a region (absent: the home region). */
export const regionalAlias = (options: LedgerQueryOptions, aliasName: string, region?: string): string =>
  regionalId(aliasName, checkRegion(region) ?? options.region, options.region);

/** Alias ledger ids of one region, as plain alias names. */
export const aliasNamesIn = (refs: readonly string[], region: string, homeRegion: string): string[] =>
  refs.filter((ref) => regionOf(ref, homeRegion) === region).map(bareId);

import { regionalId, regionOf, bareId, type KmsScope } from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';

/**
 * A request acts in the region of its SigV4 scope: these turn that region into what
 * the ledger and the ARNs need. The rules themselves (stream naming, region names)
 * are the ledger's (`libs/ledger/src/identifiers/regions.ts`).
 */
type RegionConfig = Pick<KeyledgerConfig, 'region' | 'accountId'>;

/** The ARN scope of a request: the account, and the region it acts in. */
export const scopeIn = (config: RegionConfig, region: string): KmsScope => ({ region, accountId: config.accountId });

/** The ledger's id of a key or alias of `region` (its stream name's suffix). */
export const refIn = (config: RegionConfig, region: string, id: string): string =>
  regionalId(id, region, config.region);

/** The region and bare id of a ledger id: what a sweep over every stream needs to act as a request would. */
export const placeOf = (config: RegionConfig, ref: string): { region: string; id: string } => ({
  region: regionOf(ref, config.region),
  id: bareId(ref),
});

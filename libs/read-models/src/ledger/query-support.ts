import type { KeyStateCache } from '@keyledger/key-store';
import { DomainError, keyArnOf, parseKeyIdentifier, type Clock } from '@keyledger/ledger';
import type { LastUseIndex } from '../last-use-index.js';
import type { TimeIndex } from '../time-index.js';

export interface LedgerQueryOptions {
  /** The home region: of unqualified streams, and of a question that names none. */
  region: string;
  accountId: string;
  clock: Clock;
}

/**
 * The key-state cache and time index kept by someone else (the server's
 * projection) and the log position its feed has reached: the queries read only
 * what lies beyond it.
 */
export interface SharedProjection {
  cache: KeyStateCache;
  times: TimeIndex;
  /** Each key's last use, fed by the same projection; absent, every last use is read from its usage stream. */
  lastUses?: LastUseIndex;
  position(): bigint | 'start';
}

/** Events read per page of the log. */
export const LOG_PAGE = 4096;

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
export const round2 = (n: number): number => Math.round(n * 100) / 100;

/** A key id, or a key ARN of the home region, parsed as the KMS API parses it (see regionalKey for others). */
export function keyIdOf(options: LedgerQueryOptions, keyId: string): string {
  const parsed = parseKeyIdentifier(keyId, options, { allowAlias: false });
  if (parsed instanceof DomainError) throw parsed;
  return (parsed as { keyId: string }).keyId;
}

export const keyArn = (options: LedgerQueryOptions, keyId: string): string => keyArnOf(options, keyId);

export function timeOf(asOf: Date): number {
  const at = asOf instanceof Date ? asOf.getTime() : Number.NaN;
  if (Number.isNaN(at)) throw new DomainError('Validation', 'asOf must be a valid time');
  return at;
}

import { DomainError, type Clock } from '@keyledger/ledger';
import type { LedgerView } from '../ledger-view.js';

export interface LedgerQueryOptions {
  region: string;
  accountId: string;
  clock: Clock;
}

/**
 * A LedgerView kept by someone else (the server's projection) and the log
 * position its feed has reached: the queries read only what lies beyond it.
 */
export interface SharedLedgerView {
  view: LedgerView;
  position(): bigint | 'start';
}

export const DAY_MS = 86_400_000;
/** Events read per page of the log. */
export const LOG_PAGE = 4096;

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
export const round2 = (n: number): number => Math.round(n * 100) / 100;

/** A key id, or a key ARN of this account and region. */
export function keyIdOf(options: LedgerQueryOptions, keyId: string): string {
  const prefix = `${keyArnPrefix(options)}`;
  const id = keyId.startsWith(prefix) ? keyId.slice(prefix.length) : keyId;
  if (id === '' || id.length > 2048) throw new DomainError('Validation', 'keyId must be a key id or key ARN');
  return id;
}

export function keyArn(options: LedgerQueryOptions, keyId: string): string {
  return `${keyArnPrefix(options)}${keyId}`;
}

export function aliasArn(options: LedgerQueryOptions, aliasName: string): string {
  return `arn:aws:kms:${options.region}:${options.accountId}:${aliasName}`;
}

function keyArnPrefix(options: LedgerQueryOptions): string {
  return `arn:aws:kms:${options.region}:${options.accountId}:key/`;
}

export function timeOf(asOf: Date): number {
  const at = asOf instanceof Date ? asOf.getTime() : Number.NaN;
  if (Number.isNaN(at)) throw new DomainError('Validation', 'asOf must be a valid time');
  return at;
}

import type { EventStore } from '@keyledger/event-store';
import { DAY_MS, DomainError, keyArnOf, regionalId, type KeyAggregate } from '@keyledger/ledger';
import type { AsOfStates } from '../as-of-states.js';
import type { LedgerQueryOptions } from '../query-support.js';
import { aliasNamesIn, regionalKey } from '../regional-keys.js';
import type { UsageWindow } from './usage-rows.js';

/** What every usage question reads: the store (usage streams), the keys as of a time, ids and the clock. */
export interface UsageContext {
  store: EventStore;
  states: AsOfStates;
  options: LedgerQueryOptions;
}

/** The window a usage view covers when none is given: the last 30 days. */
export const DEFAULT_USAGE_DAYS = 30;
export const MAX_USAGE_DAYS = 36_500;

/** from/to as given (either may be absent): `to` defaults to now, `from` to 30 days before `to`. */
export function usageWindow(context: UsageContext, from: Date | undefined, to: Date | undefined): UsageWindow {
  const end = to === undefined ? context.options.clock.now().getTime() : to.getTime();
  const start = from === undefined ? end - DEFAULT_USAGE_DAYS * DAY_MS : from.getTime();
  if (Number.isNaN(start) || Number.isNaN(end)) throw new DomainError('Validation', 'from and to must be valid times');
  if (start > end) throw new DomainError('Validation', 'from must not be after to');
  return { from: start, to: end };
}

/** The last `days` days up to now. */
export function lastDays(context: UsageContext, days: number): UsageWindow {
  if (!Number.isInteger(days) || days < 1 || days > MAX_USAGE_DAYS)
    throw new DomainError('Validation', `days must be an integer from 1 to ${MAX_USAGE_DAYS}`);
  const to = context.options.clock.now().getTime();
  return { from: to - days * DAY_MS, to };
}

/**
 * A key that exists (or existed: a deleted key's usage is still evidence) now, in `region` (absent: a key
 * ARN's own region, else the home region); NotFound otherwise.
 */
export async function existingKey(context: UsageContext, keyId: string, region?: string): Promise<KeyAggregate> {
  const key = regionalKey(context.options, keyId, region);
  await context.states.catchUp();
  const state = await context.states.stateAt(key.ref, context.options.clock.now().getTime());
  if (!state) throw new DomainError('NotFound', `Key '${keyArnOf(key.scope, key.keyId)}' does not exist`);
  return state;
}

/** The key's ledger id in its region: its usage stream's suffix (a home-region key's is its bare id). */
export const usageRefOf = (context: UsageContext, key: KeyAggregate): string =>
  regionalId(key.keyId, key.region, context.options.region);

/** The aliases of the key's own region that pointed at it at `atMs`, as plain alias names. */
export const aliasesOfKey = (context: UsageContext, key: KeyAggregate, atMs: number): string[] =>
  aliasNamesIn(context.states.times.aliasesOf(key.keyId, atMs), key.region, context.options.region);

export const isoOf = (ms: number): string => new Date(ms).toISOString();

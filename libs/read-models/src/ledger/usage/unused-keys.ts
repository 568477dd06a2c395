import { DAY_MS } from '@keyledger/ledger';
import { keyStateName } from '../key-state-as-of.js';
import { round2 } from '../query-support.js';
import { isoOf, lastDays, type UsageContext } from './usage-context.js';
import { lastSuccessfulUse, usageTrackingStart, type LastUse } from './usage-rows.js';

export interface UnusedKey {
  keyId: string;
  arn: string;
  aliases: string[];
  description: string;
  keySpec: string;
  createdAt: string;
  /** The last successful use ever recorded (before the window), or null: never used since tracking began. */
  lastUsedAt: string | null;
  lastOperation: string | null;
  lastPrincipal: string | null;
  daysSinceLastUse: number | null;
}

export interface UnusedKeysReport {
  asOf: string;
  days: number;
  /** The window's start: no key listed was used successfully since. */
  since: string;
  trackingStartedAt: string | null;
  /**
   * False when usage was not recorded for the whole window (tracking began after its start): a key listed
   * may have been used before tracking began.
   */
  complete: boolean;
  keys: UnusedKey[];
}

/**
 * Enabled keys with no successful use in the last `days` days: candidates for disabling before deletion, as
 * AWS advises. A key created within the window is not listed: it has not been around long enough to be
 * unused. Refused attempts are not uses.
 */
export async function unusedKeys(context: UsageContext, days: number): Promise<UnusedKeysReport> {
  const window = lastDays(context, days);
  const states = await context.states.statesAt(window.to);
  const aliases = context.states.view.times.aliasesByKey(window.to);
  const trackingStartedAt = await usageTrackingStart(context.store);
  const keys: UnusedKey[] = [];
  for (const state of states) {
    if (keyStateName(state) !== 'Enabled' || state.createdAt > window.from) continue;
    const last: LastUse | null = await lastSuccessfulUse(context.store, state.keyId, window.to);
    const lastMs = last === null ? null : Date.parse(last.at);
    if (lastMs !== null && lastMs >= window.from) continue;
    keys.push({
      keyId: state.keyId,
      arn: state.arn,
      aliases: aliases.get(state.keyId) ?? [],
      description: state.description,
      keySpec: state.keySpec,
      createdAt: isoOf(state.createdAt),
      lastUsedAt: last?.at ?? null,
      lastOperation: last?.operation ?? null,
      lastPrincipal: last?.principal ?? null,
      daysSinceLastUse: lastMs === null ? null : round2((window.to - lastMs) / DAY_MS),
    });
  }
  return {
    asOf: isoOf(window.to),
    days,
    since: isoOf(window.from),
    trackingStartedAt,
    complete: trackingStartedAt !== null && Date.parse(trackingStartedAt) <= window.from,
    keys,
  };
}

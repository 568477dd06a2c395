import { DAY_MS } from '@keyledger/ledger';
import { keyStateName } from '../key-state-as-of.js';
import { round2 } from '../query-support.js';
import { aliasNamesIn, checkRegion } from '../regional-keys.js';
import { isoOf, lastDays, usageRefOf, type UsageContext } from './usage-context.js';
import type { LastSuccess } from '../../last-use-index.js';
import { lastUseAt, usageTrackingStart } from './usage-rows.js';

export interface UnusedKey {
  keyId: string;
  arn: string;
  region: string;
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
  /** The region reported on; null: every region. */
  region: string | null;
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
export async function unusedKeys(context: UsageContext, days: number, region?: string): Promise<UnusedKeysReport> {
  const window = lastDays(context, days);
  const inRegion = checkRegion(region);
  const states = (await context.states.statesAt(window.to)).filter(
    (state) => inRegion === undefined || state.region === inRegion,
  );
  const aliases = context.states.times.aliasesByKey(window.to);
  const trackingStartedAt = await usageTrackingStart(context.store);
  const keys: UnusedKey[] = [];
  for (const state of states) {
    if (keyStateName(state) !== 'Enabled' || state.createdAt > window.from) continue;
    const ref = usageRefOf(context, state);
    const last: LastSuccess | null = await lastUseAt(context.store, context.states.lastUses, ref, window.to);
    const lastMs = last === null ? null : Date.parse(last.at);
    if (lastMs !== null && lastMs >= window.from) continue;
    keys.push({
      keyId: state.keyId,
      arn: state.arn,
      region: state.region,
      aliases: aliasNamesIn(aliases.get(state.keyId) ?? [], state.region, context.options.region),
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
    region: inRegion ?? null,
    since: isoOf(window.from),
    trackingStartedAt,
    complete: trackingStartedAt !== null && Date.parse(trackingStartedAt) <= window.from,
    keys,
  };
}

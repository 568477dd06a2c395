import type { BackingKey } from '@keyledger/ledger';
import { existingKey, isoOf, usageRefOf, usageWindow, type UsageContext } from './usage-context.js';
import { lastUseOf, scanUsageBackwards, FLUSH_CLOCK_SKEW_MS, type LastUse, type UsageRow } from './usage-rows.js';

export interface BackingKeyUsage {
  keyMaterialId: string;
  /** The backing key's state now (CURRENT, NON_CURRENT, DELETED, EXPIRED, DESTROYED, …). */
  state: BackingKey['state'];
  current: boolean;
  origin: string;
  createdAt: string;
  validTo: string | null;
  /** Its last successful use ever recorded; null if none. */
  lastUse: LastUse | null;
  /** Within the window: successful uses, by operation, by how many principals, and refused attempts. */
  count: number;
  operations: Record<string, number>;
  principals: number;
  refused: number;
}

export interface BackingKeysReport {
  keyId: string;
  arn: string;
  region: string;
  from: string;
  to: string;
  backingKeys: BackingKeyUsage[];
}

/**
 * Each backing key of a key with its use: which old backing keys still decrypt traffic, so that their data
 * is re-encrypted before that material is deleted or expires. The stream is read back to the window's start,
 * and further only while some backing key's last use is still unknown.
 */
export async function backingKeyUsage(
  context: UsageContext,
  keyId: string,
  filter: { from?: Date; to?: Date; region?: string },
): Promise<BackingKeysReport> {
  const window = usageWindow(context, filter.from, filter.to);
  const key = await existingKey(context, keyId, filter.region);
  const entries = new Map<string, { backing: BackingKey; last: UsageRow | undefined; principals: Set<string> }>();
  const rows: BackingKeyUsage[] = [];
  for (const backing of key.backingKeys) {
    entries.set(backing.keyMaterialId, { backing, last: undefined, principals: new Set() });
    rows.push({
      keyMaterialId: backing.keyMaterialId,
      state: backing.state,
      current: backing.keyMaterialId === key.currentKeyMaterialId,
      origin: backing.origin,
      createdAt: isoOf(backing.createdAt),
      validTo: backing.validTo === null ? null : isoOf(backing.validTo),
      lastUse: null,
      count: 0,
      operations: {},
      principals: 0,
      refused: 0,
    });
  }
  const byId = new Map(rows.map((row) => [row.keyMaterialId, row]));
  // Stops once the window is read and no older batch could hold a later use of any backing key.
  const nothingOlderMatters = (flushedMs: number): boolean => {
    if (flushedMs >= window.from - FLUSH_CLOCK_SKEW_MS) return false;
    for (const entry of entries.values())
      if (entry.last === undefined || flushedMs >= entry.last.lastMs - FLUSH_CLOCK_SKEW_MS) return false;
    return true;
  };
  await scanUsageBackwards(
    context.store,
    usageRefOf(context, key),
    (usage) => {
      const entry = usage.keyMaterialId === null ? undefined : entries.get(usage.keyMaterialId);
      const row = usage.keyMaterialId === null ? undefined : byId.get(usage.keyMaterialId);
      // A refusal names the backing key of a ciphertext's header, which may be one this key never had.
      if (entry === undefined || row === undefined) return;
      const inWindow = usage.lastMs >= window.from && usage.firstMs <= window.to;
      if (usage.errorCode !== null) {
        if (inWindow) row.refused += usage.count;
        return;
      }
      if (inWindow) {
        row.count += usage.count;
        row.operations[usage.operation] = (row.operations[usage.operation] ?? 0) + usage.count;
        entry.principals.add(usage.principal);
      }
      if (usage.firstMs > window.to) return;
      if (entry.last === undefined || usage.lastMs > entry.last.lastMs) entry.last = usage;
    },
    nothingOlderMatters,
  );
  for (const [id, entry] of entries) {
    const row = byId.get(id)!;
    row.lastUse = entry.last === undefined ? null : lastUseOf(entry.last);
    row.principals = entry.principals.size;
  }
  return {
    keyId: key.keyId,
    arn: key.arn,
    region: key.region,
    from: isoOf(window.from),
    to: isoOf(window.to),
    backingKeys: rows,
  };
}

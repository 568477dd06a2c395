import type { BackingKey } from '@keyledger/ledger';
import { keyStateName, type KeyStateName } from '../key-state-as-of.js';
import { aliasesOfKey, existingKey, isoOf, lastDays, usageRefOf, type UsageContext } from './usage-context.js';
import { usageIn, usageTrackingStart } from './usage-rows.js';

export interface PrincipalImpact {
  principal: string;
  count: number;
  operations: string[];
  keyMaterialIds: string[];
  lastUsedAt: string;
  lastOperation: string;
  lastRequestId: string;
}

export interface BackingKeyImpact {
  keyMaterialId: string;
  /** Its state now; null for a backing key the key does not know (none is ever used successfully). */
  state: BackingKey['state'] | null;
  count: number;
  principals: string[];
  lastUsedAt: string;
}

export interface DeletionImpact {
  keyId: string;
  arn: string;
  region: string;
  keyState: KeyStateName;
  asOf: string;
  days: number;
  since: string;
  /** Aliases that point at the key now: every caller using one of them loses the key too. */
  aliases: string[];
  /** Whether anyone used the key successfully in the window. */
  used: boolean;
  count: number;
  principals: PrincipalImpact[];
  /** Only the backing keys used in the window: ciphertexts under them were still being decrypted. */
  backingKeys: BackingKeyImpact[];
  /** Refused attempts in the window: callers that still try, though they fail. */
  refused: number;
  trackingStartedAt: string | null;
  complete: boolean;
}

/**
 * What deleting a key (or its imported material) would break, as the ledger saw it in the last `days`
 * days: who used it, which backing keys, and when each did last. An operator asks this before
 * ScheduleKeyDeletion or DeleteImportedKeyMaterial.
 */
export async function deletionImpact(
  context: UsageContext,
  keyId: string,
  days: number,
  region?: string,
): Promise<DeletionImpact> {
  const window = lastDays(context, days);
  const key = await existingKey(context, keyId, region);
  const rows = await usageIn(context.store, usageRefOf(context, key), window);
  const principals = new Map<string, PrincipalImpact>();
  const backingKeys = new Map<string, BackingKeyImpact>();
  let count = 0;
  let refused = 0;
  for (const row of rows) {
    if (row.errorCode !== null) {
      refused += row.count;
      continue;
    }
    count += row.count;
    let who = principals.get(row.principal);
    if (who === undefined) {
      who = {
        principal: row.principal,
        count: 0,
        operations: [],
        keyMaterialIds: [],
        lastUsedAt: row.lastAt,
        lastOperation: row.operation,
        lastRequestId: row.lastRequestId,
      };
      principals.set(row.principal, who);
    }
    who.count += row.count;
    if (!who.operations.includes(row.operation)) who.operations.push(row.operation);
    if (row.lastAt >= who.lastUsedAt) {
      who.lastUsedAt = row.lastAt;
      who.lastOperation = row.operation;
      who.lastRequestId = row.lastRequestId;
    }
    if (row.keyMaterialId === null) continue;
    if (!who.keyMaterialIds.includes(row.keyMaterialId)) who.keyMaterialIds.push(row.keyMaterialId);
    let backing = backingKeys.get(row.keyMaterialId);
    if (backing === undefined) {
      const known = key.backingKeys.find((b) => b.keyMaterialId === row.keyMaterialId);
      backing = {
        keyMaterialId: row.keyMaterialId,
        state: known?.state ?? null,
        count: 0,
        principals: [],
        lastUsedAt: row.lastAt,
      };
      backingKeys.set(row.keyMaterialId, backing);
    }
    backing.count += row.count;
    if (!backing.principals.includes(row.principal)) backing.principals.push(row.principal);
    if (row.lastAt > backing.lastUsedAt) backing.lastUsedAt = row.lastAt;
  }
  const trackingStartedAt = await usageTrackingStart(context.store);
  return {
    keyId: key.keyId,
    arn: key.arn,
    region: key.region,
    keyState: keyStateName(key),
    asOf: isoOf(window.to),
    days,
    since: isoOf(window.from),
    aliases: aliasesOfKey(context, key, window.to),
    used: count > 0,
    count,
    principals: [...principals.values()].sort((a, b) => (a.lastUsedAt > b.lastUsedAt ? -1 : 1)),
    backingKeys: [...backingKeys.values()].sort((a, b) => (a.lastUsedAt > b.lastUsedAt ? -1 : 1)),
    refused,
    trackingStartedAt,
    complete: trackingStartedAt !== null && Date.parse(trackingStartedAt) <= window.from,
  };
}

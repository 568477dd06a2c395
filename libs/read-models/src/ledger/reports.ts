import type { EventStore } from '@keyledger/event-store';
import {
  DAY_MS,
  DomainError,
  findBackingKey,
  isPendingDeletion,
  keyStateOf,
  regionalId,
  rotationHolderOf,
  type BackingKey,
  type KeyAggregate,
} from '@keyledger/ledger';
import type { AsOfStates } from './as-of-states.js';
import { becameCurrentAt, currentBacking, keyStateName, type KeyStateName } from './key-state-as-of.js';
import { iso, round2, timeOf } from './query-support.js';
import { aliasNamesIn, checkRegion } from './regional-keys.js';
import { lastUseAt, usageTrackingStart } from './usage/usage-rows.js';

export interface InventoryKey {
  keyId: string;
  arn: string;
  region: string;
  /** A multi-Region key's primary region as of then (null for a single-Region key). */
  primaryRegion: string | null;
  aliases: string[];
  description: string;
  origin: string;
  keyState: KeyStateName;
  createdAt: string;
  rotationEnabled: boolean;
  rotationPeriodInDays: number | null;
  lastRotatedAt: string | null;
  nextRotationDate: string | null;
  keyMaterialCount: number;
  currentKeyMaterialAgeDays: number | null;
  deletionDate: string | null;
  validTo: string | null;
  keySpec: string;
  keyUsage: string;
  /** The last successful use at or before asOf, from the usage ledger; null: none recorded since tracking began. */
  lastUsedAt: string | null;
  lastOperation: string | null;
}

export interface InventoryReport {
  asOf: string;
  /** When usage recording began (null: never): a key with no last use may have been used before it. */
  usageTrackingStartedAt: string | null;
  keys: InventoryKey[];
}

export type RotationComplianceReason =
  | 'ROTATED_WITHIN_PERIOD'
  | 'NOT_YET_DUE'
  | 'OVERDUE'
  | 'ROTATION_DISABLED'
  | 'IMPORTED_MATERIAL'
  | 'MATERIAL_EXPIRING'
  | 'PENDING_DELETION'
  | 'DISABLED'
  | 'NOT_APPLICABLE';

export interface RotationComplianceKey {
  keyId: string;
  region: string;
  /** A multi-Region key's primary region, whose rotation its replicas share (null for a single-Region key). */
  primaryRegion: string | null;
  compliant: boolean;
  reason: RotationComplianceReason;
  currentKeyMaterialAgeDays: number | null;
  lastRotatedAt: string | null;
}

export interface RotationComplianceReport {
  asOf: string;
  maxAgeDays: number;
  summary: { total: number; compliant: number; nonCompliant: number; byReason: Record<string, number> };
  keys: RotationComplianceKey[];
}

/** Reports over every key as of a time, of every region or of one. */
export class LedgerReports {
  constructor(
    private readonly store: EventStore,
    private readonly states: AsOfStates,
    /** Where keys of unqualified streams (every ledger written before regions) belong. */
    private readonly homeRegion: string,
  ) {}

  /** The keys of `region` (all when undefined) at `at`, and for each, the key its rotation is judged by. */
  private async statesAt(at: number, region: string | undefined) {
    const inRegion = checkRegion(region);
    const all = await this.states.statesAt(at);
    // A replica's primary may be in a region the report leaves out: it is looked for among all keys.
    const byPlace = new Map(all.map((s) => [`${s.region} ${s.keyId}`, s]));
    const rotationOf = (state: KeyAggregate) =>
      rotationHolderOf(state, (primaryRegion) => byPlace.get(`${primaryRegion} ${state.keyId}`));
    return { states: inRegion === undefined ? all : all.filter((s) => s.region === inRegion), rotationOf };
  }

  /** Every key that existed at `asOf` (deleted ones too, as Deleted), in creation order. */
  async inventory(asOf: Date, region?: string): Promise<InventoryReport> {
    const at = timeOf(asOf);
    const { states, rotationOf } = await this.statesAt(at, region);
    const aliases = this.states.times.aliasesByKey(at);
    const usageTrackingStartedAt = await usageTrackingStart(this.store);
    // Nothing recorded by `at`, no last use to look for: a ledger without usage pays no read per key.
    const usageKnown = usageTrackingStartedAt !== null && Date.parse(usageTrackingStartedAt) <= at;
    const keys: InventoryKey[] = [];
    for (const state of states) {
      const rotation = rotationOf(state);
      const current = sharedBacking(rotation, currentBacking(state));
      // Each region's key has its own usage stream, named by its regional id.
      const lastUse = usageKnown
        ? await lastUseAt(this.store, this.states.lastUses, regionalId(state.keyId, state.region, this.homeRegion), at)
        : null;
      keys.push({
        keyId: state.keyId,
        arn: state.arn,
        region: state.region,
        primaryRegion: state.multiRegion?.primaryRegion ?? null,
        aliases: aliasNamesIn(aliases.get(state.keyId) ?? [], state.region, this.homeRegion),
        description: state.description,
        origin: state.origin,
        keyState: keyStateName(state),
        createdAt: new Date(state.createdAt).toISOString(),
        rotationEnabled: rotation.rotationEnabled,
        rotationPeriodInDays: rotation.rotationPeriodInDays,
        lastRotatedAt: iso(state.lastRotatedAt),
        nextRotationDate: iso(rotation.nextRotationDate),
        keyMaterialCount: state.backingKeys.length,
        currentKeyMaterialAgeDays: current ? round2((at - becameCurrentAt(current)) / DAY_MS) : null,
        deletionDate: iso(state.deletionDate),
        validTo: current ? iso(current.validTo) : null,
        keySpec: state.keySpec,
        keyUsage: state.keyUsage,
        lastUsedAt: lastUse?.at ?? null,
        lastOperation: lastUse?.operation ?? null,
      });
    }
    return { asOf: asOf.toISOString(), usageTrackingStartedAt, keys };
  }

  /**
   * Whether each key's current backing key is at most `maxAgeDays` old at
   * `asOf` (age counted from when it became current). Keys deleted by then are
   * left out. Reasons, first match wins:
   * - NOT_APPLICABLE: a key AWS does not rotate (every spec but SYMMETRIC_DEFAULT): compliant — exempt;
   * - PENDING_DELETION, DISABLED (also pending import): compliant — exempt, the key cannot encrypt;
   * - at most maxAgeDays old: compliant, and the reason says why the material is young:
   *   ROTATED_WITHIN_PERIOD when it came from a rotation; for a key never rotated,
   *   IMPORTED_MATERIAL (imported), ROTATION_DISABLED (automatic rotation off: it will
   *   fall out of compliance by itself) or NOT_YET_DUE (automatic rotation on);
   * - older than maxAgeDays: MATERIAL_EXPIRING when it is imported material
   *   with a ValidTo (it ends by itself), IMPORTED_MATERIAL for other imported
   *   material (only a new import can rotate it), OVERDUE when automatic
   *   rotation is on (its period is longer than the policy, or it has not run),
   *   ROTATION_DISABLED otherwise. All non-compliant.
   */
  async rotationCompliance(asOf: Date, maxAgeDays: number, region?: string): Promise<RotationComplianceReport> {
    if (!Number.isFinite(maxAgeDays) || maxAgeDays <= 0 || maxAgeDays > 36_500)
      throw new DomainError('Validation', 'maxAgeDays must be a number of days from 1 to 36500');
    const at = timeOf(asOf);
    const { states, rotationOf } = await this.statesAt(at, region);
    const keys: RotationComplianceKey[] = [];
    const byReason: Record<string, number> = {};
    let compliantCount = 0;
    for (const state of states) {
      if (state.deleted) continue;
      // A replica is judged by its primary's rotation, and its material's age by when the primary made it.
      const rotation = rotationOf(state);
      const current = sharedBacking(rotation, currentBacking(state));
      const ageMs = current ? at - becameCurrentAt(current) : null;
      const keyState = keyStateOf(state);
      const young = ageMs !== null && ageMs <= maxAgeDays * DAY_MS;
      let reason: RotationComplianceReason;
      // AWS rotates symmetric encryption keys only: for the others rotation is not applicable (exempt).
      if (state.keySpec !== 'SYMMETRIC_DEFAULT') reason = 'NOT_APPLICABLE';
      else if (isPendingDeletion(keyState)) reason = 'PENDING_DELETION';
      else if (keyState === 'Disabled' || keyState === 'PendingImport' || !current) reason = 'DISABLED';
      else if (young) reason = youngMaterialReason(rotation, current);
      else if (current.origin === 'EXTERNAL')
        reason = current.validTo !== null ? 'MATERIAL_EXPIRING' : 'IMPORTED_MATERIAL';
      else reason = rotation.rotationEnabled ? 'OVERDUE' : 'ROTATION_DISABLED';
      // Exempt, or the material is young enough whatever made it so.
      const compliant = reason === 'PENDING_DELETION' || reason === 'DISABLED' || reason === 'NOT_APPLICABLE' || young;
      if (compliant) compliantCount++;
      byReason[reason] = (byReason[reason] ?? 0) + 1;
      keys.push({
        keyId: state.keyId,
        region: state.region,
        primaryRegion: state.multiRegion?.primaryRegion ?? null,
        compliant,
        reason,
        currentKeyMaterialAgeDays: ageMs === null ? null : round2(ageMs / DAY_MS),
        lastRotatedAt: iso(state.lastRotatedAt),
      });
    }
    return {
      asOf: asOf.toISOString(),
      maxAgeDays,
      summary: { total: keys.length, compliant: compliantCount, nonCompliant: keys.length - compliantCount, byReason },
      keys,
    };
  }
}

/**
 * A replica's backing key as the key its rotation is judged by holds it: the replica's copy is dated from its
 * arrival, the material itself from when the primary made it current.
 */
function sharedBacking(rotation: KeyAggregate, own: BackingKey | undefined): BackingKey | undefined {
  return own && (findBackingKey(rotation, own.keyMaterialId) ?? own);
}

/** Why material at most maxAgeDays old is that young: a rotation made it, or the key is young and never rotated. */
function youngMaterialReason(state: KeyAggregate, current: BackingKey): RotationComplianceReason {
  if (state.lastRotatedAt !== null && current.rotationDate !== null) return 'ROTATED_WITHIN_PERIOD';
  if (current.origin === 'EXTERNAL') return 'IMPORTED_MATERIAL';
  return state.rotationEnabled ? 'NOT_YET_DUE' : 'ROTATION_DISABLED';
}

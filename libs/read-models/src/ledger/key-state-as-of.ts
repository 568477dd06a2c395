import {
  DomainError,
  findBackingKey,
  keyArnOf,
  keyStateOf,
  type BackingKey,
  type KeyAggregate,
  type KeyState,
} from '@keyledger/ledger';
import type { AsOfStates } from './as-of-states.js';
import { iso, timeOf, type LedgerQueryOptions } from './query-support.js';
import { aliasNamesIn, regionalKey } from './regional-keys.js';

export type KeyStateName = KeyState | 'Deleted';

export interface KeyMaterialAsOf {
  keyMaterialId: string;
  state: 'CURRENT' | 'NON_CURRENT' | 'PENDING_ROTATION' | 'DELETED' | 'EXPIRED' | 'DESTROYED';
  origin: string;
  createdAt: string;
  importState: 'IMPORTED' | 'PENDING_IMPORT' | null;
  validTo: string | null;
}

export interface KeyStateAsOf {
  keyId: string;
  arn: string;
  /** The region of this key (a multi-Region key has one state per region). */
  region: string;
  asOf: string;
  keyState: KeyStateName;
  enabled: boolean;
  origin: string;
  description: string;
  rotationEnabled: boolean;
  rotationPeriodInDays: number | null;
  nextRotationDate: string | null;
  deletionDate: string | null;
  currentKeyMaterialId: string | null;
  keyMaterials: KeyMaterialAsOf[];
  aliases: string[];
  /** Added: when the key was created and, once deleted, when. */
  createdAt: string;
  deletedAt: string | null;
  tags: Array<{ TagKey: string; TagValue: string }>;
}

/** One key as it was at a time: state, backing keys, rotation, aliases. */
export async function keyStateAsOf(
  states: AsOfStates,
  options: LedgerQueryOptions,
  keyId: string,
  asOf: Date,
  region?: string,
): Promise<KeyStateAsOf> {
  const at = timeOf(asOf);
  await states.catchUp();
  const key = regionalKey(options, keyId, region, { times: states.times, asOfMs: at });
  const state = await states.stateAt(key.ref, at);
  if (!state)
    throw new DomainError('NotFound', `Key '${keyArnOf(key.scope, key.keyId)}' did not exist at ${asOf.toISOString()}`);
  const aliases = aliasNamesIn(states.times.aliasesOf(key.keyId, at), key.region, options.region);
  return describe(state, aliases, at);
}

export function keyStateName(state: KeyAggregate): KeyStateName {
  return state.deleted ? 'Deleted' : keyStateOf(state);
}

export function currentBacking(state: KeyAggregate): BackingKey | undefined {
  if (state.deleted || state.currentKeyMaterialId === null) return undefined;
  return findBackingKey(state, state.currentKeyMaterialId);
}

/** When a backing key became the current one: its rotation, or its creation for the first. */
export function becameCurrentAt(backing: BackingKey): number {
  return backing.rotationDate ?? backing.createdAt;
}

function describe(state: KeyAggregate, aliases: string[], at: number): KeyStateAsOf {
  return {
    keyId: state.keyId,
    arn: state.arn,
    region: state.region,
    asOf: new Date(at).toISOString(),
    keyState: keyStateName(state),
    enabled: state.enabled,
    origin: state.origin,
    description: state.description,
    rotationEnabled: state.rotationEnabled,
    rotationPeriodInDays: state.rotationPeriodInDays,
    nextRotationDate: iso(state.nextRotationDate),
    deletionDate: iso(state.deletionDate),
    currentKeyMaterialId: state.currentKeyMaterialId,
    keyMaterials: state.backingKeys.map(materialAsOf),
    aliases,
    createdAt: new Date(state.createdAt).toISOString(),
    deletedAt: iso(state.deletedAt),
    tags: state.tags.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })),
  };
}

// evolveKey keeps a backing key's object while it does not change, so its
// outward form is made once: a key with hundreds of backing keys would
// otherwise spend most of an as-of query formatting dates.
const materialViews = new WeakMap<BackingKey, KeyMaterialAsOf>();

function materialAsOf(b: BackingKey): KeyMaterialAsOf {
  let view = materialViews.get(b);
  if (view === undefined) {
    // Frozen: the one object is handed to every caller that asks about this backing key.
    view = Object.freeze({
      keyMaterialId: b.keyMaterialId,
      state: b.state,
      origin: b.origin,
      createdAt: new Date(b.createdAt).toISOString(),
      importState: b.importState,
      validTo: iso(b.validTo),
    });
    materialViews.set(b, view);
  }
  return view;
}

import { keyStateOf, type BackingKey, type KeyAggregate } from './key-state.js';

/** What the clock has made due for a key: the scheduler does it, the deciders record it. */
export interface DueWork {
  /** The deletion window has passed: the key is to be destroyed, and nothing else is due. */
  completeDeletion: boolean;
  /** Imported material that has reached its ValidTo and still can be opened. */
  expiringMaterial: readonly BackingKey[];
  /** Automatic rotation is due; AWS does not rotate a key that is disabled, pending import or pending deletion. */
  rotate: boolean;
}

const NOTHING_DUE: DueWork = Object.freeze({ completeDeletion: false, expiringMaterial: [], rotate: false });
const DELETION_DUE: DueWork = Object.freeze({ completeDeletion: true, expiringMaterial: [], rotate: false });

const expiresBy = (b: BackingKey, now: number): boolean =>
  b.origin === 'EXTERNAL' && b.validTo !== null && b.validTo <= now && b.hasMaterial;

/** The one rule of what work is due for `key` at `now` (ms since the epoch). */
export function dueWork(key: KeyAggregate, now: number): DueWork {
  if (!key.exists || key.deleted) return NOTHING_DUE;
  if (key.deletionDate !== null && key.deletionDate <= now) return DELETION_DUE;
  const rotate =
    key.rotationEnabled &&
    key.nextRotationDate !== null &&
    key.nextRotationDate <= now &&
    keyStateOf(key) === 'Enabled';
  let expiringMaterial: BackingKey[] | undefined;
  for (const b of key.backingKeys) if (expiresBy(b, now)) (expiringMaterial ??= []).push(b);
  if (!rotate && !expiringMaterial) return NOTHING_DUE;
  return { completeDeletion: false, expiringMaterial: expiringMaterial ?? [], rotate };
}

/** Whether anything at all is due. */
export const anythingDue = (work: DueWork): boolean =>
  work.completeDeletion || work.rotate || work.expiringMaterial.length > 0;

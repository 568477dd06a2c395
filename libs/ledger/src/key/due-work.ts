import { keyStateOf, type BackingKey, type ImportParameters, type KeyAggregate } from './key-state.js';

/** What the clock has made due for a key: the scheduler does it, the deciders record it. */
export interface DueWork {
  /** The deletion window has passed: the key is to be destroyed, and nothing else is due. */
  completeDeletion: boolean;
  /** Imported material that has reached its ValidTo and still can be opened. */
  expiringMaterial: readonly BackingKey[];
  /** Import parameters past their ValidTo and unused: their wrapping key is to be destroyed. */
  expiringImportParameters: readonly ImportParameters[];
  /** Automatic rotation is due; AWS does not rotate a key that is disabled, pending import or pending deletion. */
  rotate: boolean;
}

const NOTHING_DUE: DueWork = Object.freeze({
  completeDeletion: false,
  expiringMaterial: [],
  expiringImportParameters: [],
  rotate: false,
});
const DELETION_DUE: DueWork = Object.freeze({ ...NOTHING_DUE, completeDeletion: true });

/** Of a key of origin EXTERNAL, whose backing keys are all imported material. */
const expiresBy = (b: BackingKey, now: number): boolean => b.validTo !== null && b.validTo <= now && b.hasMaterial;

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
  // Only a key of origin EXTERNAL holds imported material (the import decider refuses any other): a key rotated
  // daily for years is not scanned on every event.
  // Stryker disable next-line ConditionalExpression: equivalent, the scan of any other key finds nothing
  if (key.origin === 'EXTERNAL')
    for (const b of key.backingKeys) if (expiresBy(b, now)) (expiringMaterial ??= []).push(b);
  let expiringImportParameters: ImportParameters[] | undefined;
  for (const p of key.importParameters) if (!p.spent && p.validTo <= now) (expiringImportParameters ??= []).push(p);
  if (!rotate && !expiringMaterial && !expiringImportParameters) return NOTHING_DUE;
  return {
    completeDeletion: false,
    expiringMaterial: expiringMaterial ?? [],
    expiringImportParameters: expiringImportParameters ?? [],
    rotate,
  };
}

/** Whether anything at all is due. */
export const anythingDue = (work: DueWork): boolean =>
  work.completeDeletion || work.rotate || work.expiringMaterial.length > 0 || work.expiringImportParameters.length > 0;

/**
 * The earliest instant at which dueWork(key, ·) finds anything due, or null
 * when nothing ever becomes due without a new event. Its conditions mirror
 * dueWork's: a reaction to each key event arms the scheduler with it, so work
 * happens at its time rather than at the next periodic sweep.
 */
export function nextDueAt(key: KeyAggregate): number | null {
  if (!key.exists || key.deleted) return null;
  let next: number | null = key.deletionDate;
  const consider = (at: number | null) => {
    if (at !== null && (next === null || at < next)) next = at;
  };
  if (key.rotationEnabled && keyStateOf(key) === 'Enabled') consider(key.nextRotationDate);
  // Stryker disable next-line ConditionalExpression: equivalent, as in dueWork
  if (key.origin === 'EXTERNAL') {
    for (const b of key.backingKeys) if (b.hasMaterial) consider(b.validTo);
  }
  for (const p of key.importParameters) if (!p.spent) consider(p.validTo);
  return next;
}

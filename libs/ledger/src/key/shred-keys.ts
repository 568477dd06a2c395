import type { ImportParameters, KeyAggregate } from './key-state.js';

/*
 * Crypto-shredding destroys a shred key, and with it every copy of the material
 * sealed under it that the immutable events keep. So what must be destroyed is
 * derived from every shred key id the key's events ever recorded (kept by the
 * fold: backing keys and import parameters never leave it, and a re-import's
 * superseded shred key is kept apart), never only from the ids in use now.
 */

/** Import parameters with `importTokenId` marked spent (used or expired). */
export function spend(all: ImportParameters[], importTokenId: string): ImportParameters[] {
  return all.map((p) => (p.importTokenId === importTokenId && !p.spent ? { ...p, spent: true } : p));
}

/** Every shred key id the key's events ever recorded, each once. */
export function everyShredKeyId(key: KeyAggregate): string[] {
  const ids = new Set<string>();
  for (const b of key.backingKeys) ids.add(b.shredKeyId);
  for (const p of key.importParameters) ids.add(p.shredKeyId);
  for (const id of key.supersededShredKeyIds) ids.add(id);
  return [...ids];
}

/** Shred keys that still open something the key allows: live material and unspent import parameters. */
export function liveShredKeyIds(key: KeyAggregate): Set<string> {
  const live = new Set<string>();
  if (key.deleted) return live;
  for (const b of key.backingKeys) if (b.hasMaterial) live.add(b.shredKeyId);
  for (const p of key.importParameters) if (!p.spent) live.add(p.shredKeyId);
  return live;
}

/**
 * Every recorded shred key that opens nothing the key allows any more. Each must
 * be gone from the vault; one still there is an orphan. Import parameters past
 * their ValidTo but not yet recorded as expired are not here: the scheduler
 * records their expiry first.
 */
export function deadShredKeyIds(key: KeyAggregate): string[] {
  const live = liveShredKeyIds(key);
  return everyShredKeyId(key).filter((id) => !live.has(id));
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { readdirSync, readSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const MAC_LENGTH = 32;

/** The purpose the snapshot's MAC key is derived from the root key under. */
export const snapshotMacKeyPurpose = 'keyledger/ledger-view-snapshot/v1';

/**
 * What authenticates a snapshot. The view it holds feeds Decrypt and the scheduler,
 * so a flipped bit or a deliberate edit (a disabled key made usable) must not be
 * taken: the whole file carries an HMAC-SHA256 under a root-derived key, and names
 * the store it was made from.
 */
export interface SnapshotSeal {
  macKey: Buffer;
  /** Which store the view was made from (engine and ledger identity). */
  storeIdentity: string;
}

/** Whether the file's last MAC_LENGTH bytes are the MAC of everything before them. */
export function macHolds(fd: number, size: number, macKey: Buffer): boolean {
  if (size < MAC_LENGTH) return false;
  const mac = createHmac('sha256', macKey);
  const block = Buffer.allocUnsafe(1024 * 1024);
  const end = size - MAC_LENGTH;
  for (let offset = 0; offset < end;) {
    const n = readSync(fd, block, 0, Math.min(block.length, end - offset), offset);
    if (n === 0) return false;
    mac.update(block.subarray(0, n));
    offset += n;
  }
  const stored = Buffer.alloc(MAC_LENGTH);
  if (readSync(fd, stored, 0, MAC_LENGTH, end) < MAC_LENGTH) return false;
  return timingSafeEqual(mac.digest(), stored);
}

/**
 * Removes temporary files a writer left when it stopped mid-write (`<file>.<pid>.tmp`).
 * Called with the data directory locked, so no other process is writing one.
 */
export function removeStaleSnapshotTemporaries(file: string): string[] {
  const prefix = `${basename(file)}.`;
  const stale = readdirSync(dirname(file)).filter(
    (name) => name.startsWith(prefix) && /^\d+\.tmp$/.test(name.slice(prefix.length)),
  );
  for (const name of stale) rmSync(join(dirname(file), name), { force: true });
  return stale;
}

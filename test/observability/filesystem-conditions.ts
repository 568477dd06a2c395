import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const isRoot = process.getuid?.() === 0;

/**
 * Makes a directory refuse new files, as a read-only mount does: for root (whom
 * permissions do not stop) the immutable attribute, otherwise mode 0555.
 * Returns the undo, or undefined when this machine cannot do it.
 */
export function makeReadOnly(dir: string): (() => void) | undefined {
  if (!isRoot) {
    chmodSync(dir, 0o555);
    return () => chmodSync(dir, 0o700);
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'pipe' });
    return () => execFileSync('chattr', ['-i', dir], { stdio: 'pipe' });
  } catch {
    return undefined;
  }
}

/** A file system of `megabytes` that can really fill up: a tmpfs, when this process may mount one. */
export function smallFileSystem(megabytes: number): { dir: string; remove(): void } | undefined {
  if (!isRoot) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-small-fs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    remove: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import Database from 'better-sqlite3';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE_NAME = 'keyledger.lock';
export const LOCK_HOLDER_FILE_NAME = 'keyledger.lock.json';

/** The data directory is held by another process; the message names it (pid, host, since when). */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

interface Holder {
  pid: number;
  host: string;
  since: string;
  purpose: string;
}

/**
 * One process at a time on a data directory: two servers on one ledger serve
 * stale state to each other's clients (a key disabled by one stayed usable on
 * the other).
 *
 * The lock is an exclusive SQLite lock on `keyledger.lock` (locking_mode
 * EXCLUSIVE, taken by a write and never released while the connection is open).
 * SQLite takes it as a POSIX advisory lock, which the kernel drops when the
 * process dies, however it dies: there is no stale lock to detect, no pid to
 * trust after a reboot or pid reuse, and no timer to keep a lock fresh, unlike
 * lock files or lock directories (proper-lockfile). It also holds between two
 * connections of one process, so two servers in one test process exclude each
 * other. Like any POSIX lock it is not reliable on NFS: keep data directories
 * on local disks. Who holds it is written beside it, for the refusal to name.
 */
export class DataDirLock {
  private constructor(
    private readonly db: Database.Database,
    readonly dataDir: string,
  ) {}

  static acquire(dataDir: string, purpose: string): DataDirLock {
    const path = join(dataDir, LOCK_FILE_NAME);
    closeSync(openSync(path, 'a', 0o600));
    const db = new Database(path, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS lock_taken (at TEXT NOT NULL)');
      db.prepare('INSERT INTO lock_taken (at) VALUES (?)').run(new Date().toISOString());
      db.exec('DELETE FROM lock_taken WHERE rowid NOT IN (SELECT max(rowid) FROM lock_taken)');
      db.exec('COMMIT');
    } catch (error) {
      db.close();
      if (
        (error as { code?: string }).code?.startsWith('SQLITE_BUSY') ||
        (error as { code?: string }).code === 'SQLITE_LOCKED'
      )
        throw new DataDirLockedError(
          `data directory ${dataDir} is in use by ${describeHolder(dataDir)}; stop it first`,
        );
      throw new DataDirLockedError(`cannot lock data directory ${dataDir} (${path}): ${(error as Error).message}`);
    }
    writeHolder(dataDir, { pid: process.pid, host: hostname(), since: new Date().toISOString(), purpose });
    return new DataDirLock(db, dataDir);
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}

function describeHolder(dataDir: string): string {
  try {
    const holder = JSON.parse(readFileSync(join(dataDir, LOCK_HOLDER_FILE_NAME), 'utf8')) as Holder;
    return `${holder.purpose} (pid ${holder.pid} on host ${holder.host}, since ${holder.since})`;
  } catch {
    return 'another process (it has not said which yet)';
  }
}

function writeHolder(dataDir: string, holder: Holder): void {
  const path = join(dataDir, LOCK_HOLDER_FILE_NAME);
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

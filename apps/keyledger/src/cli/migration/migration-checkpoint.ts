import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Identifies a migrated event in the checkpoint, so a resume can prove source and target still agree on it. */
export interface EventRef {
  streamName: string;
  revision: string;
  id: string;
}

/**
 * Progress of one migration, kept in the source data directory. It is only a
 * shortcut: the target itself is the truth (a resume compares the target's
 * events after `targetPosition` with the source's and skips those already
 * there), so a checkpoint that is stale, or lost, costs time, never correctness.
 */
export interface MigrationCheckpoint {
  version: 1;
  /** The target, without credentials. */
  target: string;
  /** Global position of the last source event known to be in the target. */
  sourcePosition: string;
  /** Global position of that event in the target. */
  targetPosition: string;
  eventsMigrated: number;
  /** The last few migrated events, re-checked by id on resume. */
  recent: EventRef[];
  updatedAt: string;
  /** Set when a run reached the end of the source and verified the target. */
  verifiedAt?: string;
}

/** The target as it may be shown and stored: a connection string loses its user and password. */
export function describeTarget(target: { url?: string; dataDir?: string }): string {
  if (target.url) {
    try {
      const url = new URL(target.url);
      url.username = '';
      url.password = '';
      return url.toString();
    } catch {
      return target.url.replace(/\/\/[^@/]*@/, '//');
    }
  }
  return resolve(target.dataDir!);
}

export function checkpointPath(sourceDataDir: string, targetDescription: string): string {
  const digest = createHash('sha256').update(targetDescription).digest('hex').slice(0, 16);
  return join(resolve(sourceDataDir), `migrate-${digest}.json`);
}

export type LoadedCheckpoint =
  { kind: 'none' } | { kind: 'ok'; checkpoint: MigrationCheckpoint } | { kind: 'unreadable'; reason: string };

export function loadCheckpoint(path: string): LoadedCheckpoint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'unreadable', reason: (error as Error).message };
  }
  try {
    const value = JSON.parse(text) as MigrationCheckpoint;
    if (
      value?.version !== 1 ||
      !/^\d+$/.test(value.sourcePosition) ||
      !/^\d+$/.test(value.targetPosition) ||
      !Number.isInteger(value.eventsMigrated) ||
      !Array.isArray(value.recent)
    ) {
      return { kind: 'unreadable', reason: 'unexpected content' };
    }
    return { kind: 'ok', checkpoint: value };
  } catch (error) {
    return { kind: 'unreadable', reason: (error as Error).message };
  }
}

/**
 * Write-then-rename, so a reader sees the old or the new checkpoint, never half
 * of one. Not fsynced: after a power loss an older checkpoint only means more
 * of the target is re-compared on resume.
 */
export function saveCheckpoint(path: string, checkpoint: MigrationCheckpoint): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(checkpoint, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import type { LedgerViewContents } from './ledger-view.js';

const FORMAT = 'keyledger/ledger-view-snapshot/v2';

/**
 * Where the ledger view had got to, and what it held then: the projection's
 * stored checkpoint. Replaying a large ledger from its first event takes longer
 * than a server may take to start, so the view starts from its snapshot and
 * reads only what came after. The snapshot holds no secret the events do not
 * already hold (material is sealed in both).
 */
export interface LedgerViewSnapshot {
  /** Global position of the last event the view had applied from the subscription. */
  position: bigint;
  /** The id of that event, and the position before it: they prove the store still holds that history. */
  eventId: string;
  previousPosition: bigint | 'start';
  contents: LedgerViewContents;
}

interface StoredSnapshot extends LedgerViewSnapshot {
  format: typeof FORMAT;
}

export function writeLedgerViewSnapshot(file: string, snapshot: LedgerViewSnapshot): void {
  const bytes = serialize({ format: FORMAT, ...snapshot } satisfies StoredSnapshot);
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** The snapshot in `file`, or undefined when there is none or it cannot be read (then the view replays). */
export function readLedgerViewSnapshot(file: string): LedgerViewSnapshot | undefined {
  let stored: StoredSnapshot;
  try {
    stored = deserialize(readFileSync(file)) as StoredSnapshot;
  } catch {
    return undefined;
  }
  if (stored?.format !== FORMAT || typeof stored.position !== 'bigint') return undefined;
  return stored;
}

export function removeLedgerViewSnapshot(file: string): void {
  rmSync(file, { force: true });
}

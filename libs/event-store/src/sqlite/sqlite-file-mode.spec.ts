import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from './sqlite-event-store.js';

describe('the embedded ledger file (issue 17 point 6)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is created owner-only (0600), and so are its WAL and shared-memory files, whatever the umask', async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-mode-'));
    const previous = process.umask(0o022);
    try {
      const store = new SqliteEventStore(join(dir, 'ledger.db'));
      await store.appendToStream('s', [{ type: 'A', data: {} }]);
      for (const name of ['ledger.db', 'ledger.db-wal', 'ledger.db-shm'])
        expect(statSync(join(dir, name)).mode & 0o777, name).toBe(0o600);
      await store.close();
    } finally {
      process.umask(previous);
    }
  });
});

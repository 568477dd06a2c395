import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '@keyledger/event-store';
import { boundedStore } from '../../apps/keyledger/src/observability/bounded-store.js';
import { KeyledgerMetrics } from '../../apps/keyledger/src/observability/metrics.js';
import { StoreHealth } from '../../apps/keyledger/src/observability/store-health.js';
import { smallFileSystem } from './filesystem-conditions.js';

describe('an append the store cannot write is remembered for readiness until one succeeds', () => {
  let remove: (() => void) | undefined;
  afterEach(() => {
    remove?.();
    remove = undefined;
  });

  it('SQLITE_FULL on a full disk, cleared by the next append that succeeds; a conflict is not a write failure', async (ctx) => {
    const fs = smallFileSystem(8);
    if (!fs) return ctx.skip('needs to mount a small tmpfs, which only root with CAP_SYS_ADMIN can');
    remove = fs.remove;
    mkdirSync(join(fs.dir, 'data'));
    const sqlite = new SqliteEventStore(join(fs.dir, 'data', 'ledger.db'));
    const health = new StoreHealth();
    const metrics = new KeyledgerMetrics();
    const store = boundedStore(sqlite, 5_000, metrics, health);
    try {
      await store.appendToStream('s', [{ type: 'A', data: {} }]);
      await expect(store.appendToStream('s', [{ type: 'A', data: {} }], { expectedRevision: 5n })).rejects.toThrow();
      expect(health.lastWriteFailure).toBeNull();

      const filler = join(fs.dir, 'filler');
      const fd = openSync(filler, 'w');
      try {
        for (;;) writeSync(fd, Buffer.alloc(256 * 1024));
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        closeSync(fd);
      }
      // Large enough to need new pages whatever the WAL has left.
      const big = { blob: randomUUID().repeat(20_000) };
      await expect(store.appendToStream('s', [{ type: 'B', data: big }])).rejects.toThrow();
      expect(health.lastWriteFailure).toMatch(
        /^the store could not write the last append \((SQLITE_FULL|SQLITE_IOERR\w*)\)$/,
      );

      rmSync(filler);
      await store.appendToStream('s', [{ type: 'C', data: {} }]);
      expect(health.lastWriteFailure).toBeNull();
      const text = (await metrics.exposition()).text;
      expect(text).toMatch(/keyledger_store_append_duration_seconds_count\{outcome="ok"\} 2/);
      expect(text).toMatch(/keyledger_store_append_duration_seconds_count\{outcome="conflict"\} 1/);
      expect(text).toMatch(/keyledger_store_append_duration_seconds_count\{outcome="error"\} 1/);
      expect(text).toMatch(/keyledger_events_appended_total 2/);
    } finally {
      await store.close();
    }
  });
});

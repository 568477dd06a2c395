import { spawn, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventStoreContract } from '../contract/event-store.contract.js';
import { createEventStore } from '../create-event-store.js';
import { InvalidAppendError, NO_STREAM } from '../event-store.port.js';
import { SqliteEventStore } from './sqlite-event-store.js';

const LIB_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const REPO_ROOT = resolve(LIB_DIR, '../..');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'keyledger-es-'));
}

eventStoreContract('SqliteEventStore', async () => {
  const dir = tempDir();
  const file = join(dir, 'ledger.db');
  let current = new SqliteEventStore(file);
  return {
    store: current,
    reopen: async () => (current = new SqliteEventStore(file)),
    cleanup: async () => {
      await current.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteEventStore specifics', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir, 'ledger.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs with journal_mode=WAL and synchronous=FULL', () => {
    expect(store.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2 });
  });

  it('numbers positions densely 1, 2, 3… across streams and concurrent batches', async () => {
    await store.appendToStream('a', [{ type: 'T', data: {} }]);
    await Promise.all([
      store.appendToStream('b', [
        { type: 'T', data: {} },
        { type: 'T', data: {} },
      ]),
      store.appendToStream('c', [{ type: 'T', data: {} }]),
      // Fails inside the same group commit; must not leave a hole.
      store.appendToStream('a', [{ type: 'T', data: {} }], { expectedRevision: NO_STREAM }).catch(() => undefined),
      store.appendToStream('a', [{ type: 'T', data: {} }]),
    ]);
    const all = await store.readAll();
    expect(all.map((e) => e.position)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(all.map((e) => e.streamName)).toEqual(['a', 'b', 'b', 'c', 'a']);
  });

  it('gives the position of the last committed event as its head, and start when there is none', async () => {
    expect(await store.headPosition()).toBe('start');
    await store.appendToStream('a', [{ type: 'T', data: {} }]);
    await store.appendToStream('b', [
      { type: 'T', data: {} },
      { type: 'T', data: {} },
    ]);
    expect(await store.headPosition()).toBe(3n);
  });

  it('lets the event loop in between the pages of a long catch-up, so a server replaying still answers', async () => {
    // Three pages and a bit: a catch-up that never yielded would run them all before any immediate.
    const events = Array.from({ length: 3100 }, () => ({ type: 'T', data: {} }));
    await store.appendToStream('a', events);
    let delivered = 0;
    let deliveredWhenLoopRan = -1;
    setImmediate(() => (deliveredWhenLoopRan = delivered));
    await new Promise<void>((caughtUp) => {
      store.subscribeToAll({}, { onEvent: () => void delivered++, onCaughtUp: caughtUp });
    });
    expect(delivered).toBe(3100);
    expect(deliveredWhenLoopRan).toBeGreaterThan(0);
    expect(deliveredWhenLoopRan).toBeLessThan(3100);
  });

  it('rejects an event id already stored, writing nothing of that append, while the rest of its batch commits', async () => {
    const id = randomUUID();
    await store.appendToStream('a', [{ id, type: 'T', data: {} }]);
    const [dupe, other, singleDupe] = await Promise.allSettled([
      store.appendToStream('b', [
        { type: 'First', data: {} },
        { id: id.toUpperCase(), type: 'T', data: {} },
      ]),
      store.appendToStream('c', [{ type: 'T', data: {} }]),
      store.appendToStream('e', [{ id, type: 'T', data: {} }]),
    ]);
    expect(dupe.status).toBe('rejected');
    expect((dupe as PromiseRejectedResult).reason).toBeInstanceOf(InvalidAppendError);
    expect(other.status).toBe('fulfilled');
    expect((singleDupe as PromiseRejectedResult).reason).toBeInstanceOf(InvalidAppendError);
    expect(await store.streamRevision('b')).toBe(NO_STREAM);
    expect(await store.streamRevision('e')).toBe(NO_STREAM);
    expect((await store.readAll()).map((e) => e.streamName)).toEqual(['a', 'c']);

    // Alone in its group commit, too.
    await expect(store.appendToStream('d', [{ id, type: 'T', data: {} }])).rejects.toBeInstanceOf(InvalidAppendError);
    expect(await store.streamRevision('d')).toBe(NO_STREAM);
    expect(await store.readAll()).toHaveLength(2);
  });

  it('defaults readAll to 4096 events per call', async () => {
    const events = Array.from({ length: 5000 }, (_, i) => ({ type: 'T', data: { i } }));
    await store.appendToStream('bulk', events);
    expect(await store.readAll()).toHaveLength(4096);
    expect(await store.readAll({ after: 4096n })).toHaveLength(904);
  });

  it('refuses appends after close and settles appends queued before it', async () => {
    const queued = store.appendToStream('q', [{ type: 'T', data: {} }]);
    await store.close();
    await expect(queued).resolves.toMatchObject({ nextExpectedRevision: 0n });
    await expect(store.appendToStream('q', [{ type: 'T', data: {} }])).rejects.toThrow(/closed/);
    store = new SqliteEventStore(join(dir, 'ledger.db'));
    expect(await store.streamRevision('q')).toBe(0n);
  });

  it('createEventStore puts ledger.db in the data dir and rejects unknown URL schemes', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const created = createEventStore({ dataDir, eventStoreUrl: '' });
    expect(created).toBeInstanceOf(SqliteEventStore);
    await created.appendToStream('x', [{ type: 'T', data: {} }]);
    await created.close();
    expect(existsSync(join(dataDir, 'ledger.db'))).toBe(true);
    expect(() => createEventStore({ dataDir, eventStoreUrl: 'postgres://db/ledger' })).toThrow(
      /Unsupported event store URL scheme 'postgres:'/,
    );
  });
});

describe('SqliteEventStore durability across a crash', () => {
  const ACKED_BEFORE_KILL = 200;
  let dir: string;

  beforeAll(() => {
    // The child process runs the compiled adapter, so make sure dist is current (incremental, fast).
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b', LIB_DIR], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
    dir = tempDir();
  }, 120_000);

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged append when the writer is killed with SIGKILL', async () => {
    const file = join(dir, 'ledger.db');
    const script = join(dir, 'writer.mjs');
    const adapter = pathToFileURL(join(LIB_DIR, 'dist/sqlite/sqlite-event-store.js')).href;
    writeFileSync(
      script,
      `import { SqliteEventStore } from ${JSON.stringify(adapter)};
const store = new SqliteEventStore(${JSON.stringify(file)});
// Two writers, so group commits of several appends are exercised too.
async function writer(stream) {
  for (let i = 0; ; i++) {
    const r = await store.appendToStream(stream, [{ type: 'Tick', data: { i } }]);
    process.stdout.write(stream + ' ' + r.nextExpectedRevision + '\\n');
  }
}
writer('w1');
writer('w2');
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<string, bigint>();
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<NodeJS.Signals | null>((resolveExit) =>
      child.on('exit', (_code, signal) => resolveExit(signal)),
    );
    await new Promise<void>((resolveKilled, reject) => {
      let buffered = '';
      let count = 0;
      const timer = setTimeout(() => reject(new Error(`writer acknowledged only ${count}; stderr: ${stderr}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const [stream, revision] = line.split(' ');
          acked.set(stream, BigInt(revision));
          if (++count === ACKED_BEFORE_KILL) {
            child.kill('SIGKILL');
            clearTimeout(timer);
            resolveKilled();
          }
        }
      });
      child.on('exit', () => reject(new Error(`writer exited early; stderr: ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');

    const reopened = new SqliteEventStore(file);
    try {
      for (const [stream, revision] of acked) {
        const events = await reopened.readStream(stream);
        expect(events.length).toBeGreaterThanOrEqual(Number(revision) + 1);
        expect(events.map((e) => e.data.i)).toEqual(events.map((_, i) => i));
      }
      const all = await reopened.readAll({ maxCount: 100_000 });
      expect(all.map((e) => e.position)).toEqual(all.map((_, i) => BigInt(i + 1)));
    } finally {
      await reopened.close();
    }
    // The database file itself passes SQLite's integrity check after the kill.
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
  });
});

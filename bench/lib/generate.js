// Generates realistic ledgers directly into a SqliteEventStore, through the
// domain functions the server uses (decideKey / decideAlias / evolveKey /
// evolveAlias), with metadata shaped like the server's (actor, requestId, time)
// and the integrity hash chain from withIntegrity, appended stream by stream with
// the expected revision the server would use, group-committed in large batches.
//
// The CPU work (deciding, hashing; ~60 µs per event, most of it withIntegrity's
// canonical JSON + SHA-256) runs in worker threads, one per partition of the
// keys; the main thread only appends. See generate-worker.js for the material:
// by default an equally-sized fake sealed string (the big data sets never open
// material), or real sealMaterial + ShredVault with BENCH_REAL_MATERIAL=1.
import { Worker } from 'node:worker_threads';
import { chmodSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NO_STREAM, SqliteEventStore } from '@keyledger/event-store';
import { SHRED_VAULT_FILE_NAME, ShredVault, StaticRootKeyProvider } from '@keyledger/crypto';
import { tempDir } from './common.js';

export const LEDGER_FILE = 'ledger.db';
const WORKER = new URL('./generate-worker.js', import.meta.url);

/**
 * A generator over `keys` keys split across `threads` planner threads. Call
 * `keys()` to write the keys with their backing keys into `dataDir`, then
 * optionally `extend(otherDir, targetEvents)` to write a copy of that ledger
 * grown with further lifecycle history, then `close()`.
 */
export class LedgerGenerator {
  constructor({
    rootKey,
    keys,
    backingKeysPerKey = 3,
    threads = 2,
    realMaterial = process.env.BENCH_REAL_MATERIAL === '1',
  }) {
    this.keysTotal = keys;
    this.backingKeysPerKey = backingKeysPerKey;
    this.realMaterial = realMaterial;
    this.rootKey = rootKey;
    this.events = 0;
    // One vault file per run: with real material, one planner thread.
    if (realMaterial) threads = 1;
    this.vaultScratch = realMaterial ? tempDir('vault', existsSync('/dev/shm') ? '/dev/shm' : undefined) : undefined;
    const per = Math.ceil(keys / threads);
    this.workers = [];
    for (let t = 0; t < threads; t++) {
      const count = Math.max(0, Math.min(per, keys - t * per));
      if (count === 0) continue;
      this.workers.push(
        new Worker(WORKER, {
          workerData: {
            partition: t,
            keys: count,
            firstIndex: t * per,
            backingKeysPerKey,
            rootKey,
            realMaterial,
            vaultDir: this.vaultScratch ? join(this.vaultScratch, `p${t}`) : undefined,
          },
        }),
      );
    }
  }

  /** Runs `phase` on every planner and appends what they produce into `dataDir`. */
  async #run(dataDir, phase, params = {}) {
    const store = new SqliteEventStore(join(dataDir, LEDGER_FILE));
    // Generation only: a large page cache for this one connection. With SQLite's default
    // 2 MB, inserting into the random-UUID indexes (id; stream, revision) of a ledger of
    // hundreds of MB misses the cache on nearly every row and generation slows to ~4k
    // events/s. The pragma is per connection and changes nothing in the file.
    store['db'].pragma('cache_size = -1048576');
    // ... and checkpoints far apart, so a page dirtied by many batches is written back once.
    store['db'].pragma(`wal_autocheckpoint = ${process.env.BENCH_GEN_CHECKPOINT ?? 100000}`);
    let events = 0;
    const results = await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise((resolve, reject) => {
            // Appends of one worker's batch are queued in one turn: one group commit per batch.
            let chain = Promise.resolve();
            const onMessage = (message) => {
              if (message.type === 'batch') {
                chain = chain.then(async () => {
                  const pending = [];
                  for (const [streamName, expected, toAppend] of message.appends) {
                    pending.push(
                      store.appendToStream(streamName, toAppend, {
                        expectedRevision: expected < 0 ? NO_STREAM : BigInt(expected),
                      }),
                    );
                    events += toAppend.length;
                  }
                  await Promise.all(pending);
                  worker.postMessage({ type: 'ack' });
                });
                chain.catch(reject);
              } else if (message.type === 'done') {
                worker.off('message', onMessage);
                chain.then(() => resolve(message), reject);
              } else if (message.type === 'error') {
                reject(new Error(`generator worker: ${message.message}`));
              }
            };
            worker.on('message', onMessage);
            worker.once('error', reject);
            worker.postMessage({ type: phase, ...params });
          }),
      ),
    );
    await store.close();
    return { events, results };
  }

  /** Every key: CreateKey, then (backingKeysPerKey - 1) RotateKeyOnDemand rounds. */
  async keys(dataDir) {
    const t = performance.now();
    const { events } = await this.#run(dataDir, 'keys');
    this.events = events;
    this.#installVault(dataDir);
    return { events, ms: performance.now() - t };
  }

  /** Copies `fromDir`'s ledger into `toDir` and grows it to `targetEvents` events. */
  async extend(fromDir, toDir, targetEvents) {
    const t = performance.now();
    copyFileSync(join(fromDir, LEDGER_FILE), join(toDir, LEDGER_FILE));
    const per = Math.ceil((targetEvents - this.events) / this.workers.length);
    const { events } = await this.#run(toDir, 'extend', { addEvents: per });
    this.#installVault(toDir);
    return { events: this.events + events, added: events, ms: performance.now() - t };
  }

  /**
   * Real material: the planner's vault (closed, WAL truncated) goes into the data dir.
   * Fake material: an empty vault, since a server refuses a ledger with material but no vault.
   */
  #installVault(dataDir) {
    if (!this.realMaterial) {
      ShredVault.open(dataDir, StaticRootKeyProvider.fromBase64(this.rootKey)).close();
      return;
    }
    const target = join(dataDir, SHRED_VAULT_FILE_NAME);
    copyFileSync(join(this.vaultScratch, 'p0', SHRED_VAULT_FILE_NAME), target);
    chmodSync(target, 0o600);
  }

  async close() {
    await Promise.all(this.workers.map((w) => w.terminate()));
    if (this.vaultScratch) rmSync(this.vaultScratch, { recursive: true, force: true });
  }
}

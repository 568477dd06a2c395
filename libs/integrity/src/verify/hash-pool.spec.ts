import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { canonicalJson, withIntegrity } from '@keyledger/ledger';
import { afterAll, describe, expect, it } from 'vitest';
import { firstHashMismatch, type HashJobs } from './hash-check.js';
import { startHashPool } from './hash-pool.js';

/** Jobs for `count` chained events of one stream; `altered` lists the seqs whose data is edited after hashing. */
function jobs(count: number, altered: number[] = []): HashJobs {
  const list: HashJobs = [];
  let previousHash: string | null = null;
  for (let i = 0; i < count; i++) {
    const data: Record<string, unknown> = { i, text: `event ${i}`, nested: { z: [1, { b: null, a: 'x' }], a: true } };
    const metadata = withIntegrity(
      {
        streamName: 'key-x',
        revision: BigInt(i),
        type: 'Noted',
        data,
        metadata: { time: 't', actor: { principal: 'p' } },
      },
      previousHash,
    );
    previousHash = (metadata.integrity as { hash: string }).hash;
    if (altered.includes(i + 1)) data.text = 'edited';
    list.push(i + 1, 'key-x', String(i), String(100 + i), 'Noted', JSON.stringify(data), JSON.stringify(metadata));
  }
  return list;
}

describe('hash jobs', () => {
  it('finds the first altered event of a batch, in job order', () => {
    expect(firstHashMismatch(jobs(5))).toBeNull();
    expect(firstHashMismatch(jobs(5, [4, 2]))).toEqual({ seq: 2, streamName: 'key-x', revision: '1', position: '101' });
  });

  it('hashes the same text after the JSON round trip to a worker', () => {
    const value = JSON.parse(
      '{"b":1,"a":[1,"x",null,{"z":true,"y":[]}],"é":"é","a\\"b":"\\n\\u2028\\ud800","n":-0.5e-7,"10":"ten","2":"two","__proto__":{"k":1}}',
    );
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });
});

describe('hash pool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-hash-pool-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const worker = (name: string, source: string) => {
    const file = join(dir, name);
    writeFileSync(file, `import { parentPort } from 'node:worker_threads';\n${source}\n`);
    return pathToFileURL(file);
  };

  it('is not started without a compiled worker (the TypeScript sources)', () => {
    expect(startHashPool(pathToFileURL(join(dir, 'missing.js')))).toBeUndefined();
    expect(startHashPool()).toBeUndefined();
  });

  it('hands batches to the worker and answers with its replies', async () => {
    // A stand-in that answers every batch with a fixed mismatch: the reply is what check() resolves with.
    const pool = startHashPool(
      worker(
        'fixed.mjs',
        `parentPort.on('message', ({ id }) => parentPort.postMessage({ id, mismatch: { seq: id, streamName: 's', revision: '0', position: '1' } }));`,
      ),
    )!;
    try {
      const answers = await Promise.all([pool.check(jobs(2)), pool.check(jobs(2))]);
      expect(answers.map((a) => a?.seq)).toEqual([0, 1]);
      expect(pool.pending).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('fails a batch the worker could not check', async () => {
    const pool = startHashPool(
      worker('failing.mjs', `parentPort.on('message', ({ id }) => parentPort.postMessage({ id, error: 'broken' }));`),
    )!;
    try {
      await expect(pool.check(jobs(4, [3]))).rejects.toThrow(/could not be hashed: broken/);
      expect(pool.pending).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('fails what a worker that died had been given, and what comes after', async () => {
    const pool = startHashPool(worker('dying.mjs', `parentPort.on('message', () => process.exit(3));`))!;
    try {
      const results = await Promise.allSettled([pool.check(jobs(4, [2])), pool.check(jobs(4))]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      await expect(pool.check(jobs(3))).rejects.toThrow(/exited \(code 3\)/);
    } finally {
      await pool.close();
    }
  });
});

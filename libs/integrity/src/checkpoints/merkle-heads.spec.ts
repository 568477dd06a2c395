import { createHash } from 'node:crypto';
import { ManualClock, canonicalJson } from '@keyledger/ledger';
import { describe, expect, it } from 'vitest';
import { signCheckpointV2, type CheckpointV2Body } from './checkpoint-format.js';
import { CheckpointKeys } from './checkpoint-keys.js';
import { MerkleHeads } from './merkle-heads.js';

const sha = (...parts: Array<Buffer | string>) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The tree as merkle-heads.ts documents it, written out plainly: what an auditor would recompute. */
function referenceRoot(heads: Array<[string, bigint, string]>): string {
  const buckets: Array<Array<[string, bigint, string]>> = Array.from({ length: 4096 }, () => []);
  for (const head of heads) {
    const d = sha(Buffer.from(head[0], 'utf8'));
    buckets[(d[0]! << 4) | (d[1]! >> 4)]!.push(head);
  }
  const mth = (leaves: Buffer[]): Buffer => {
    if (leaves.length === 0) return sha();
    if (leaves.length === 1) return leaves[0]!;
    let k = 1;
    while (k * 2 < leaves.length) k *= 2;
    return sha(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
  };
  let level = buckets.map((b) =>
    mth(
      b
        .sort((x, y) => (x[0] < y[0] ? -1 : 1))
        .map(([name, revision, hash]) => sha(Buffer.from([0]), canonicalJson([name, revision.toString(), hash]))),
    ),
  );
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha(Buffer.from([1]), level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!.toString('hex');
}

const hashOf = (n: number) => sha(String(n)).toString('hex');

describe('MerkleHeads', () => {
  it('has the documented root, whatever the order heads arrive in, and moves when any head does', () => {
    const heads: Array<[string, bigint, string]> = [];
    for (let i = 0; i < 300; i++) heads.push([`key-${i}`, BigInt(i % 7), hashOf(i)]);
    heads.push(['alias-alias/a', 0n, hashOf(-1)], ['alias-alias/b', 3n, hashOf(-2)]);
    const forward = new MerkleHeads();
    for (const [name, revision, hash] of heads) forward.set(name, revision, hash);
    const backward = new MerkleHeads();
    for (const [name, revision, hash] of [...heads].reverse()) backward.set(name, revision, hash);
    const root = forward.root();
    expect(root).toBe(referenceRoot(heads));
    expect(backward.root()).toBe(root);
    expect(forward.size).toBe(302);

    forward.set('key-5', 6n, hashOf(5));
    expect(forward.root()).not.toBe(root);
    forward.set('key-5', 5n, hashOf(5));
    expect(forward.root()).toBe(root);
    forward.set('key-5', 5n, hashOf(99));
    expect(forward.root()).not.toBe(root);
    forward.set('key-5', 5n, hashOf(5));
    forward.delete('alias-alias/a');
    expect(forward.root()).toBe(referenceRoot(heads.filter(([name]) => name !== 'alias-alias/a')));
    expect(new MerkleHeads().root()).toBe(referenceRoot([]));
  });

  it('keeps a signed checkpoint event under 64 KB at 1,000,000 streams', () => {
    const heads = new MerkleHeads();
    const hash = hashOf(0);
    for (let i = 0; i < 1_000_000; i++) heads.set(`key-${i.toString(16).padStart(32, '0')}`, 3n, hash);
    const keys = CheckpointKeys.fromRootKey({ deriveKey: (p) => sha('root', p) });
    const body: CheckpointV2Body = {
      format: 2,
      time: new ManualClock(new Date(0)).now().toISOString(),
      covered: { events: '4000000', lastEventId: '0f9c3a3e-1b7e-4d1c-9a43-5f2d1c0b9e77', positionHint: '4000123' },
      streams: { count: heads.size, merkleRoot: heads.root() },
      previousCheckpointHash: hashOf(1),
    };
    const event = JSON.stringify(signCheckpointV2(body, keys));
    expect(heads.size).toBe(1_000_000);
    expect(Buffer.byteLength(event)).toBeLessThan(64 * 1024);
  }, 300_000);
});

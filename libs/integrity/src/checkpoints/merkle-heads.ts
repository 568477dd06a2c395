import { createHash } from 'node:crypto';
import { canonicalJson } from '@keyledger/ledger';

/**
 * Every stream's head (revision and integrity hash), committed to by one
 * Merkle root, so a checkpoint stays a few hundred bytes at any number of
 * streams and the root moves in time proportional to what changed.
 *
 * The tree, for anyone who recomputes it (all hashes SHA-256, hex in the checkpoint):
 * - leaf = H(0x00 || canonical JSON of [streamName, revision as a decimal string, hash]);
 * - the leaves fall into 4096 buckets by the first 12 bits of H(streamName as UTF-8);
 * - a bucket's hash is the RFC 6962 Merkle tree hash of its leaves sorted by
 *   stream name (H() for an empty bucket; interior node = H(0x01 || left || right));
 * - the root is the perfect binary tree over the 4096 bucket hashes, interior nodes as above.
 * In other words the leaves sorted by (bucket, stream name), with the tree's
 * shape fixed by the buckets so that a new stream does not reshape it.
 */
export class MerkleHeads {
  private readonly buckets: Array<Map<string, Leaf> | undefined> = new Array(BUCKETS);
  private readonly bucketOf = new Map<string, number>();
  private readonly dirty = new Set<number>();
  /** nodes[1] is the root; nodes[BUCKETS + b] is bucket b's hash. */
  private readonly nodes: Buffer[] = new Array(2 * BUCKETS);
  private streams = 0;

  constructor() {
    for (let b = 0; b < BUCKETS; b++) this.nodes[BUCKETS + b] = EMPTY;
    for (let i = BUCKETS - 1; i >= 1; i--) this.nodes[i] = this.parentHash(i);
  }

  /** Node i's hash from its two children (every index below 2 × BUCKETS is filled in the constructor). */
  private parentHash(i: number): Buffer {
    return node(this.nodes[2 * i] ?? EMPTY, this.nodes[2 * i + 1] ?? EMPTY);
  }

  get size(): number {
    return this.streams;
  }

  get(streamName: string): { revision: bigint; hash: string } | undefined {
    const b = this.bucketOf.get(streamName);
    return b === undefined ? undefined : this.buckets[b]?.get(streamName);
  }

  set(streamName: string, revision: bigint, hash: string): void {
    let b = this.bucketOf.get(streamName);
    if (b === undefined) {
      b = bucketIndex(streamName);
      this.bucketOf.set(streamName, b);
    }
    let bucket = this.buckets[b];
    if (bucket === undefined) this.buckets[b] = bucket = new Map();
    const leaf = bucket.get(streamName);
    if (leaf === undefined) {
      bucket.set(streamName, { revision, hash, leafHash: undefined });
      this.streams++;
    } else if (leaf.revision !== revision || leaf.hash !== hash) {
      leaf.revision = revision;
      leaf.hash = hash;
      leaf.leafHash = undefined;
    } else return;
    this.dirty.add(b);
  }

  delete(streamName: string): void {
    const b = this.bucketOf.get(streamName);
    if (b === undefined || !this.buckets[b]?.delete(streamName)) return;
    this.bucketOf.delete(streamName);
    this.streams--;
    this.dirty.add(b);
  }

  /** The root over every head set, hex. */
  root(): string {
    for (const b of this.dirty) {
      let i = BUCKETS + b;
      const bucket = this.buckets[b];
      this.nodes[i] = bucket === undefined ? EMPTY : bucketHash(bucket);
      for (i >>= 1; i >= 1; i >>= 1) this.nodes[i] = this.parentHash(i);
    }
    this.dirty.clear();
    return (this.nodes[1] ?? EMPTY).toString('hex');
  }

  /** Every head, for a v1 comparison or a copy. */
  *entries(): IterableIterator<[string, { revision: bigint; hash: string }]> {
    for (const bucket of this.buckets) if (bucket) yield* bucket;
  }
}

interface Leaf {
  revision: bigint;
  hash: string;
  leafHash: Buffer | undefined;
}

const BUCKET_BITS = 12;
const BUCKETS = 1 << BUCKET_BITS;
const EMPTY = createHash('sha256').digest();
const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

export function merkleLeafHash(streamName: string, revision: bigint | string, hash: string): Buffer {
  return createHash('sha256')
    .update(LEAF_PREFIX)
    .update(canonicalJson([streamName, revision.toString(), hash]))
    .digest();
}

function bucketIndex(streamName: string): number {
  // The first 12 bits of the name's SHA-256.
  return createHash('sha256').update(streamName, 'utf8').digest().readUInt16BE(0) >> 4;
}

function node(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

function bucketHash(bucket: Map<string, Leaf>): Buffer {
  if (bucket.size === 0) return EMPTY;
  const leaves = [...bucket]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, leaf]) => (leaf.leafHash ??= merkleLeafHash(name, leaf.revision, leaf.hash)));
  return treeHash(leaves, 0, leaves.length);
}

/** RFC 6962 Merkle tree hash of leaves[from, to), to > from. */
function treeHash(leaves: Buffer[], from: number, to: number): Buffer {
  const n = to - from;
  if (n === 1) return leaves[from] ?? EMPTY;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return node(treeHash(leaves, from, from + k), treeHash(leaves, from + k, to));
}

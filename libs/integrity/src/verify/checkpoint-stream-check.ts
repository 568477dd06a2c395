import {
  CHECKPOINT_EVENT_TYPE,
  checkpointSignatureStatus,
  isCheckpointData,
  isCheckpointV2,
  type CheckpointV1Data,
  type CheckpointV2Data,
} from '../checkpoints/checkpoint-format.js';
import type { CheckpointKeys } from '../checkpoints/checkpoint-keys.js';
import { MerkleHeads } from '../checkpoints/merkle-heads.js';
import type { HeadsJournal, PreviousHead } from './heads-journal.js';
import type { Head } from './stream-chain-check.js';
import type { CheckpointSummary } from './verify-result.js';

/**
 * The checkpoint stream, event by event. Each is a checkpoint signed with this
 * ledger's checkpoint key, names the one before it, covers no less than it,
 * and signed exactly the heads the chain had at what it covers: every
 * checkpoint is held to the chain, so a rewrite under any of them shows, even
 * after later checkpoints.
 */
export class CheckpointStreamCheck {
  private previousHash: string | null = null;
  private previousEvents = 0;
  private previousPosition = -1n;
  private sawV2 = false;
  /** The heads as the last checked v2 checkpoint signed them, moved on for streams in `changed`. */
  private readonly tree = new MerkleHeads();
  private readonly changed = new Set<string>();
  checkpoints = 0;
  /** v1 checkpoints checked without the root key: neither trusted nor held against the chain. */
  unverified = 0;
  last: CheckpointSummary | undefined;

  constructor(
    private readonly keys: CheckpointKeys,
    private readonly heads: Map<string, Head>,
    private readonly journal: HeadsJournal,
  ) {}

  /** A stream's head moved (any stream but the checkpoint stream). */
  headMoved(streamName: string): void {
    this.changed.add(streamName);
  }

  /** Checks one event of the checkpoint stream; returns its problem, or undefined. */
  check(type: string, position: bigint, hash: string | null, data: unknown): string | undefined {
    if (type !== CHECKPOINT_EVENT_TYPE) return `unexpected event type ${type} in the checkpoint stream`;
    if (!isCheckpointData(data)) return 'the checkpoint is malformed';
    this.checkpoints++;
    const previousHash = this.previousHash;
    this.previousHash = hash;
    const status = checkpointSignatureStatus(data, this.keys);
    if (status === 'invalid') return 'the checkpoint signature does not verify';
    if (data.previousCheckpointHash !== previousHash)
      return 'the checkpoint does not name the checkpoint before it: the checkpoint chain is broken';
    if (isCheckpointV2(data)) {
      this.sawV2 = true;
      this.last = summaryV2(data, hash);
      return this.checkV2(data);
    }
    this.last = summaryV1(data, hash);
    if (this.sawV2) return 'a v1 checkpoint after a v2 one: checkpoints never go back to the old format';
    if (status === 'unverifiable') {
      this.unverified++;
      return undefined;
    }
    return this.checkV1(data, position);
  }

  private checkV2(data: CheckpointV2Data): string | undefined {
    const covered = Number(data.covered.events);
    if (covered > this.journal.count)
      return `the checkpoint covers ${covered} events and only ${this.journal.count} precede it: covered events were removed`;
    if (covered < this.previousEvents) return `the checkpoint covers ${covered} events, out of order`;
    this.previousEvents = covered;
    if (!this.journal.reaches(covered))
      return `the checkpoint covers ${covered} events, too far behind it to check (written ${this.journal.count - covered} events later)`;
    const id = this.journal.idOf(covered);
    if (id !== undefined && data.covered.lastEventId?.toLowerCase() !== id.toLowerCase())
      return 'the last covered event is not the one the checkpoint names';
    const then = this.journal.undo(covered);
    for (const name of this.changed) if (!then.has(name)) this.setLeaf(name, this.current(name));
    for (const [name, head] of then) this.setLeaf(name, head);
    this.changed.clear();
    // What the tree holds for these is as of the checkpoint: they move on at the next one.
    for (const name of then.keys()) this.changed.add(name);
    if (this.tree.size !== data.streams.count || this.tree.root() !== data.streams.merkleRoot)
      return 'the stream heads as of the checkpoint do not match its Merkle root: covered events were removed or rewritten';
    return undefined;
  }

  private checkV1(data: CheckpointV1Data, position: bigint): string | undefined {
    const covered = BigInt(data.position);
    if (covered >= position || covered < this.previousPosition)
      return `the checkpoint covers position ${data.position}, out of order`;
    this.previousPosition = covered;
    const seq = this.journal.seqAtPosition(covered);
    if (seq === undefined) return `the checkpoint covers position ${data.position}, too far behind it to check`;
    const then = this.journal.undo(seq);
    let streamsThen = this.heads.size - (this.heads.has(CHECKPOINT_STREAM_NAME) ? 1 : 0);
    for (const head of then.values()) if (head === undefined) streamsThen--;
    for (const [name, listed] of Object.entries(data.streams)) {
      const head = then.has(name) ? then.get(name) : this.current(name);
      if (head === undefined)
        return `the stream ${name} is missing: the checkpoint at position ${position} records it at revision ${listed.revision}`;
      if (head.revision.toString() !== listed.revision || head.hash !== listed.hash)
        return `the stream ${name} does not match the checkpoint at position ${position}: it records revision ${listed.revision}, the chain has revision ${head.revision} there`;
    }
    if (Object.keys(data.streams).length !== streamsThen)
      return `streams that precede the checkpoint at position ${position} are not in it`;
    return undefined;
  }

  private current(name: string): PreviousHead {
    const head = this.heads.get(name);
    return head === undefined ? undefined : { revision: head.revision, hash: head.hash ?? '' };
  }

  private setLeaf(name: string, head: PreviousHead): void {
    if (head === undefined) this.tree.delete(name);
    else this.tree.set(name, head.revision, head.hash);
  }
}

const CHECKPOINT_STREAM_NAME = 'ledger-checkpoints';

function summaryV2(data: CheckpointV2Data, hash: string | null): CheckpointSummary {
  return {
    checkpointHash: hash,
    format: 2,
    time: data.time,
    events: data.covered.events,
    position: data.covered.positionHint,
    streams: data.streams.count,
    merkleRoot: data.streams.merkleRoot,
  };
}

function summaryV1(data: CheckpointV1Data, hash: string | null): CheckpointSummary {
  return {
    checkpointHash: hash,
    format: 1,
    time: data.time,
    position: data.position,
    streams: Object.keys(data.streams).length,
  };
}

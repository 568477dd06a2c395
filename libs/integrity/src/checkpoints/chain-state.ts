import type { EventStore, RecordedEvent } from '@keyledger/event-store';
import { integrityOf } from '@keyledger/ledger';
import { hashMatches } from '../verify/hash-check.js';
import {
  CHECKPOINT_STREAM,
  isCheckpointV2,
  type CheckpointCoverage,
  type CheckpointData,
  type CheckpointV1Data,
  type CheckpointV2Data,
} from './checkpoint-format.js';
import { MerkleHeads } from './merkle-heads.js';

/** The checkpoint writer will not sign: the chain does not extend the last signed checkpoint. Never a secret inside. */
export class CheckpointRefusedError extends Error {
  override name = 'CheckpointRefusedError';

  constructor(readonly reason: string) {
    super(`refusing to sign a checkpoint: ${reason}`);
  }
}

const PAGE = 4096;

/**
 * The ledger as the checkpoint writer knows it: every stream's head, how many
 * events (the checkpoint stream's left out) it has taken in, the last of
 * them, and where in this store reading resumes.
 */
export class ChainState {
  readonly heads = new MerkleHeads();
  private events = 0n;
  private lastEventId: string | null = null;
  private lastCoveredPosition = 0n;
  private readPosition: bigint | 'start' = 'start';

  /**
   * The heads under a verified checkpoint, recomputed from the log from its
   * start and held to what the checkpoint signed: its Merkle root (v2) or its
   * list of heads (v1). Refuses when they differ.
   */
  static async under(store: EventStore, checkpoint: CheckpointData): Promise<ChainState> {
    const chain = new ChainState();
    if (isCheckpointV2(checkpoint))
      await chain.readUntil(store, (_event, events) => events >= BigInt(checkpoint.covered.events));
    else await chain.readUntil(store, (event) => event.position > BigInt(checkpoint.position));
    if (isCheckpointV2(checkpoint)) chain.matchV2(checkpoint);
    else chain.matchV1(checkpoint);
    return chain;
  }

  /**
   * Takes in every event appended since, each checked to chain to its
   * stream's head and to hash to its own hash. Resolves to whether there was any.
   */
  async extend(store: EventStore): Promise<boolean> {
    let changed = false;
    for (;;) {
      const page = await store.readAll({ after: this.readPosition, maxCount: PAGE });
      for (const event of page) {
        this.readPosition = event.position;
        if (event.streamName === CHECKPOINT_STREAM) continue;
        const problem = extensionProblem(event, this.heads.get(event.streamName));
        if (problem !== undefined)
          throw new CheckpointRefusedError(`${event.streamName} revision ${event.revision}: ${problem}`);
        this.take(event);
        changed = true;
      }
      if (page.length < PAGE) return changed;
    }
  }

  coverage(): CheckpointCoverage {
    return {
      events: this.events.toString(),
      lastEventId: this.lastEventId,
      positionHint: this.lastCoveredPosition.toString(),
    };
  }

  summary(): { events: string; position: string; streams: number; merkleRoot: string } {
    return {
      events: this.events.toString(),
      position: this.lastCoveredPosition.toString(),
      streams: this.heads.size,
      merkleRoot: this.heads.root(),
    };
  }

  private take(event: RecordedEvent): void {
    this.heads.set(event.streamName, event.revision, integrityOf(event.metadata)?.hash ?? '');
    this.events++;
    this.lastEventId = event.id.toLowerCase();
    this.lastCoveredPosition = event.position;
  }

  /** Takes in events, unchecked (the checkpoint's signature vouches for them), until `done` says one is not covered. */
  private async readUntil(
    store: EventStore,
    done: (event: RecordedEvent, eventsTaken: bigint) => boolean,
  ): Promise<void> {
    for (;;) {
      const page = await store.readAll({ after: this.readPosition, maxCount: PAGE });
      for (const event of page) {
        if (event.streamName === CHECKPOINT_STREAM) {
          this.readPosition = event.position;
          continue;
        }
        if (done(event, this.events)) return;
        this.take(event);
        this.readPosition = event.position;
      }
      if (page.length < PAGE) return;
    }
  }

  private matchV2(checkpoint: CheckpointV2Data): void {
    const covered = BigInt(checkpoint.covered.events);
    if (this.events < covered)
      throw new CheckpointRefusedError(
        `the last checkpoint covers ${covered} events and the log holds ${this.events}: covered events were removed`,
      );
    const expectedId = checkpoint.covered.lastEventId?.toLowerCase() ?? null;
    if (this.lastEventId !== expectedId)
      throw new CheckpointRefusedError('the last covered event is not the one the last checkpoint names');
    if (this.heads.size !== checkpoint.streams.count || this.heads.root() !== checkpoint.streams.merkleRoot)
      throw new CheckpointRefusedError(
        'the stream heads recomputed from the log do not match the last checkpoint: covered history was rewritten',
      );
  }

  private matchV1(checkpoint: CheckpointV1Data): void {
    const listed = Object.entries(checkpoint.streams);
    let same = listed.length === this.heads.size;
    for (const [name, head] of listed) {
      const found = this.heads.get(name);
      if (!same || !found || found.revision.toString() !== head.revision || found.hash !== head.hash) {
        same = false;
        break;
      }
    }
    if (!same)
      throw new CheckpointRefusedError(
        'the stream heads recomputed from the log do not match the last checkpoint: covered history was rewritten',
      );
  }
}

function extensionProblem(
  event: RecordedEvent,
  head: { revision: bigint; hash: string } | undefined,
): string | undefined {
  const integrity = integrityOf(event.metadata);
  if (integrity === undefined) return 'the event has no integrity hash';
  const expected = head === undefined ? 0n : head.revision + 1n;
  if (event.revision !== expected) return `expected revision ${expected} after the signed head`;
  if ((integrity.previousHash ?? null) !== (head?.hash ?? null))
    return 'it does not chain to the head the last checkpoint signed';
  if (!hashMatches(event.streamName, event.revision, event.type, event.data, event.metadata as Record<string, unknown>))
    return 'its integrity hash does not match its content';
  return undefined;
}

import { randomUUID } from 'node:crypto';
import { StreamNotFoundError, type EventStore, type RecordedEvent } from '@keyledger/event-store';
import {
  appendChained,
  integrityOf,
  SCHEDULER_ACTOR,
  type Actor,
  type AppendAttempt,
  type Clock,
  type EventMetadata,
} from '@keyledger/ledger';
import {
  CHECKPOINT_EVENT_TYPE,
  CHECKPOINT_STREAM,
  checkpointSignatureStatus,
  isCheckpointData,
  signCheckpointV2,
  type CheckpointV2Body,
} from './checkpoint-format.js';
import type { CheckpointKeys } from './checkpoint-keys.js';
import { ChainState, CheckpointRefusedError } from './chain-state.js';

export { CheckpointRefusedError } from './chain-state.js';

export interface CheckpointWriteOptions {
  actor?: Actor;
  requestId?: string;
  /** Write nothing when no event was appended since the last checkpoint (for the periodic writer). */
  onlyIfChanged?: boolean;
  /**
   * Sign the first checkpoint of a ledger that has events but no checkpoint
   * stream: an operator's explicit decision for a ledger from before genesis
   * checkpoints (its whole chain is checked first). Never for the periodic writer:
   * without a checkpoint stream, events mean the stream was deleted.
   */
  adoptUncheckpointed?: boolean;
}

export interface CheckpointWritten {
  /** Events covered (the checkpoint stream's own left out), a decimal string. */
  events: string;
  /** Global position of the last covered event in this store: a hint. */
  position: string;
  streams: number;
  merkleRoot: string;
  /** The integrity hash of the checkpoint event: what `keyledger verify --expect` takes. */
  checkpointHash?: string;
  /** False when onlyIfChanged found nothing new. */
  written?: boolean;
}

/**
 * Signed checkpoints over every stream head (a Merkle root, see MerkleHeads),
 * each naming the one before. A checkpoint is signed only over a chain that
 * extends the last signed one: the heads it signed are recomputed and compared
 * with its root, and every event since must chain to its stream's head and
 * hash to its own hash. Anything else (a rewrite under a checkpoint, a deleted
 * or forged checkpoint stream) is refused with CheckpointRefusedError, and
 * nothing is written.
 *
 * The heads are kept in memory between writes, so a write reads only what is
 * new; the first write of a process (or after another process checkpointed)
 * reads the log once from the start.
 */
export class LedgerCheckpoints {
  private cache: { basedOnEventId: string; chain: ChainState } | undefined;
  /** The checkpoint stream's head as this process last signed it: the stream must never go back. */
  private signed: { revision: bigint; id: string } | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly keys: CheckpointKeys,
    private readonly clock: Clock,
  ) {}

  /** The checkpoint a new ledger starts with, so that "events but no checkpoint" always means damage. */
  async writeGenesis(options: CheckpointWriteOptions = {}): Promise<CheckpointWritten | undefined> {
    const [first] = await this.store.readAll({ after: 'start', maxCount: 1 });
    if (first !== undefined) return undefined;
    return this.write(options);
  }

  async write(options: CheckpointWriteOptions = {}): Promise<CheckpointWritten> {
    try {
      // A lost race (another writer checkpointed first) plans again and builds on theirs.
      return await appendChained(this.store, CHECKPOINT_STREAM, (attempt) => this.plan(attempt, options));
    } catch (error) {
      this.cache = undefined;
      throw error;
    }
  }

  private async plan(attempt: number, options: CheckpointWriteOptions): Promise<AppendAttempt<CheckpointWritten>> {
    if (attempt > 0) this.cache = undefined;
    const last = await this.lastCheckpoint();
    this.checkNotRolledBack(last);
    const cached = last !== undefined && this.cache?.basedOnEventId === last.id.toLowerCase();
    const chain = cached ? this.cache!.chain : await this.chainUnder(last, options);
    this.cache = undefined;
    const changed = await chain.extend(this.store);
    const lastHash = last ? (integrityOf(last.metadata)?.hash ?? null) : null;
    if (options.onlyIfChanged && last && !changed) {
      this.cache = { basedOnEventId: last.id.toLowerCase(), chain };
      return { answer: { ...chain.summary(), checkpointHash: lastHash ?? undefined, written: false } };
    }
    const body: CheckpointV2Body = {
      format: 2,
      time: this.clock.now().toISOString(),
      covered: chain.coverage(),
      streams: { count: chain.heads.size, merkleRoot: chain.heads.root() },
      previousCheckpointHash: lastHash,
    };
    const data = signCheckpointV2(body, this.keys);
    const metadata: EventMetadata = {
      actor: options.actor ?? SCHEDULER_ACTOR,
      requestId: options.requestId ?? randomUUID(),
      time: body.time,
    };
    const id = randomUUID();
    return {
      append: {
        head: { revision: last ? last.revision : 'no_stream', lastHash },
        events: [{ id, type: CHECKPOINT_EVENT_TYPE, data }],
        metadata: metadata as Record<string, unknown>,
      },
      onAppended: (appended) => {
        this.cache = { basedOnEventId: id.toLowerCase(), chain };
        this.signed = { revision: appended.revision, id };
        return { ...chain.summary(), checkpointHash: appended.lastHash, written: true };
      },
    };
  }

  /** The heads the last checkpoint signed, recomputed from the log and held to its signature. */
  private async chainUnder(last: RecordedEvent | undefined, options: CheckpointWriteOptions): Promise<ChainState> {
    if (last === undefined) {
      const [first] = await this.store.readAll({ after: 'start', maxCount: 1 });
      if (first !== undefined && !options.adoptUncheckpointed)
        throw new CheckpointRefusedError(
          'the ledger has events but no checkpoint stream: it was deleted, or the ledger predates genesis checkpoints',
        );
      return new ChainState();
    }
    if (last.type !== CHECKPOINT_EVENT_TYPE || !isCheckpointData(last.data))
      throw new CheckpointRefusedError('the last checkpoint is malformed');
    if (checkpointSignatureStatus(last.data, this.keys) !== 'valid')
      throw new CheckpointRefusedError('the last checkpoint is not signed with this ledger’s checkpoint key');
    return ChainState.under(this.store, last.data);
  }

  private checkNotRolledBack(last: RecordedEvent | undefined): void {
    const signed = this.signed;
    if (signed === undefined) return;
    if (
      last === undefined ||
      last.revision < signed.revision ||
      (last.revision === signed.revision && last.id.toLowerCase() !== signed.id.toLowerCase())
    )
      throw new CheckpointRefusedError(
        `the checkpoint stream lost checkpoint revision ${signed.revision}, which this process signed`,
      );
  }

  private async lastCheckpoint(): Promise<RecordedEvent | undefined> {
    try {
      const [last] = await this.store.readStream(CHECKPOINT_STREAM, { direction: 'backwards', maxCount: 1 });
      return last;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    }
  }
}

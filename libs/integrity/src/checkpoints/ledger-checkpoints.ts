import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  NO_STREAM,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type EventStore,
  type JsonObject,
  type RecordedEvent,
} from '@keyledger/event-store';
import {
  canonicalJson,
  integrityOf,
  SCHEDULER_ACTOR,
  withIntegrity,
  type Actor,
  type EventMetadata,
  type Clock,
} from '@keyledger/ledger';

export const CHECKPOINT_STREAM = 'ledger-checkpoints';
export const CHECKPOINT_EVENT_TYPE = 'LedgerCheckpointed';
/** checkpointKey = rootKey.deriveKey(checkpointKeyPurpose) */
export const checkpointKeyPurpose = 'keyledger/ledger-checkpoint/v1';

export interface StreamHead {
  /** bigint as a decimal string */
  revision: string;
  hash: string;
}

export interface CheckpointBody {
  time: string;
  /** Global position of the last event covered (decimal string; "0" for an empty ledger). */
  position: string;
  streams: Record<string, StreamHead>;
  /** Integrity hash of the checkpoint event before this one; null for the first. */
  previousCheckpointHash: string | null;
}

export interface CheckpointData extends CheckpointBody {
  /** HMAC-SHA256, hex, over canonicalJson(CheckpointBody), keyed with the checkpoint key. */
  signature: string;
}

export function signCheckpoint(body: CheckpointBody, checkpointKey: Buffer): string {
  const { time, position, streams, previousCheckpointHash } = body;
  return createHmac('sha256', checkpointKey)
    .update(canonicalJson({ time, position, streams, previousCheckpointHash }))
    .digest('hex');
}

export function checkpointSignatureValid(data: unknown, checkpointKey: Buffer): boolean {
  if (!isCheckpointData(data)) return false;
  const expected = Buffer.from(signCheckpoint(data, checkpointKey), 'hex');
  const given = Buffer.from(data.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function isCheckpointData(data: unknown): data is CheckpointData {
  const d = data as Partial<CheckpointData> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.time === 'string' &&
    typeof d.position === 'string' &&
    /^\d+$/.test(d.position) &&
    typeof d.streams === 'object' &&
    d.streams !== null &&
    (d.previousCheckpointHash === null || typeof d.previousCheckpointHash === 'string') &&
    typeof d.signature === 'string' &&
    /^[0-9a-f]{64}$/.test(d.signature)
  );
}

const PAGE = 4096;
const MAX_ATTEMPTS = 5;

export interface CheckpointWriteOptions {
  actor?: Actor;
  requestId?: string;
  /** Write nothing when no event was appended since the last checkpoint (for the periodic writer). */
  onlyIfChanged?: boolean;
}

export interface CheckpointWritten {
  position: string;
  streams: number;
  /** False when onlyIfChanged found nothing new. */
  written?: boolean;
}

/**
 * Signed checkpoints over every stream head. The heads are carried forward
 * from the last checkpoint (its signature checked first, so a forged one is
 * never built on) plus the events since, so a write reads only what is new.
 * Checkpoints form a chain: each names the integrity hash of the one before,
 * and the checkpoint stream has its own hash chain like every stream.
 *
 * The heads of every stream are in each checkpoint: simple to verify, but the
 * event grows with the number of streams (~100 bytes each).
 */
export class LedgerCheckpoints {
  /** Heads as of `coveredPosition`, valid while the checkpoint stream's head is `basedOnEventId`. */
  private cache: { basedOnEventId: string; heads: Map<string, StreamHead>; coveredPosition: bigint } | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly checkpointKey: Buffer,
    private readonly clock: Clock,
  ) {}

  async write(options: CheckpointWriteOptions = {}): Promise<CheckpointWritten> {
    for (let attempt = 0; ; attempt++) {
      const last = await this.lastCheckpoint();
      let heads: Map<string, StreamHead>;
      let covered: bigint;
      if (last && this.cache?.basedOnEventId === last.id) {
        heads = new Map(this.cache.heads);
        covered = this.cache.coveredPosition;
      } else if (last && checkpointSignatureValid(last.data, this.checkpointKey)) {
        const data = last.data as unknown as CheckpointData;
        heads = new Map(Object.entries(data.streams));
        covered = BigInt(data.position);
      } else {
        // No checkpoint yet, or one that does not verify: take nothing from it.
        heads = new Map();
        covered = 0n;
      }
      let after: bigint | 'start' = covered === 0n ? 'start' : covered;
      let changed = false;
      for (;;) {
        const page = await this.store.readAll({ after, maxCount: PAGE });
        for (const event of page) {
          if (event.streamName === CHECKPOINT_STREAM) continue;
          const hash = integrityOf(event.metadata)?.hash;
          heads.set(event.streamName, { revision: event.revision.toString(), hash: hash ?? '' });
          covered = event.position;
          changed = true;
        }
        if (page.length < PAGE) break;
        after = page[page.length - 1]!.position;
      }
      if (options.onlyIfChanged && last && !changed) {
        this.cache = { basedOnEventId: last.id, heads, coveredPosition: covered };
        return { position: covered.toString(), streams: heads.size, written: false };
      }

      const previousCheckpointHash = last ? (integrityOf(last.metadata)?.hash ?? null) : null;
      const streams: Record<string, StreamHead> = {};
      for (const name of [...heads.keys()].sort()) streams[name] = heads.get(name)!;
      const body: CheckpointBody = {
        time: this.clock.now().toISOString(),
        position: covered.toString(),
        streams,
        previousCheckpointHash,
      };
      const data: CheckpointData = { ...body, signature: signCheckpoint(body, this.checkpointKey) };
      const metadata: EventMetadata = {
        actor: options.actor ?? SCHEDULER_ACTOR,
        requestId: options.requestId ?? randomUUID(),
        time: body.time,
      };
      const revision = last ? last.revision + 1n : 0n;
      const chained = withIntegrity(
        {
          streamName: CHECKPOINT_STREAM,
          revision,
          type: CHECKPOINT_EVENT_TYPE,
          data,
          metadata: metadata as Record<string, unknown>,
        },
        previousCheckpointHash,
      );
      const id = randomUUID();
      try {
        await this.store.appendToStream(
          CHECKPOINT_STREAM,
          [{ id, type: CHECKPOINT_EVENT_TYPE, data: data as unknown as JsonObject, metadata: chained as JsonObject }],
          { expectedRevision: last ? last.revision : NO_STREAM },
        );
      } catch (error) {
        // Another writer checkpointed first: build on theirs.
        if (error instanceof WrongExpectedVersionError && attempt + 1 < MAX_ATTEMPTS) continue;
        throw error;
      }
      this.cache = { basedOnEventId: id, heads, coveredPosition: covered };
      return { position: body.position, streams: heads.size, written: true };
    }
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

import {
  StreamNotFoundError,
  type EventStore,
  type EventToAppend,
  type JsonObject,
  type RecordedEvent,
} from '@keyledger/event-store';
import {
  CHECKPOINT_STREAM,
  CheckpointTranslator,
  isCheckpointV1,
  isCheckpointV2,
  type CheckpointData,
  type CheckpointEventCopy,
  type CheckpointKeys,
} from '@keyledger/integrity';
import { integrityOf } from '@keyledger/ledger';
import { CliFailure } from '../cli-errors.js';

/** An event copied as it is. */
export const asAppended = ({ id, type, data, metadata }: RecordedEvent): EventToAppend => ({
  id,
  type,
  data,
  metadata,
});

async function readWholeStream(store: EventStore, streamName: string): Promise<RecordedEvent[]> {
  try {
    return await store.readStream(streamName);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

/** The source position a checkpoint names: what v1 is held to, and v2's hint. */
function positionNamedBy(data: CheckpointData): bigint {
  return BigInt(isCheckpointV2(data) ? data.covered.positionHint : data.position);
}

/**
 * v1 checkpoints (older ledgers) name a global position of the store that wrote
 * them, and positions are engine-specific. Copied as they are into another
 * engine, verify could not hold them to the chain and the writer could not
 * extend them. Migration holds the root key, so it rewrites the checkpoint
 * stream instead: each checkpoint's position becomes the target's position of
 * the same event, re-signed, and the stream re-chained (CheckpointTranslator).
 * What each checkpoint covers (every head, the Merkle root) is unchanged, so
 * verify on the target is as strong as on the source.
 *
 * To learn a target position, every event a checkpoint names ends its append
 * (the append answers the position of its last event), and appends go one at a
 * time: a checkpoint is translated only once the events it names are in.
 */
export class CheckpointRewrite {
  private readonly targetPositions = new Map<bigint, bigint>();
  private translator: CheckpointTranslator;
  rewritten = 0;

  private constructor(
    private readonly keys: CheckpointKeys,
    private readonly referenced: ReadonlySet<bigint>,
  ) {
    this.translator = new CheckpointTranslator(keys);
  }

  /** Undefined when the checkpoints can be copied as they are (same engine, or only v2 ones). */
  static async plan(
    source: EventStore,
    target: EventStore,
    openKeys: () => CheckpointKeys,
  ): Promise<CheckpointRewrite | undefined> {
    const [from, to] = await Promise.all([source.storeIdentity(), target.storeIdentity()]);
    if (from.engine === to.engine) return undefined;
    const checkpoints = await readWholeStream(source, CHECKPOINT_STREAM);
    if (!checkpoints.some((event) => isCheckpointV1(event.data))) return undefined;
    let keys: CheckpointKeys | undefined;
    let why = 'it holds no v1 checkpoint key';
    try {
      keys = openKeys();
    } catch (error) {
      why = error instanceof Error ? error.message : String(error);
    }
    if (keys?.macKey === undefined) {
      throw new CliFailure(
        `the source ledger has v1 checkpoints, which name positions of the ${from.engine} store; migrating them ` +
          `into ${to.engine} means re-signing them with the root key, which could not be used (${why}). ` +
          'Nothing was written.',
      );
    }
    const referenced = new Set<bigint>();
    for (const event of checkpoints) {
      const position = positionNamedBy(event.data as unknown as CheckpointData);
      if (position !== 0n) referenced.add(position);
    }
    return new CheckpointRewrite(keys, referenced);
  }

  /** Cuts runs so that every event a checkpoint names is the last of its append. */
  cutAtNamedEvents(runs: RecordedEvent[][]): RecordedEvent[][] {
    const cut: RecordedEvent[][] = [];
    for (const run of runs) {
      let start = 0;
      run.forEach((event, i) => {
        if (this.referenced.has(event.position) && i < run.length - 1) {
          cut.push(run.slice(start, i + 1));
          start = i + 1;
        }
      });
      cut.push(run.slice(start));
    }
    return cut;
  }

  /** What to append for a run: checkpoint events translated, all others as they are. */
  toAppend(run: RecordedEvent[]): EventToAppend[] {
    if (run[0]?.streamName !== CHECKPOINT_STREAM) return run.map(asAppended);
    return run.map((event) => {
      const body = this.translator.translate(event as unknown as CheckpointEventCopy, (p) => this.targetPositionOf(p));
      this.rewritten++;
      return {
        id: event.id,
        type: event.type,
        data: body.data as unknown as JsonObject,
        metadata: body.metadata as JsonObject,
      };
    });
  }

  /** A run is in the target; its last event sits at `position` there. */
  appended(run: RecordedEvent[], position: bigint): void {
    const last = run.at(-1);
    if (last && this.referenced.has(last.position)) this.targetPositions.set(last.position, position);
  }

  /** An event found already copied (a resumed run): what later checkpoints need from it. */
  alreadyCopied(source: RecordedEvent, target: RecordedEvent): void {
    if (this.referenced.has(source.position)) this.targetPositions.set(source.position, target.position);
    if (target.streamName === CHECKPOINT_STREAM) {
      this.translator = new CheckpointTranslator(this.keys, integrityOf(target.metadata)?.hash ?? null);
      this.rewritten++;
    }
  }

  /**
   * A resumed migration: the source and target from their starts, side by side,
   * up to where the last run got. Both hold those events in the same order.
   */
  async replayCopied(source: EventStore, target: EventStore, upTo: bigint, pageSize: number): Promise<void> {
    let sourceAfter: bigint | 'start' = 'start';
    let targetAfter: bigint | 'start' = 'start';
    for (;;) {
      const pages: [RecordedEvent[], RecordedEvent[]] = await Promise.all([
        source.readAll({ after: sourceAfter, maxCount: pageSize }),
        target.readAll({ after: targetAfter, maxCount: pageSize }),
      ]);
      const [fromSource, fromTarget] = pages;
      for (const [i, s] of fromSource.entries()) {
        const t: RecordedEvent | undefined = fromTarget[i];
        if (s.position > upTo) return;
        if (!t) return;
        this.alreadyCopied(s, t);
        sourceAfter = s.position;
        targetAfter = t.position;
      }
      if (fromSource.length < pageSize) return;
    }
  }

  private targetPositionOf(sourcePosition: bigint): bigint {
    const position = this.targetPositions.get(sourcePosition);
    if (position === undefined) {
      throw new CliFailure(
        `a checkpoint of the source names position ${sourcePosition}, which is not the position of an event ` +
          'copied before it: the source ledger is damaged. Run `keyledger verify` on it.',
      );
    }
    return position;
  }
}

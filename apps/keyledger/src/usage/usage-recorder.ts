import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  StreamNotFoundError,
  type EventStore,
  type ReadStreamOptions,
  type RecordedEvent,
} from '@keyledger/event-store';
import { KmsError, parseRequest, toKmsError } from '@keyledger/kms-api';
import { lastUseAt, LastUseIndex } from '@keyledger/read-models';
import {
  appendChained,
  isTrackedOperation,
  integrityOf,
  usageStream,
  USAGE_TRACKING_STREAM,
  type UsageTrackingStarted,
  type Clock,
  type KeyLastUsage,
  type TrackedOperation,
} from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, EVENT_STORE } from '../infrastructure/tokens.js';
import { UsageAggregator, type KeyUsageBatch } from './usage-aggregator.js';
import { keysUsed, keyTried } from './usage-observations.js';
import type { RequestContext } from '../ledger/request-context.js';
import { refIn, scopeIn } from '../regions/request-region.js';

/** The actor of usage batches: Keyledger writes them; each aggregate names the principal who used the key. */
const USAGE_ACTOR = { principal: 'keyledger:usage', accessKeyId: null, sourceAddress: null };

/**
 * Records every cryptographic use and refusal off the request path: the request adds one count in
 * memory, and every `usageFlushMs` (and at shutdown) the counts are appended, one hash-chained batch
 * per key's usage stream. A crash loses at most one interval of usage, never a key operation.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Usage');
  private readonly aggregator = new UsageAggregator();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
    private readonly lastUses: LastUseIndex,
  ) {}

  /** Since when this ledger records usage; keys made before were tracked from this time, not their creation. */
  private trackingSince = new Date(0);
  /** Set while this process is the first to record usage on the ledger: written with the first flush. */
  private trackingToRecord: Date | undefined;

  async onModuleInit(): Promise<void> {
    // Only read here: the start is appended with the first flush, after the server's own start-up
    // writes (a new ledger's genesis checkpoint comes first).
    const [first] = await this.read(USAGE_TRACKING_STREAM, { maxCount: 1 });
    if (first !== undefined) this.trackingSince = new Date((first.data as UsageTrackingStarted['data']).startedAt);
    else this.trackingSince = this.trackingToRecord = this.clock.now();
    if (this.config.usageFlushMs > 0) {
      this.timer = setInterval(() => void this.flush(), this.config.usageFlushMs);
      this.timer.unref();
    }
  }

  get trackingStartedAt(): Date {
    return this.trackingSince;
  }

  /** Appends the ledger's UsageTrackingStarted once, unless another process wrote one first (then its time counts). */
  private async recordTrackingStart(startedAt: Date): Promise<void> {
    this.trackingSince = await appendChained<Date>(this.store, USAGE_TRACKING_STREAM, async () => {
      const [again] = await this.read(USAGE_TRACKING_STREAM, { maxCount: 1 });
      if (again !== undefined) return { answer: new Date((again.data as UsageTrackingStarted['data']).startedAt) };
      return {
        append: {
          head: { revision: 'no_stream', lastHash: null },
          events: [{ type: 'UsageTrackingStarted', data: { startedAt: startedAt.toISOString() } }],
          metadata: { actor: USAGE_ACTOR, requestId: randomUUID(), time: startedAt.toISOString() },
        },
        onAppended: () => startedAt,
      };
    });
    this.trackingToRecord = undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /** A tracked operation answered: each key it used is counted for the caller. */
  succeeded(operation: string, output: Record<string, unknown>, context: RequestContext): void {
    if (!this.config.usageRecording) return;
    for (const used of keysUsed(operation, output)) this.record(operation, used, context);
  }

  /** A tracked operation refused an authenticated caller: counted against the key it named, with the error type. */
  refused(operation: string, input: Record<string, unknown>, errorCode: string, context: RequestContext): void {
    if (!this.config.usageRecording) return;
    const tried = keyTried(operation, input, scopeIn(this.config, context.region));
    if (tried !== undefined) this.record(operation, tried, context, errorCode);
  }

  /**
   * The edge refused an authenticated caller before the request was parsed (its role may not call the
   * operation): the body is parsed here, only for a refusal, to tell which key was tried.
   */
  refusedAtEdge(operation: string, body: Buffer, error: unknown, context: RequestContext): void {
    if (!this.config.usageRecording || !isTrackedOperation(operation)) return;
    const refusal = toKmsError(error);
    if (!KmsError.is(refusal)) return;
    let input: Record<string, unknown>;
    try {
      input = parseRequest(operation, body).input as Record<string, unknown>;
    } catch {
      return; // A body that does not parse names no key to count the refusal against.
    }
    this.refused(operation, input, refusal.type, context);
  }

  private record(
    operation: string,
    key: { keyId: string; keyMaterialId: string | null },
    context: RequestContext,
    errorCode?: string,
  ): void {
    this.aggregator.record({
      region: context.region,
      keyId: key.keyId,
      keyMaterialId: key.keyMaterialId,
      principal: context.actor.principal,
      operation: operation as TrackedOperation,
      at: this.clock.now().getTime(),
      requestId: context.requestId,
      sourceAddress: context.actor.sourceAddress,
      errorCode,
    });
  }

  /** Appends what was counted since the last flush; a batch that fails is kept for the next one. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.appendPending());
    return this.flushing;
  }

  /**
   * The regional key's last successful use: the newer of this process's own (counted, maybe not flushed yet)
   * and the ledger's, which the projection keeps for every key (read from its usage stream once if not known).
   */
  async lastUse(keyId: string, region: string): Promise<KeyLastUsage | undefined> {
    const own = this.aggregator.lastUse(keyId, region);
    const ref = refIn(this.config, region, keyId);
    const logged = await lastUseAt(this.store, this.lastUses, ref, Number.POSITIVE_INFINITY);
    if (logged === null || (own !== undefined && Date.parse(own.at) >= Date.parse(logged.at))) return own;
    return { operation: logged.operation as TrackedOperation, at: logged.at, requestId: logged.requestId };
  }

  /** A stream's events; none for a stream never written (a key never used, a ledger new to usage). */
  private async read(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    try {
      return await this.store.readStream(streamName, options);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  private async appendPending(): Promise<void> {
    const batches = this.aggregator.drain();
    if (batches.length === 0) return;
    if (this.trackingToRecord !== undefined) {
      try {
        await this.recordTrackingStart(this.trackingToRecord);
      } catch (error) {
        for (const batch of batches) this.aggregator.restore(batch.events);
        this.logger.warn(`usage tracking start not appended yet (${(error as Error).name}); kept for the next flush`);
        return;
      }
    }
    const time = this.clock.now().toISOString();
    await Promise.all(
      batches.map(async (batch) => {
        try {
          await this.appendBatch(batch, time);
        } catch (error) {
          this.aggregator.restore(batch.events);
          this.logger.warn(
            `usage of key ${batch.keyId} in ${batch.region} not appended yet (${(error as Error).name}); ` +
              'kept for the next flush',
          );
        }
      }),
    );
  }

  /** One regional key's batch, on its own usage stream (a home-region key's keeps the name it always had). */
  private appendBatch({ region, keyId, events }: KeyUsageBatch, time: string): Promise<void> {
    const streamName = usageStream(refIn(this.config, region, keyId));
    return appendChained(this.store, streamName, async () => {
      const [head] = await this.read(streamName, { direction: 'backwards', maxCount: 1 });
      return {
        append: {
          head: head
            ? { revision: head.revision, lastHash: integrityOf(head.metadata)?.hash ?? null }
            : { revision: 'no_stream', lastHash: null },
          events: events.map((event) => ({ type: event.type, data: event.data })),
          metadata: { actor: USAGE_ACTOR, requestId: randomUUID(), time },
        },
        onAppended: () => undefined,
      };
    });
  }
}

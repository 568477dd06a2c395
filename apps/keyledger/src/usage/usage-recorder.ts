import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EventStore } from '@keyledger/event-store';
import {
  appendChained,
  integrityOf,
  lastUsageAfter,
  usageStream,
  type Clock,
  type KeyLastUsage,
  type KeyUsageEvent,
} from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, EVENT_STORE } from '../infrastructure/tokens.js';
import { UsageAggregator, type UsageObservation } from './usage-aggregator.js';

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
  ) {}

  onModuleInit(): void {
    if (this.config.usageFlushMs > 0) {
      this.timer = setInterval(() => void this.flush(), this.config.usageFlushMs);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  record(use: Omit<UsageObservation, 'at' | 'region'>): void {
    this.aggregator.record({ ...use, at: this.clock.now(), region: this.config.region });
  }

  /** Appends what was counted since the last flush; a batch that fails is kept for the next one. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.appendPending());
    return this.flushing;
  }

  /** The key's last successful use: this process's own first, else the ledger's. */
  async lastUse(keyId: string): Promise<KeyLastUsage | undefined> {
    const known = this.aggregator.lastUse(keyId);
    if (known !== undefined) return known;
    let last: KeyLastUsage | undefined;
    for (const event of await this.store.readStream(usageStream(keyId)))
      last = lastUsageAfter(last, event as unknown as KeyUsageEvent);
    if (last !== undefined) this.aggregator.rememberLastUse(keyId, last);
    return last;
  }

  private async appendPending(): Promise<void> {
    const byKey = this.aggregator.drain();
    if (byKey.size === 0) return;
    const time = this.clock.now().toISOString();
    await Promise.all(
      [...byKey].map(async ([keyId, events]) => {
        try {
          await this.appendBatch(keyId, events, time);
        } catch (error) {
          this.aggregator.restore(events);
          this.logger.warn(
            `usage of key ${keyId} not appended yet (${(error as Error).name}); kept for the next flush`,
          );
        }
      }),
    );
  }

  private appendBatch(keyId: string, events: KeyUsageEvent[], time: string): Promise<void> {
    const streamName = usageStream(keyId);
    return appendChained(this.store, streamName, async () => {
      const [head] = await this.store.readStream(streamName, { direction: 'backwards', maxCount: 1 });
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

import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { StreamNotFoundError, type EventStore, type RecordedEvent } from '@keyledger/event-store';
import {
  appendChained,
  decideDirectory,
  evolveDirectory,
  initialDirectoryState,
  integrityOf,
  PRINCIPALS_STREAM,
  type Clock,
  type DirectoryEntry,
  type EventMetadata,
  type PrincipalDirectoryChanged,
} from '@keyledger/ledger';
import { principalArn, type PrincipalDirectory } from '@keyledger/kms-api';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, EVENT_STORE, PRINCIPALS } from '../infrastructure/tokens.js';

/** Who records the directory: Keyledger itself, at start. */
const STARTUP_ACTOR = { principal: 'keyledger:startup', accessKeyId: null, sourceAddress: null };

/**
 * The principals file is configuration, its changes are history: at start, when the directory differs
 * from the last one recorded, a PrincipalDirectoryChanged goes on the `principals` stream (names, ARNs,
 * access key ids, roles; never a secret). The last event holds the whole directory, so one event read
 * backwards is the state and the head of the hash chain.
 */
@Injectable()
export class PrincipalDirectoryRecorder implements OnApplicationBootstrap {
  private readonly logger = new Logger('Principals');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PRINCIPALS) private readonly directory: PrincipalDirectory,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.record()) this.logger.log('principal directory changed since the last start: recorded');
  }

  entries(): DirectoryEntry[] {
    return this.directory.list().map((p) => ({
      name: p.name,
      arn: principalArn(p, this.config.accountId),
      accessKeyIds: [p.accessKeyId],
      role: p.role,
      policy: p.policy ?? null,
    }));
  }

  /** Whether a change was recorded. */
  async record(): Promise<boolean> {
    return appendChained<boolean>(this.store, PRINCIPALS_STREAM, async () => {
      let last: RecordedEvent | undefined;
      try {
        [last] = await this.store.readStream(PRINCIPALS_STREAM, { direction: 'backwards', maxCount: 1 });
      } catch (error) {
        if (!(error instanceof StreamNotFoundError)) throw error;
      }
      const state =
        last === undefined
          ? initialDirectoryState()
          : evolveDirectory(initialDirectoryState(), {
              type: last.type,
              data: last.data,
            } as unknown as PrincipalDirectoryChanged);
      const now = this.clock.now();
      const events = decideDirectory(state, this.entries(), now);
      if (events.length === 0) return { answer: false };
      const metadata: EventMetadata = { actor: STARTUP_ACTOR, requestId: randomUUID(), time: now.toISOString() };
      return {
        append: {
          head:
            last === undefined
              ? { revision: 'no_stream', lastHash: null }
              : {
                  revision: last.revision,
                  lastHash: integrityOf(last.metadata as Record<string, unknown>)?.hash ?? null,
                },
          events: events as unknown as Array<{ type: string; data: object }>,
          metadata: metadata as unknown as Record<string, unknown>,
        },
        onAppended: () => true,
      };
    });
  }
}

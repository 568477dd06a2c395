import { Inject, Injectable } from '@nestjs/common';
import { NO_STREAM, StreamNotFoundError, type EventStore, type RecordedEvent } from '@keyledger/event-store';
import {
  appendChained,
  DomainError,
  aliasStreamName,
  evolveAlias,
  evolveKey,
  initialAliasState,
  initialKeyState,
  integrityOf,
  keyStreamName,
  type AliasAggregate,
  type Actor,
  type AliasEvent,
  type BackingKey,
  type ChainHead,
  type Clock,
  type Decision,
  type EventMetadata,
  type KeyAggregate,
  type KeyEvent,
} from '@keyledger/ledger';
import { KeyStateCache, type Versioned } from './key-state-cache.js';
import { CLOCK, EVENT_STORE } from './tokens.js';

/** The events that record a backing key's sealed form (a replica's arrive from its primary). */
const SEALING_EVENTS: ReadonlySet<string> = new Set([
  'KeyMaterialGenerated',
  'KeyMaterialImported',
  'KeyMaterialArrived',
]);
const NO_HEAD: ChainHead = { revision: NO_STREAM, lastHash: null };
const settled = (): void => undefined;

/** Who is asking, as recorded in each appended event's metadata (the edge's request context has more). */
export interface AppendContext {
  actor: Actor;
  requestId: string;
}

export interface Outcome<S, E> {
  state: S;
  events: E[];
  revision: bigint;
}

interface StreamKind<S, E extends { type: string; data: object }> {
  streamName(id: string): string;
  initial(): S;
  evolve(state: S, event: E): S;
  cached(cache: KeyStateCache, id: string): Versioned<S> | undefined;
  remember(cache: KeyStateCache, id: string, versioned: Versioned<S>): void;
  applied(cache: KeyStateCache, id: string, events: E[], firstRevision: bigint, lastHash: string | null): void;
}

const keyKind: StreamKind<KeyAggregate, KeyEvent> = {
  streamName: keyStreamName,
  initial: initialKeyState,
  evolve: evolveKey,
  cached: (cache, id) => cache.key(id),
  remember: (cache, id, v) => cache.setKey(id, v),
  applied: (cache, id, events, first, hash) => cache.applyKeyEvents(id, events, first, hash),
};

const aliasKind: StreamKind<AliasAggregate, AliasEvent> = {
  streamName: aliasStreamName,
  initial: initialAliasState,
  evolve: evolveAlias,
  cached: (cache, id) => cache.alias(id),
  remember: (cache, id, v) => cache.setAlias(id, v),
  applied: (cache, id, events, first, hash) => cache.applyAliasEvents(id, events, first, hash),
};

/**
 * Load a stream, decide, append with the loaded revision as the expected one,
 * and on a lost race decide again on fresh state, a bounded number of times.
 * The first attempt trusts the KeyStateCache (exact as of its revision; a stale one
 * simply loses the race); retries replay the stream from the store.
 */
@Injectable()
export class LedgerRepository {
  /** Per stream, the last command queued on it: the next one starts when it has settled. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cache: KeyStateCache,
  ) {}

  loadKey(keyId: string, fresh = false): Promise<Versioned<KeyAggregate> | undefined> {
    return this.load(keyKind, keyId, fresh);
  }

  loadAlias(aliasName: string, fresh = false): Promise<Versioned<AliasAggregate> | undefined> {
    return this.load(aliasKind, aliasName, fresh);
  }

  /**
   * The sealed form of a backing key, from the event that recorded it (folds
   * do not carry it); undefined when no event records that sealing.
   */
  async sealedMaterial(
    keyId: string,
    backing: Pick<BackingKey, 'keyMaterialId' | 'shredKeyId'>,
  ): Promise<string | undefined> {
    const data = await this.materialEvent(keyId, backing);
    return typeof data?.sealedMaterial === 'string' ? data.sealedMaterial : undefined;
  }

  /** A key pair's public key (base64 DER SPKI), recorded in the clear beside its sealed private key. */
  async publicKey(
    keyId: string,
    backing: Pick<BackingKey, 'keyMaterialId' | 'shredKeyId'>,
  ): Promise<string | undefined> {
    const data = await this.materialEvent(keyId, backing);
    return typeof data?.publicKey === 'string' ? data.publicKey : undefined;
  }

  private async materialEvent(
    keyId: string,
    backing: Pick<BackingKey, 'keyMaterialId' | 'shredKeyId'>,
  ): Promise<{ sealedMaterial?: unknown; publicKey?: unknown } | undefined> {
    let events: RecordedEvent[];
    try {
      events = await this.store.readStream(keyStreamName(keyId), { direction: 'backwards' });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    }
    for (const event of events) {
      if (!SEALING_EVENTS.has(event.type)) continue;
      const data = event.data as { keyMaterialId?: unknown; shredKeyId?: unknown; sealedMaterial?: unknown };
      if (data.keyMaterialId === backing.keyMaterialId && data.shredKeyId === backing.shredKeyId) return data;
    }
    return undefined;
  }

  /** `expectNew`: the stream was just named (a fresh key id), so the first attempt need not read it. */
  decideOnKey(
    keyId: string,
    decide: (key: KeyAggregate) => Decision<KeyEvent>,
    context: AppendContext,
    options: { expectNew?: boolean } = {},
  ): Promise<Outcome<KeyAggregate, KeyEvent>> {
    return this.run(keyKind, keyId, decide, context, options.expectNew === true);
  }

  /**
   * A command that reads more of a key's stream than its lifecycle (who may use it: policy, grants) folds
   * the stream its own way. Such commands are rare, so the fold is replayed from the store each time; the
   * cache still learns the appended events, which the lifecycle fold passes by.
   */
  decideOnKeyStream<S, E extends { type: string; data: object }>(
    keyId: string,
    fold: { initial(): S; evolve(state: S, event: E): S },
    decide: (state: S) => Decision<E>,
    context: AppendContext,
  ): Promise<Outcome<S, E>> {
    const kind: StreamKind<S, E> = {
      streamName: keyStreamName,
      initial: fold.initial,
      evolve: fold.evolve,
      cached: () => undefined,
      remember: settled,
      applied: (cache, id, events, first, hash) =>
        cache.applyKeyEvents(id, events as unknown as KeyEvent[], first, hash),
    };
    return this.run(kind, keyId, decide, context);
  }

  decideOnAlias(
    aliasName: string,
    decide: (alias: AliasAggregate) => Decision<AliasEvent>,
    context: AppendContext,
  ): Promise<Outcome<AliasAggregate, AliasEvent>> {
    return this.run(aliasKind, aliasName, decide, context);
  }

  private async load<S, E extends { type: string; data: object }>(
    kind: StreamKind<S, E>,
    id: string,
    fresh: boolean,
  ): Promise<Versioned<S> | undefined> {
    if (!fresh) {
      const cached = kind.cached(this.cache, id);
      if (cached) return cached;
    }
    try {
      const recorded = await this.store.readStream(kind.streamName(id));
      let state = kind.initial();
      for (const event of recorded) state = kind.evolve(state, { type: event.type, data: event.data } as unknown as E);
      const last = recorded.at(-1);
      if (last === undefined) return undefined;
      const versioned = { state, revision: last.revision, lastHash: integrityOf(last.metadata)?.hash ?? null };
      kind.remember(this.cache, id, versioned);
      return versioned;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * Commands on one stream run one after another inside this process, so they never
   * race each other: a lost race now means another writer (another server, the CLI),
   * which the bounded retry of appendChained absorbs.
   */
  private run<S, E extends { type: string; data: object }>(
    kind: StreamKind<S, E>,
    id: string,
    decide: (state: S) => Decision<E>,
    context: AppendContext,
    expectNew = false,
  ): Promise<Outcome<S, E>> {
    const streamName = kind.streamName(id);
    const before = this.queues.get(streamName);
    const work = () => this.decideAndAppend(kind, id, streamName, decide, context, expectNew);
    const run = before ? before.then(work, work) : work();
    const tail = run.then(settled, settled);
    this.queues.set(streamName, tail);
    void tail.then(() => {
      if (this.queues.get(streamName) === tail) this.queues.delete(streamName);
    });
    return run;
  }

  private decideAndAppend<S, E extends { type: string; data: object }>(
    kind: StreamKind<S, E>,
    id: string,
    streamName: string,
    decide: (state: S) => Decision<E>,
    context: AppendContext,
    expectNew: boolean,
  ): Promise<Outcome<S, E>> {
    return appendChained<Outcome<S, E>>(this.store, streamName, async (attempt) => {
      // A lost NO_STREAM race means the stream exists after all: the retry reads it.
      const loaded = expectNew && attempt === 0 ? undefined : await this.load(kind, id, attempt > 0);
      const state = loaded ? loaded.state : kind.initial();
      const decision = decide(state);
      if (decision instanceof DomainError) throw decision;
      if (decision.length === 0) return { answer: { state, events: [], revision: loaded ? loaded.revision : -1n } };
      const now = this.clock.now();
      return {
        append: {
          head: loaded ? { revision: loaded.revision, lastHash: loaded.lastHash } : NO_HEAD,
          events: decision,
          metadata: this.metadata(context, now),
        },
        onAppended: (appended) => {
          kind.applied(this.cache, id, decision, appended.firstRevision, appended.lastHash);
          return { state: decision.reduce(kind.evolve, state), events: decision, revision: appended.revision };
        },
      };
    });
  }

  private metadata(context: AppendContext, now: Date): Record<string, unknown> {
    const metadata: EventMetadata = {
      actor: context.actor,
      requestId: context.requestId,
      time: now.toISOString(),
    };
    return metadata;
  }
}

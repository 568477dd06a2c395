import type { RecordedEvent } from '@keyledger/event-store';
import {
  integrityOf,
  ALIAS_STREAM_PREFIX,
  keyIdOfStream,
  evolveAlias,
  evolveKey,
  initialAliasState,
  initialKeyState,
  type AliasAggregate,
  type AliasEvent,
  type KeyAggregate,
  type KeyEvent,
} from '@keyledger/ledger';

export interface Versioned<S> {
  state: S;
  /** The stream revision `state` is exact as of. */
  revision: bigint;
  /** The integrity hash of the stream's last event: the next event chains to it. */
  lastHash: string | null;
}

export interface KeyStateCacheContents {
  keys: Array<[string, Versioned<KeyAggregate>]>;
  aliases: Array<[string, Versioned<AliasAggregate>]>;
  keyOrder: string[];
}

/**
 * The write side's cache of current state: every key and alias, folded from
 * their streams and exact as of a known revision per stream. Decisions start
 * from it (the repository's first attempt trusts it; a stale entry only costs
 * a lost race and a fresh read) and Decrypt replays from it: a ciphertext
 * names its key and backing key, and the key's folded stream says whether that
 * backing key may be used. Fed by the store subscription, and by the
 * repository right after its own appends so a change is honoured by the very
 * next request this process serves.
 */
export class KeyStateCache {
  private readonly keys = new Map<string, Versioned<KeyAggregate>>();
  private readonly aliases = new Map<string, Versioned<AliasAggregate>>();
  /** Key id -> alias names pointing at it, for ListAliases and reports. */
  private readonly aliasesByKey = new Map<string, Set<string>>();
  /** Key ids in creation order: ListKeys pages over it. */
  private readonly keyOrder: string[] = [];
  private readonly keysSeen = new Set<string>();

  /** Everything the cache holds, for a snapshot; `restore` takes it back. */
  contents(): KeyStateCacheContents {
    return { keys: [...this.keys], aliases: [...this.aliases], keyOrder: [...this.keyOrder] };
  }

  /** Replaces whatever the cache holds with a snapshot's contents. */
  restore(contents: KeyStateCacheContents): void {
    this.keys.clear();
    this.aliases.clear();
    this.aliasesByKey.clear();
    this.keysSeen.clear();
    this.keyOrder.length = 0;
    for (const keyId of contents.keyOrder) this.remember(keyId);
    for (const [keyId, entry] of contents.keys) this.keys.set(keyId, entry);
    for (const [name, entry] of contents.aliases) {
      this.aliases.set(name, entry);
      this.indexAlias(name, null, entry.state.targetKeyId);
    }
  }

  key(keyId: string): Versioned<KeyAggregate> | undefined {
    return this.keys.get(keyId);
  }

  alias(aliasName: string): Versioned<AliasAggregate> | undefined {
    return this.aliases.get(aliasName);
  }

  keyIds(): readonly string[] {
    return this.keyOrder;
  }

  aliasNames(): string[] {
    return [...this.aliases.keys()].filter((name) => this.aliases.get(name)!.state.exists).sort();
  }

  aliasesOf(keyId: string): string[] {
    return [...(this.aliasesByKey.get(keyId) ?? [])].sort();
  }

  get keyCount(): number {
    return this.keys.size;
  }

  /** Applies one recorded event from any stream, in log order; ignores streams it does not model. */
  applyRecorded(event: RecordedEvent): void {
    const stream = event.streamName;
    const keyId = keyIdOfStream(stream);
    if (keyId !== undefined) {
      this.foldKey(keyId, [event as unknown as KeyEvent], event.revision, integrityOf(event.metadata)?.hash ?? null);
    } else if (stream.startsWith(ALIAS_STREAM_PREFIX)) {
      const aliasName = stream.slice(ALIAS_STREAM_PREFIX.length);
      this.foldAlias(
        aliasName,
        [event as unknown as AliasEvent],
        event.revision,
        integrityOf(event.metadata)?.hash ?? null,
      );
    }
  }

  /**
   * The repository's own events, just appended: the first has revision
   * `firstRevision`, the last has integrity hash `lastHash`. Events the cache
   * already has are skipped; a gap means the cache missed something, so the
   * entry is dropped and the next read replays the stream from the store.
   */
  applyKeyEvents(keyId: string, events: readonly KeyEvent[], firstRevision: bigint, lastHash: string | null): void {
    this.foldKey(keyId, events, firstRevision, lastHash);
  }

  applyAliasEvents(
    aliasName: string,
    events: readonly AliasEvent[],
    firstRevision: bigint,
    lastHash: string | null,
  ): void {
    this.foldAlias(aliasName, events, firstRevision, lastHash);
  }

  private foldKey(keyId: string, events: readonly KeyEvent[], firstRevision: bigint, lastHash: string | null): void {
    const entry = this.keys.get(keyId);
    const next = advance(entry, events, firstRevision, lastHash, evolveKey, initialKeyState);
    if (next === GAP) {
      this.keys.delete(keyId);
    } else if (next !== entry) {
      this.remember(keyId);
      this.keys.set(keyId, next!);
    }
  }

  private foldAlias(
    aliasName: string,
    events: readonly AliasEvent[],
    firstRevision: bigint,
    lastHash: string | null,
  ): void {
    const entry = this.aliases.get(aliasName);
    const next = advance(entry, events, firstRevision, lastHash, evolveAlias, initialAliasState);
    if (next === GAP) {
      this.forgetAlias(aliasName);
    } else if (next !== entry) {
      this.aliases.set(aliasName, next!);
      this.indexAlias(aliasName, entry?.state.targetKeyId ?? null, next!.state.targetKeyId);
    }
  }

  /** Replaces a key's entry with state replayed from its whole stream. */
  setKey(keyId: string, versioned: Versioned<KeyAggregate>): void {
    const current = this.keys.get(keyId);
    if (current && current.revision >= versioned.revision) return;
    if (!current) this.remember(keyId);
    this.keys.set(keyId, versioned);
  }

  setAlias(aliasName: string, versioned: Versioned<AliasAggregate>): void {
    const current = this.aliases.get(aliasName);
    if (current && current.revision >= versioned.revision) return;
    this.aliases.set(aliasName, versioned);
    this.indexAlias(aliasName, current?.state.targetKeyId ?? null, versioned.state.targetKeyId);
  }

  private remember(keyId: string): void {
    if (this.keysSeen.has(keyId)) return;
    this.keysSeen.add(keyId);
    this.keyOrder.push(keyId);
  }

  private forgetAlias(aliasName: string): void {
    const entry = this.aliases.get(aliasName);
    if (entry?.state.targetKeyId) this.aliasesByKey.get(entry.state.targetKeyId)?.delete(aliasName);
    this.aliases.delete(aliasName);
  }

  private indexAlias(aliasName: string, from: string | null, to: string | null): void {
    if (from === to) return;
    if (from) this.aliasesByKey.get(from)?.delete(aliasName);
    if (to) {
      let names = this.aliasesByKey.get(to);
      if (!names) this.aliasesByKey.set(to, (names = new Set()));
      names.add(aliasName);
    }
  }
}

const GAP = Symbol('gap');

/** Folds the events the entry does not have yet onto it; GAP when one is missing before them. */
function advance<S, E extends { type: string; data: unknown }>(
  entry: Versioned<S> | undefined,
  events: readonly E[],
  firstRevision: bigint,
  lastHash: string | null,
  evolve: (state: S, event: E) => S,
  initial: () => S,
): Versioned<S> | undefined | typeof GAP {
  const lastRevision = firstRevision + BigInt(events.length - 1);
  let current = entry;
  let revision = firstRevision;
  for (const event of events) {
    const known = current ? current.revision : -1n;
    if (revision > known) {
      if (revision !== known + 1n) return GAP;
      // Only type and data reach evolve: a recorded event carries more than the domain needs.
      const state = evolve(current ? current.state : initial(), { type: event.type, data: event.data } as E);
      current = { state, revision, lastHash: revision === lastRevision ? lastHash : null };
    }
    revision++;
  }
  return current;
}

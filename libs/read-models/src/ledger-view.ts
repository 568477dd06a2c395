import type { RecordedEvent } from '@keyledger/event-store';
import {
  integrityOf,
  ALIAS_STREAM_PREFIX,
  KEY_STREAM_PREFIX,
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

/**
 * Current state of every key and alias, folded from their streams and exact as
 * of a known revision per stream. It is what Decrypt replays from: a ciphertext
 * names its key and backing key, and the key's folded stream says whether that
 * backing key may be used. Fed by the store subscription, and by command
 * handlers right after their own appends so a change is honoured by the very
 * next request this process serves.
 */
export class LedgerView {
  private readonly keys = new Map<string, Versioned<KeyAggregate>>();
  private readonly aliases = new Map<string, Versioned<AliasAggregate>>();
  /** Key id -> alias names pointing at it, for ListAliases and reports. */
  private readonly aliasesByKey = new Map<string, Set<string>>();
  /** Key ids in creation order: ListKeys pages over it. */
  private readonly keyOrder: string[] = [];
  private readonly keysSeen = new Set<string>();

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

  /** Applies one recorded event from any stream; ignores streams it does not model. */
  applyRecorded(event: RecordedEvent): void {
    const stream = event.streamName;
    if (stream.startsWith(KEY_STREAM_PREFIX)) {
      const hash = integrityOf(event.metadata)?.hash ?? null;
      this.applyKeyEvents(stream.slice(KEY_STREAM_PREFIX.length), [event as unknown as KeyEvent], event.revision, hash);
    } else if (stream.startsWith(ALIAS_STREAM_PREFIX)) {
      const hash = integrityOf(event.metadata)?.hash ?? null;
      this.applyAliasEvents(stream.slice(ALIAS_STREAM_PREFIX.length), [event as unknown as AliasEvent], event.revision, hash);
    }
  }

  /**
   * Applies `events` whose first has revision `firstRevision` and whose last
   * has integrity hash `lastHash`. Events the view
   * already has are skipped; a gap means the view missed something, so the
   * entry is dropped and the next read replays the stream from the store.
   */
  applyKeyEvents(keyId: string, events: readonly KeyEvent[], firstRevision: bigint, lastHash: string | null): void {
    let entry = this.keys.get(keyId);
    let revision = firstRevision;
    for (const event of events) {
      const known = entry ? entry.revision : -1n;
      if (revision <= known) {
        revision++;
        continue;
      }
      if (revision !== known + 1n) {
        this.keys.delete(keyId);
        return;
      }
      const state = evolveKey(entry ? entry.state : initialKeyState(), { type: event.type, data: event.data } as KeyEvent);
      if (!entry) this.remember(keyId);
      entry = { state, revision, lastHash: revision === firstRevision + BigInt(events.length - 1) ? lastHash : null };
      this.keys.set(keyId, entry);
      revision++;
    }
  }

  applyAliasEvents(aliasName: string, events: readonly AliasEvent[], firstRevision: bigint, lastHash: string | null): void {
    let entry = this.aliases.get(aliasName);
    let revision = firstRevision;
    for (const event of events) {
      const known = entry ? entry.revision : -1n;
      if (revision <= known) {
        revision++;
        continue;
      }
      if (revision !== known + 1n) {
        this.forgetAlias(aliasName);
        return;
      }
      const before = entry?.state.targetKeyId ?? null;
      const state = evolveAlias(entry ? entry.state : initialAliasState(), { type: event.type, data: event.data } as AliasEvent);
      entry = { state, revision, lastHash: revision === firstRevision + BigInt(events.length - 1) ? lastHash : null };
      this.aliases.set(aliasName, entry);
      this.indexAlias(aliasName, before, state.targetKeyId);
      revision++;
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

import { Inject, Injectable } from '@nestjs/common';
import { StreamNotFoundError, type EventStore } from '@keyledger/event-store';
import {
  evolveKeyAccess,
  initialKeyAccess,
  KEY_ACCESS_EVENT_TYPES,
  keyStreamName,
  type KeyAccess,
  type KeyAccessEvent,
  type KeyEvent,
} from '@keyledger/ledger';
import { EVENT_STORE } from '../infrastructure/tokens.js';

interface Entry {
  /** The revision of the last event folded; -1n before any. */
  revision: bigint;
  access: KeyAccess;
}

/** The events the access fold reads; the rest of a key's stream passes by. */
const FOLDED: ReadonlySet<string> = new Set<string>(['KeyCreated', 'KeyDeleted', ...KEY_ACCESS_EVENT_TYPES]);

/**
 * Who may use each key (policy in force and active grants), exact as of the key's stream revision the
 * request loaded. An entry only ever moves forward, by the events after the revision it holds, so a policy
 * is compiled once, when the event that set it is folded, and a request on an unchanged key reads a Map.
 */
@Injectable()
export class KeyAccessCache {
  private readonly entries = new Map<string, Entry>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async accessAt(keyId: string, revision: bigint): Promise<KeyAccess> {
    let entry = this.entries.get(keyId);
    if (entry !== undefined && entry.revision >= revision) {
      // A request that loaded an older revision while another moved the entry on: read it from the start.
      if (entry.revision === revision) return entry.access;
      return (await this.fold(keyId, { revision: -1n, access: initialKeyAccess() }, revision)).access;
    }
    entry = await this.fold(keyId, entry ?? { revision: -1n, access: initialKeyAccess() }, revision);
    this.entries.set(keyId, entry);
    return entry.access;
  }

  private async fold(keyId: string, from: Entry, revision: bigint): Promise<Entry> {
    let events;
    try {
      events = await this.store.readStream(keyStreamName(keyId), {
        fromRevision: from.revision + 1n,
        maxCount: Number(revision - from.revision),
      });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return from;
      throw error;
    }
    let access = from.access;
    let last = from.revision;
    for (const event of events) {
      if (event.revision > revision) break;
      if (FOLDED.has(event.type)) {
        access = evolveKeyAccess(access, { type: event.type, data: event.data } as unknown as
          KeyEvent | KeyAccessEvent);
      }
      last = event.revision;
    }
    return { revision: last, access };
  }
}

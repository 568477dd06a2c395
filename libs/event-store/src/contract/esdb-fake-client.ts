import { randomUUID } from 'node:crypto';
import {
  AccessDeniedError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { Position } from '@eventstore/db-client';

/**
 * An in-memory double of the 6.2.1 client, for the contract suite and the
 * adapter's own tests, since no EventStoreDB server can run on these machines.
 * It follows the server's documented behaviour, each rule with its source:
 *
 * - Positions are byte offsets in the transaction log: sparse, and opaque to
 *   the port (the adapter must not compute on them).
 * - Every event of an append, one or many, has its own log position as both
 *   commit and prepare position; they differ only for explicit (TCP-only)
 *   transactions (EventStore/EventStore#3989). An append answers with its last
 *   event's position (EventStore-Client-Go#88).
 * - readAll starts AT its position (inclusive) and is unfiltered: system
 *   events are in it. subscribeToAll starts AFTER its position and takes a
 *   server-side filter. A position that is not a record boundary of the log
 *   is refused with an unknown error (the server's answer, issue 20).
 * - An append larger than MaxAppendSize (1,048,576 bytes by default) is
 *   refused whole with MaxAppendSizeExceeded.
 * - Re-sending the same event ids at the same expected revision is an
 *   idempotent retry: success with nothing written. Ids come back lower case.
 * - A soft-deleted stream reads as not found, and NO_STREAM then succeeds
 *   with revisions continuing after the old last one; a tombstoned stream
 *   refuses every append with StreamDeleted.
 * - Without per-call credentials, 6.2.1 sends an append through its batch
 *   path (streams/appendToStream/index.js), whose stream error crashes the
 *   process: this double refuses that call outright.
 * - Connection faults surface as the client surfaces them: UNAVAILABLE for a
 *   refused or unresolvable endpoint, UNKNOWN for an endpoint that is not
 *   EventStoreDB, a raw gRPC error (code 14) during an append, a read that
 *   never answers for a black-holed address (reads have no deadline in 6.2.1).
 *   Under a black hole the unary calls (append, stream metadata) do not
 *   answer either, until the client is disposed: 6.2.1's own deadline for them
 *   (10 s by default) is longer than any caller here waits.
 */

export const MAX_APPEND_SIZE = 1_048_576;

export interface StoredEvent {
  streamId: string;
  id: string;
  type: string;
  revision: bigint;
  created: Date;
  data: unknown;
  metadata: unknown;
  isJson: true;
  position: Position;
}

export type Fault = 'refused' | 'not-eventstoredb' | 'access-denied' | 'black-hole' | 'raw-unavailable';

type Live = { push(): void };

const grpcError = (code: number, details: string, map: Record<string, string> = {}) =>
  Object.assign(new Error(`${code} ${details}`), {
    code,
    details,
    metadata: { getMap: () => map },
  }) as never;

export class FakeEsdbClient {
  readonly log: StoredEvent[] = [];
  private nextPosition = 4096n;
  private appends = 0;
  private readonly live = new Set<Live>();
  private readonly truncatedBefore = new Map<string, bigint>();
  private readonly tombstoned = new Set<string>();
  /** Fault injection: the next live subscriptions fail after delivering this many events. */
  dropAfter: number[] = [];
  /** Fault injection: every call fails (or never answers) as this fault does. */
  fault: Fault | undefined;
  /** Fault injection: the next this-many appends are answered by a follower naming the leader. */
  notLeaderAppends = 0;
  subscribeCalls: (Position | typeof START)[] = [];
  /** Every call made, by name: a test can count attempts. */
  readonly calls: string[] = [];

  private failIfFaulty(call: string): void {
    this.calls.push(call);
    switch (this.fault) {
      case 'refused':
        throw new UnavailableError(grpcError(14, 'No connection established. Last error: connect ECONNREFUSED'));
      case 'not-eventstoredb':
        throw new UnknownError(grpcError(2, 'Received HTTP status code 404'));
      case 'access-denied':
        throw new AccessDeniedError(grpcError(7, 'Access denied'));
      case 'raw-unavailable':
        throw grpcError(14, 'connect ECONNREFUSED 127.0.0.1:2113');
      default:
    }
  }

  private write(streamId: string, type: string, id: string, data: unknown, metadata: unknown, revision: bigint) {
    const position = { commit: this.nextPosition, prepare: this.nextPosition };
    this.nextPosition += 97n + BigInt(JSON.stringify(data).length);
    const event: StoredEvent = {
      streamId,
      id: id.toLowerCase(),
      type,
      revision,
      created: new Date(),
      data,
      metadata,
      isJson: true,
      position,
    };
    this.log.push(event);
    return event;
  }

  private visible(streamName: string): StoredEvent[] {
    const before = this.truncatedBefore.get(streamName) ?? -1n;
    return this.log.filter((e) => e.streamId === streamName && e.revision >= before);
  }

  private current(streamName: string): bigint | 'no_stream' {
    let last: bigint | 'no_stream' = 'no_stream';
    for (const e of this.log) if (e.streamId === streamName) last = e.revision;
    // A soft-deleted stream with nothing after the deletion counts as absent.
    if (last !== 'no_stream' && this.visible(streamName).length === 0) return 'no_stream';
    return last;
  }

  private isBoundary(position: Position): boolean {
    if (position.commit === this.nextPosition && position.prepare === this.nextPosition) return true;
    return this.log.some((e) => e.position.commit === position.commit && e.position.prepare === position.prepare);
  }

  /** As an administrator's soft delete does: the stream's events are hidden, its revisions go on. */
  deleteStream(streamName: string): void {
    const last = this.current(streamName);
    if (last !== 'no_stream') this.truncatedBefore.set(streamName, last + 1n);
  }

  tombstoneStream(streamName: string): void {
    this.tombstoned.add(streamName);
  }

  async getStreamMetadata(streamName: string) {
    this.failIfFaulty('getStreamMetadata');
    await this.blackHole();
    if (this.tombstoned.has(streamName)) throw StreamDeletedError.fromStreamName(streamName);
    const truncateBefore = this.truncatedBefore.get(streamName);
    return truncateBefore === undefined
      ? { streamName }
      : { streamName, metadata: { truncateBefore: Number(truncateBefore) }, metastreamRevision: 0n };
  }

  async appendToStream(
    streamName: string,
    input:
      | { id: string; type: string; data: unknown; metadata?: unknown }
      | { id: string; type: string; data: unknown; metadata?: unknown }[],
    options: { expectedRevision?: unknown; credentials?: unknown } = {},
  ) {
    this.failIfFaulty('appendToStream');
    await this.blackHole();
    if (!options.credentials) {
      throw new Error('FakeEsdbClient: an append without per-call credentials takes 6.2.1 batch-append path');
    }
    if (this.notLeaderAppends > 0) {
      this.notLeaderAppends--;
      throw new NotLeaderError(
        grpcError(5, 'Leader info available', { 'leader-endpoint-host': 'leader', 'leader-endpoint-port': '2113' }),
      );
    }
    if (this.tombstoned.has(streamName)) throw StreamDeletedError.fromStreamName(streamName);
    const events = Array.isArray(input) ? input : [input];
    const size = events.reduce(
      (sum, e) => sum + Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(e.metadata ?? {})),
      0,
    );
    if (size > MAX_APPEND_SIZE) throw MaxAppendSizeExceededError.fromMaxAppendSize(MAX_APPEND_SIZE);
    const expected = (options.expectedRevision ?? 'any') as bigint | 'any' | 'no_stream' | 'stream_exists';
    const current = this.current(streamName);
    const conflict =
      expected === 'no_stream'
        ? current !== 'no_stream'
        : expected === 'stream_exists'
          ? current === 'no_stream'
          : expected === 'any'
            ? false
            : current !== expected;
    if (conflict) {
      const again = this.sameAppendAgain(streamName, events, expected);
      if (again) return again;
      throw new WrongExpectedVersionError(undefined, { streamName, expected, current });
    }
    let revision = current === 'no_stream' ? (this.truncatedBefore.get(streamName) ?? 0n) - 1n : current;
    let last: StoredEvent | undefined;
    for (const e of events) last = this.write(streamName, e.type, e.id, e.data, e.metadata, ++revision);
    // Interleave system events as a real server does, so the adapter must filter them.
    if (++this.appends % 3 === 0) this.write('$stats-127.0.0.1:2113', '$statsCollected', randomUUID(), {}, {}, 0n);
    for (const l of this.live) l.push();
    return { success: true, nextExpectedRevision: revision, position: last!.position };
  }

  private sameAppendAgain(streamName: string, events: { id: string }[], expected: unknown) {
    if (expected !== 'no_stream' && typeof expected !== 'bigint') return undefined;
    const from = expected === 'no_stream' ? 0n : expected + 1n;
    const stored = this.log.filter((e) => e.streamId === streamName && e.revision >= from).slice(0, events.length);
    if (stored.length !== events.length || stored.some((e, i) => e.id !== events[i]!.id.toLowerCase()))
      return undefined;
    const last = stored[stored.length - 1]!;
    return { success: true, nextExpectedRevision: last.revision, position: last.position };
  }

  readStream(
    streamName: string,
    options: { direction?: string; fromRevision?: bigint | 'start' | 'end'; maxCount?: number | bigint } = {},
  ) {
    return this.readable('readStream', () => {
      const events = this.visible(streamName);
      if (events.length === 0) throw new StreamNotFoundError(undefined, streamName);
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision ?? (backwards ? 'end' : 'start');
      const selected = backwards
        ? events.filter((e) => from === 'end' || (from !== 'start' ? e.revision <= from : e.revision <= 0n)).reverse()
        : events.filter((e) => from === 'start' || (from !== 'end' ? e.revision >= from : false));
      return selected.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
    });
  }

  readAll(options: { fromPosition?: Position | 'start' | 'end'; maxCount?: number | bigint } = {}) {
    return this.readable('readAll', () => {
      const from = options.fromPosition ?? 'start';
      if (from !== 'start' && from !== 'end' && !this.isBoundary(from)) {
        throw new UnknownError(grpcError(2, 'Exception was thrown by handler.'));
      }
      // Inclusive of fromPosition, like the server.
      return this.log
        .filter((e) => from === 'start' || (from !== 'end' && e.position.commit >= from.commit))
        .slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
    });
  }

  /** A read as the client's ReadStream: async iterable, cancellable; a black hole never answers. */
  private readable(call: string, select: () => StoredEvent[]) {
    let cancelled!: () => void;
    const cancel = new Promise<void>((resolve) => (cancelled = resolve));
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const client = this;
    async function* iterate() {
      client.failIfFaulty(call);
      if (client.fault === 'black-hole') {
        await cancel;
        return;
      }
      for (const event of select()) yield { event, commitPosition: event.position.commit };
    }
    const iterator = iterate();
    return {
      [Symbol.asyncIterator]: () => iterator,
      cancel: async () => cancelled(),
      destroy: () => cancelled(),
    };
  }

  subscribeToAll(options: { fromPosition?: Position | 'start'; filter?: { regex?: string; filterOn?: string } } = {}) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const client = this;
    this.subscribeCalls.push(options.fromPosition ?? START);
    const dropAfter = this.dropAfter.shift();
    let wake: (() => void) | undefined;
    let ended = false;
    const from = options.fromPosition === 'start' || !options.fromPosition ? undefined : options.fromPosition;
    const regex = options.filter?.regex ? new RegExp(options.filter.regex) : undefined;
    const live: Live = { push: () => wake?.() };
    this.live.add(live);
    const end = () => {
      ended = true;
      client.live.delete(live);
      wake?.();
    };
    async function* iterate() {
      let delivered = 0;
      let cursor = from;
      try {
        client.failIfFaulty('subscribeToAll');
        if (cursor && !client.isBoundary(cursor))
          throw new UnknownError(grpcError(2, 'Exception was thrown by handler.'));
        while (!ended) {
          // Exclusive of fromPosition, like the server.
          const next = client.log.find(
            (e) =>
              (!cursor || e.position.commit > cursor.commit) &&
              (!regex || regex.test(options.filter?.filterOn === 'streamName' ? e.streamId : e.type)),
          );
          if (!next) {
            await new Promise<void>((resolve) => (wake = resolve));
            continue;
          }
          if (dropAfter !== undefined && delivered === dropAfter) throw new UnavailableError(undefined as never);
          cursor = next.position;
          delivered++;
          yield { event: next, commitPosition: next.position.commit };
        }
      } finally {
        end();
      }
    }
    const iterator = iterate();
    return {
      [Symbol.asyncIterator]: () => iterator,
      unsubscribe: async () => end(),
      destroy: () => end(),
    };
  }

  async dispose(): Promise<void> {
    this.disposed();
  }

  private disposed: () => void = () => undefined;
  private readonly disposal = new Promise<void>((resolve) => (this.disposed = resolve));

  /** A unary call to a black-holed address: no answer, until the client gives up at its disposal. */
  private async blackHole(): Promise<void> {
    if (this.fault !== 'black-hole') return;
    await this.disposal;
    throw new UnavailableError(grpcError(14, 'Client disposed while the call was pending'));
  }
}

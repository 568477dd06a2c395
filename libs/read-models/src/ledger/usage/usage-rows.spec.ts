import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type JsonObject } from '@keyledger/event-store';
import { usageStream } from '@keyledger/ledger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countedReads } from '../../testing/counted-reads.js';
import { FLUSH_CLOCK_SKEW_MS, lastSuccessfulUse, usageIn } from './usage-rows.js';

const KEY = '11111111-2222-4333-8444-555555555555';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

let dir: string;
let store: SqliteEventStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-usage-rows-'));
  store = new SqliteEventStore(join(dir, 'ledger.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Use {
  at: number;
  until?: number;
  operation?: string;
  errorCode?: string;
  requestId?: string;
  count?: number;
}

const event = (use: Use) => ({
  type: use.errorCode === undefined ? 'KeyUsageRecorded' : 'KeyUsageRefused',
  data: {
    region: 'us-east-1',
    keyId: KEY,
    keyMaterialId: 'a'.repeat(64),
    principal: 'arn:aws:iam::111122223333:user/app',
    operation: use.operation ?? 'Decrypt',
    minute: iso(use.at - (use.at % 60_000)),
    count: use.count ?? 1,
    firstAt: iso(use.at),
    lastAt: iso(use.until ?? use.at),
    lastRequestId: use.requestId ?? `r-${use.at}`,
    sourceAddresses: [],
    ...(use.errorCode === undefined ? {} : { errorCode: use.errorCode }),
  } as JsonObject,
});

/** One flush: a batch appended with the flush's time. */
const flushed = (at: number, uses: Use[]) =>
  store.appendToStream(
    usageStream(KEY),
    uses.map((use) => ({ ...event(use), metadata: { time: iso(at) } })),
  );

describe('usage rows of a window', () => {
  it('returns the aggregates overlapping the window, oldest first, a refusal with its error type', async () => {
    await flushed(T0 + DAY, [{ at: T0 + DAY - 1000 }]);
    await flushed(T0 + 10 * DAY, [
      { at: T0 + 10 * DAY - 30_000, until: T0 + 10 * DAY - 1000 },
      { at: T0 + 10 * DAY - 500, errorCode: 'DisabledException' },
    ]);
    await flushed(T0 + 20 * DAY, [{ at: T0 + 20 * DAY - 1000 }]);
    const rows = await usageIn(store, KEY, { from: T0 + 10 * DAY - 10_000, to: T0 + 15 * DAY });
    // The first aggregate began before `from` but its last use is inside: it counts.
    expect(rows.map((r) => [r.firstAt, r.errorCode])).toEqual([
      [iso(T0 + 10 * DAY - 30_000), null],
      [iso(T0 + 10 * DAY - 500), 'DisabledException'],
    ]);
    expect(await usageIn(store, KEY, { from: T0 + 10 * DAY, to: T0 + 10 * DAY })).toEqual([]);
  });

  it('stops at the first batch flushed before the window: uses precede their flush', async () => {
    // A batch claiming uses after its own flush cannot happen; it shows where the reading stopped.
    await flushed(T0, [{ at: T0 + 5 * DAY }]);
    await flushed(T0 + 5 * DAY + FLUSH_CLOCK_SKEW_MS, [{ at: T0 + 5 * DAY + 1 }]);
    const rows = await usageIn(store, KEY, { from: T0 + 5 * DAY, to: T0 + 6 * DAY });
    expect(rows.map((r) => r.firstAt)).toEqual([iso(T0 + 5 * DAY + 1)]);
  });

  it('reads a stream longer than one page back to its first event', async () => {
    const uses = Array.from({ length: 5000 }, (_, i) => ({ at: T0 + i * 1000 }));
    await flushed(T0 + 5000 * 1000, uses);
    const rows = await usageIn(store, KEY, { from: T0, to: T0 + DAY });
    expect(rows).toHaveLength(5000);
    expect(rows[0]!.firstAt).toBe(iso(T0));
    expect(rows[4999]!.firstAt).toBe(iso(T0 + 4999 * 1000));
  });

  it('reads nothing for a key never used', async () => {
    expect(await usageIn(store, KEY, { from: 0, to: T0 })).toEqual([]);
    expect(await lastSuccessfulUse(store, KEY, T0)).toBeNull();
  });
});

describe('the last successful use', () => {
  it('is the latest success, not a later refusal, even when an older batch was appended later', async () => {
    await flushed(T0 + 2 * DAY, [{ at: T0 + 2 * DAY - 1000, operation: 'Encrypt', requestId: 'newest' }]);
    // A batch that failed once and was appended on the next flush: older uses, later in the stream.
    await flushed(T0 + 2 * DAY + 10_000, [{ at: T0 + 2 * DAY - 50_000, operation: 'Decrypt' }]);
    await flushed(T0 + 3 * DAY, [{ at: T0 + 3 * DAY - 1000, errorCode: 'AccessDeniedException' }]);
    expect(await lastSuccessfulUse(store, KEY, T0 + 4 * DAY)).toMatchObject({
      operation: 'Encrypt',
      requestId: 'newest',
      at: iso(T0 + 2 * DAY - 1000),
    });
  });

  it('leaves out uses after the time asked about', async () => {
    await flushed(T0 + DAY, [{ at: T0 + DAY - 1000, requestId: 'early' }]);
    await flushed(T0 + 2 * DAY, [{ at: T0 + 2 * DAY - 1000, requestId: 'late' }]);
    expect((await lastSuccessfulUse(store, KEY, T0 + DAY))?.requestId).toBe('early');
  });

  it('stops once no older batch could hold a later use', async () => {
    await flushed(T0, [{ at: T0 + 9 * DAY, requestId: 'impossible' }]);
    await flushed(T0 + 2 * DAY, [{ at: T0 + 2 * DAY - 1000, requestId: 'real' }]);
    expect((await lastSuccessfulUse(store, KEY, T0 + 10 * DAY))?.requestId).toBe('real');
  });

  it("reads a few events of a hot key's stream, not the whole of it, and still finds a use further back", async () => {
    // An hour's batch for 30 days, then a week of refusals only: the last success is 168 batches back.
    for (let h = 0; h < 30 * 24; h++) await flushed(T0 + (h + 1) * 3_600_000, [{ at: T0 + h * 3_600_000 + 1000 }]);
    const { store: seen, read } = countedReads(store);
    expect((await lastSuccessfulUse(seen, KEY, T0 + 31 * DAY))?.at).toBe(iso(T0 + (30 * 24 - 1) * 3_600_000 + 1000));
    expect(read.get(usageStream(KEY))).toBeLessThan(20);
    const refusedFrom = T0 + 30 * DAY;
    for (let h = 0; h < 7 * 24; h++)
      await flushed(refusedFrom + (h + 1) * 3_600_000, [
        { at: refusedFrom + h * 3_600_000 + 1000, errorCode: 'AccessDeniedException' },
      ]);
    read.clear();
    expect((await lastSuccessfulUse(seen, KEY, T0 + 40 * DAY))?.at).toBe(iso(T0 + (30 * 24 - 1) * 3_600_000 + 1000));
    const events = read.get(usageStream(KEY)) ?? 0;
    expect(events).toBeGreaterThan(7 * 24);
    expect(events).toBeLessThan(30 * 24 + 7 * 24);
  });
});

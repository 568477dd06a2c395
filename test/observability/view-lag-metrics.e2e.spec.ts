import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { join } from 'node:path';
import { SqliteEventStore, type JsonObject } from '@keyledger/event-store';
import { integrityOf, withIntegrity } from '@keyledger/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyledger, type Harness } from '../support/keyledger-harness.js';

async function gauge(h: Harness, name: string): Promise<number> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${name} is not in the exposition`);
  return Number(line.slice(name.length + 1));
}

/**
 * Commits through a second connection to the ledger file, as another process (a CLI command,
 * a restore) would: the server's subscription is not woken by it, so its view trails the store
 * until the server's own next commit wakes it. That is the lag the metric exists to show.
 */
async function appendBehindTheServersBack(dataDir: string, count: number): Promise<void> {
  const store = new SqliteEventStore(join(dataDir, 'ledger.db'));
  try {
    let previous: string | null = null;
    for (let revision = 0; revision < count; revision++) {
      const event = { streamName: 'view-lag-test', revision: BigInt(revision), type: 'Noted', data: { revision } };
      const metadata = withIntegrity({ ...event, metadata: { time: new Date().toISOString() } }, previous);
      previous = integrityOf(metadata)!.hash;
      await store.appendToStream(event.streamName, [
        { type: event.type, data: event.data, metadata: metadata as JsonObject },
      ]);
    }
  } finally {
    await store.close();
  }
}

describe('the view lag in /metrics (issue 17)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_METRICS_PUBLIC: '1' } });
  });
  afterAll(() => h?.close());

  it('counts the events committed and not yet in the view, and the seconds since it last applied one', async () => {
    await h.kms.send(new CreateKeyCommand({}));
    expect(await gauge(h, 'keyledger_view_events_behind')).toBe(0);
    expect(await gauge(h, 'keyledger_view_seconds_since_last_event')).toBeLessThan(60);

    await appendBehindTheServersBack(h.dataDir, 3);
    h.clock.advance(90_000);
    expect(await gauge(h, 'keyledger_view_events_behind')).toBe(3);
    expect(await gauge(h, 'keyledger_view_seconds_since_last_event')).toBeGreaterThanOrEqual(90);

    // The server's own commit wakes its subscription, which then reads everything committed.
    await h.kms.send(new CreateKeyCommand({}));
    expect(await gauge(h, 'keyledger_view_events_behind')).toBe(0);
    expect(await gauge(h, 'keyledger_view_seconds_since_last_event')).toBeLessThan(60);
  });
});

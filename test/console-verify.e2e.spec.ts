import { CreateKeyCommand } from '@aws-sdk/client-kms';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { EventStore } from '@keyledger/event-store';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_STORE } from '../apps/keyledger/src/infrastructure/tokens.js';
import { OperatorLog } from '../apps/keyledger/src/observability/operator-log.js';
import { buildConsole, isolatedContext, launchChromium } from './support/console-browser.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

// The console's verify button over a real ledger of three pages (the verifier reads 512 events a page): its
// progress bar seen moving while the server is mid-scan, and its Cancel seen stopping the server's scan.
// To look mid-scan without a sleep, the test holds the scan where it asks for its second page, and lets it go.

const PAGE = 512;

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let store: EventStore;
const logLines: string[] = [];
const logWaiters: Array<() => void> = [];

/** Resolves with the first server log line that matches, past or to come. */
async function logged(pattern: RegExp): Promise<string> {
  for (;;) {
    const line = logLines.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    await new Promise<void>((resolve) => logWaiters.push(resolve));
  }
}

/**
 * The real store, with the verifier's reads recorded and held at the start of its second page until released:
 * the first page's progress line has then been sent, and the scan goes no further.
 */
function holdVerifyAtSecondPage() {
  const readAllJson = store.readAllJson;
  const reads: Array<bigint | 'start'> = [];
  let reached!: () => void;
  let release!: () => void;
  const atSecondPage = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  store.readAllJson = async (options) => {
    const after = options?.after ?? 'start';
    reads.push(after);
    if (after === BigInt(PAGE)) {
      reached();
      await released;
    }
    return readAllJson.call(store, options);
  };
  return { reads, atSecondPage, release, restore: () => void (store.readAllJson = readAllJson) };
}

/** Resolves when the server sees the client close its verify request. */
function verifyClosedByClient(): Promise<void> {
  const server = h.app.getHttpServer() as Server;
  return new Promise((resolve) => {
    const onRequest = (request: IncomingMessage, response: ServerResponse) => {
      if (!request.url?.startsWith('/v1/audit/verify')) return;
      server.off('request', onRequest);
      response.once('close', () => resolve());
    };
    server.on('request', onRequest);
  });
}

beforeAll(async () => {
  buildConsole();
  const output = { out: (line: string) => record(line), err: (line: string) => record(line) };
  const record = (line: string) => {
    logLines.push(line);
    for (const wake of logWaiters.splice(0)) wake();
  };
  h = await startKeyledger({ log: new OperatorLog('json', 'info', output) });
  store = h.app.get<symbol, EventStore>(EVENT_STORE);
  // Each key is at least two events: more than two pages' worth.
  for (let batch = 0; batch < 28; batch++)
    await Promise.all(Array.from({ length: 20 }, () => h.kms.send(new CreateKeyCommand({}))));

  browser = await launchChromium();
  ({ context } = await isolatedContext(browser, h.url));
  page = await context.newPage();
  await page.goto(`${h.url}/console#/audit`);
  await page.getByLabel('Access key id').fill(ADMIN.accessKeyId);
  await page.getByLabel('Secret access key').fill(ADMIN.secretAccessKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Verify the ledger' }).waitFor();
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await h?.close();
});

const bar = () => page.getByTestId('verify-progress').locator('progress');
/** The bar's value and maximum (a <progress> element's properties; the spec's types have no DOM). */
const barValue = () =>
  bar().evaluate((p) => {
    const { value, max } = p as unknown as { value: number; max: number };
    return [value, max];
  });

describe('verify in the console, against a ledger of three pages', { timeout: 120_000 }, () => {
  it('moves its progress bar while the server is mid-scan, then shows the result', async () => {
    const hold = holdVerifyAtSecondPage();
    try {
      await page.getByRole('button', { name: 'Verify the ledger' }).click();
      await hold.atSecondPage;
      // Held before its second page: the bar stands at the first page, with no result yet.
      await expect.poll(barValue).toEqual([PAGE, expect.any(Number)]);
      const [, total] = await barValue();
      expect(total).toBeGreaterThan(2 * PAGE);
      expect(await page.getByTestId('verify-progress').textContent()).toContain(
        `Verifying: 512 of ${total!.toLocaleString('en-US')} events checked`,
      );
      expect(await page.getByTestId('verify-result').count()).toBe(0);
      hold.release();
      const result = page.getByTestId('verify-result');
      await result.waitFor();
      expect(await result.textContent()).toContain('The ledger verifies');
      expect(await page.getByTestId('verify-progress').count()).toBe(0);
      // It read every page: the first, the one it was held at, and on to the end.
      expect(hold.reads.slice(0, 3)).toEqual(['start', BigInt(PAGE), BigInt(2 * PAGE)]);
    } finally {
      hold.restore();
      hold.release();
    }
  });

  it("stops the server's scan when Cancel drops the answer: it reads no page after the one it was on", async () => {
    const hold = holdVerifyAtSecondPage();
    try {
      const closed = verifyClosedByClient();
      await page.getByRole('button', { name: 'Verify the ledger' }).click();
      await hold.atSecondPage;
      await expect.poll(barValue).toEqual([PAGE, expect.any(Number)]);
      const [, total] = await barValue();
      await page.getByTestId('verify-progress').getByRole('button', { name: 'Cancel' }).click();
      await closed;
      hold.release();
      // The server's own account: it stopped after the page it was reading, short of the total.
      const line = await logged(/verify stopped: its caller went away/);
      expect(JSON.parse(line)).toMatchObject({
        level: 'info',
        msg: `verify stopped: its caller went away after ${2 * PAGE} of ${total} events`,
      });
      expect(hold.reads).toEqual(['start', BigInt(PAGE)]);
      expect(await page.getByRole('alert').textContent()).toBe('Verification cancelled');
    } finally {
      hold.restore();
      hold.release();
    }
  });
});

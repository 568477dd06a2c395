import {
  CreateAliasCommand,
  CreateGrantCommand,
  DecryptCommand,
  DisableKeyCommand,
  EncryptCommand,
  RevokeGrantCommand,
  RotateKeyOnDemandCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LEDGER_FILE_NAME } from '@keyledger/event-store';
import { UsageRecorder } from '@keyledger/app';
import { ManualClock } from '@keyledger/ledger';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  buildConsole,
  isolatedContext,
  launchChromium,
  signedGet,
  type SeenRequest,
} from './support/console-browser.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';
import { writePrincipalsFile, type PrincipalsFile } from './support/principals-file.js';

const DAY = 86_400_000;
const KEY_USER = { accessKeyId: 'AKIACONSOLEKEYUSER01', secretAccessKey: 'console-key-user-secret-0123456789' };
const APP_ARN = 'arn:aws:iam::111122223333:user/app';

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let seen: () => Promise<SeenRequest[]>;
let blocked: string[];
let principals: PrincipalsFile;
let env: Record<string, string>;
const cspViolations: string[] = [];

// The key's story: created with an alias; rotated on day 10; the alias moved to another key on day 20; rotated again
// on day 30. A second key encrypts something on day 31 and is disabled on day 32.
const story = {} as {
  start: number;
  rotated: string;
  other: string;
  disabled: string;
  ciphertext: string;
  encryptedAt: number;
  lastDecryptAt: number;
};

beforeAll(async () => {
  buildConsole();
  // The server's clock runs 40 days behind the machine's: the page must sign at the server's time (its Date header).
  const clock = new ManualClock(Date.now() - 40 * DAY);
  principals = writePrincipalsFile([{ name: 'app', role: 'key-user', ...KEY_USER }]);
  env = { KEYLEDGER_PRINCIPALS_FILE: principals.path };
  h = await startKeyledger({ clock, env });
  story.start = clock.now().getTime();
  const create = async (description: string) => (await h.createKey(description)).KeyId!;
  story.rotated = await create('console: rotated twice');
  await h.kms.send(new CreateAliasCommand({ AliasName: 'alias/console-app', TargetKeyId: story.rotated }));
  clock.advanceDays(10);
  await h.kms.send(new RotateKeyOnDemandCommand({ KeyId: story.rotated }));
  // Used twice on day 10 and once on day 20: the usage row's bars.
  const sealed = await h.kms.send(new EncryptCommand({ KeyId: story.rotated, Plaintext: Buffer.from('used') }));
  await h.kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
  // A grant to the app from day 14 to day 25: a span on the timeline (test/console-grants-rsa.e2e.spec.ts tests it).
  clock.advanceDays(4);
  const grant = await h.kms.send(
    new CreateGrantCommand({ KeyId: story.rotated, GranteePrincipal: APP_ARN, Operations: ['Decrypt'], Name: 'app' }),
  );
  clock.advanceDays(6);
  await h.kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
  story.lastDecryptAt = clock.now().getTime();
  story.other = await create('console: alias target');
  await h.kms.send(new UpdateAliasCommand({ AliasName: 'alias/console-app', TargetKeyId: story.other }));
  clock.advanceDays(5);
  await h.kms.send(new RevokeGrantCommand({ KeyId: story.rotated, GrantId: grant.GrantId }));
  clock.advanceDays(5);
  await h.kms.send(new RotateKeyOnDemandCommand({ KeyId: story.rotated }));
  clock.advanceDays(1);
  story.disabled = await create('console: disabled later');
  const encrypted = await h.kms.send(new EncryptCommand({ KeyId: story.disabled, Plaintext: Buffer.from('record') }));
  story.ciphertext = Buffer.from(encrypted.CiphertextBlob!).toString('base64');
  story.encryptedAt = clock.now().getTime();
  clock.advanceDays(1);
  await h.kms.send(new DisableKeyCommand({ KeyId: story.disabled }));
  clock.advance(3_600_000);
  await h.app.get(UsageRecorder).flush();

  browser = await launchChromium();
  ({ context, seen, blocked } = await isolatedContext(browser, h.url));
  page = await context.newPage();
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await h?.close();
  principals?.remove();
});

const signIn = async (secret: string, accessKeyId = ADMIN.accessKeyId) => {
  await page.getByLabel('Access key id').fill(accessKeyId);
  await page.getByLabel('Secret access key').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
};

// A shared 2-core machine can make one browser step slow: a generous per-test bound, never a sleep.
describe('the console in Chromium', { timeout: 90_000 }, () => {
  it('is served at /console with a strict Content-Security-Policy and no inline script', async () => {
    const response = await page.goto(`${h.url}/console`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await response!.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/https?:\/\//);
    // Only the build's own files answer; nothing outside it can be named.
    for (const path of ['/console/nope.js', '/console/assets/..%2f..%2fpackage.json', '/console/%2e%2e/package.json'])
      expect((await fetch(`${h.url}${path}`)).status).toBe(404);
  });

  it('refuses a wrong secret, then signs in with the right one', async () => {
    await signIn('not-the-secret-0123456789abcdef');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Sign-in refused');
    await expect.poll(() => page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);

    await signIn(ADMIN.secretAccessKey);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.getByLabel('Secret access key').count()).toBe(0);
  });

  it('lists the keys the test made, with their aliases', async () => {
    const table = page.getByTestId('keys');
    await table.waitFor();
    for (const keyId of [story.rotated, story.other, story.disabled])
      await table.locator(`tr[data-key-id="${keyId}"]`).waitFor();
    expect(await table.locator(`tr[data-key-id="${story.other}"]`).textContent()).toContain('alias/console-app');
    expect(await table.locator(`tr[data-key-id="${story.disabled}"]`).textContent()).toContain('Disabled');
    // The last use of each, from the usage ledger: through the AWS SDK above, or never.
    const lastUse = (keyId: string) => table.locator(`tr[data-key-id="${keyId}"] [data-testid="last-use"]`);
    const usedAt = (keyId: string) => lastUse(keyId).locator('time').getAttribute('datetime');
    expect(await usedAt(story.rotated)).toBe(new Date(story.lastDecryptAt).toISOString());
    expect(await lastUse(story.rotated).textContent()).toContain('Decrypt');
    expect(await usedAt(story.disabled)).toBe(new Date(story.encryptedAt).toISOString());
    expect(await lastUse(story.disabled).textContent()).toContain('Encrypt');
    expect(await lastUse(story.other).textContent()).toBe('never');
  });

  it('turns the list into the inventory as of a time, and filters it', async () => {
    const asOf = page.getByLabel('As of (UTC; empty for now)');
    await asOf.fill(new Date(story.start + 5 * DAY).toISOString());
    await asOf.press('Enter');
    const rows = page.locator('[data-testid="keys"] tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-key-id')).toBe(story.rotated);
    // Then, the alias still pointed at it, and it had not been used yet.
    expect(await rows.first().textContent()).toContain('alias/console-app');
    expect(await rows.first().getByTestId('last-use').textContent()).toBe('never');
    await asOf.fill('');
    await asOf.press('Enter');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(3);
    await page.getByLabel('Search').fill('disabled later');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-key-id')).toBe(story.disabled);
    await page.getByLabel('Search').fill('');
  });

  it('draws a key rotated twice as three backing-key lanes, with the alias moving away', async () => {
    await page.locator(`a[href="#/keys/${story.rotated}?region=us-east-1"]`).click();
    await page.getByTestId('as-of').waitFor();
    const lanes = page.locator('[data-lane="material"]');
    expect(await lanes.count()).toBe(3);
    // Each lane is labelled by a prefix of its KeyMaterialId; the whole id is in its title and accessible name.
    const state = JSON.parse(await signedGet(h, `/v1/keys/${story.rotated}`, {})) as {
      keyMaterials: Array<{ keyMaterialId: string }>;
    };
    for (const [i, material] of state.keyMaterials.entries()) {
      const lane = lanes.nth(i);
      expect(await lane.getAttribute('aria-label')).toContain(material.keyMaterialId);
      expect(await lane.locator('text.row-label').textContent()).toBe(`${material.keyMaterialId.slice(0, 12)}…`);
      expect(await lane.locator('title').first().textContent()).toContain(material.keyMaterialId);
    }
    const aliasLane = page.locator('[data-lane="alias"]');
    expect(await aliasLane.count()).toBe(1);
    expect(await aliasLane.getAttribute('aria-label')).toContain('alias/console-app');
    const move = page.locator('[data-marker="alias"]', { hasText: 'moved to' });
    expect(await move.getAttribute('aria-label')).toContain(`alias/console-app moved to ${story.other}`);
    expect(await page.getByTestId('as-of-material-count').textContent()).toBe('3');
    // Its use, per day, from the usage ledger: an Encrypt and a Decrypt on day 10, a Decrypt on day 20.
    const bars = page.getByTestId('usage-row').locator('rect.use');
    await expect.poll(() => bars.count()).toBe(2);
    expect(await bars.evaluateAll((rects) => rects.map((r) => r.getAttribute('aria-label')))).toEqual([
      `${new Date(story.start + 10 * DAY).toISOString().slice(0, 10)}: 2 uses, 0 refused`,
      `${new Date(story.start + 20 * DAY).toISOString().slice(0, 10)}: 1 uses, 0 refused`,
    ]);
    await page.screenshot({ path: resolve(ARTIFACTS, 'console-key-page.png'), fullPage: true });
  });

  it('moves the cursor to before the first rotation: one backing key, and the alias still here', async () => {
    const before = new Date(story.start + 5 * DAY).toISOString();
    const cursor = page.getByLabel('Cursor time (UTC, ISO 8601)');
    await cursor.fill(before);
    await cursor.press('Enter');
    await expect.poll(() => page.getByTestId('as-of-material-count').textContent()).toBe('1');
    const asOf = page.getByTestId('as-of');
    expect(await asOf.locator('time').first().getAttribute('datetime')).toBe(before);
    expect(await asOf.textContent()).toContain('alias/console-app');
    expect(await page.locator('[data-lane="material"]:not(.after-cursor)').count()).toBe(1);
  });

  it("moves the cursor by keyboard: Home is the key's creation, End is now", async () => {
    const slider = page.getByLabel('Time cursor', { exact: true });
    await slider.focus();
    await page.keyboard.press('End');
    await expect.poll(() => page.getByTestId('as-of-material-count').textContent()).toBe('3');
    await page.keyboard.press('Home');
    await expect.poll(() => page.getByTestId('as-of-material-count').textContent()).toBe('1');
    // Every lane is reachable by Tab, and says what it is.
    const lane = page.locator('[data-lane="material"]').first();
    await lane.focus();
    expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toMatch(
      /^Backing key [0-9a-f]{64}/,
    );
  });

  it('keeps the session in this tab only when asked, and forgets it on sign-out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access key id').fill(ADMIN.accessKeyId);
    await page.getByLabel('Secret access key').fill(ADMIN.secretAccessKey);
    await page.getByLabel(/Keep me signed in in this tab/).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  it('says why a ciphertext of a key disabled later cannot be decrypted now, and that it could before', async () => {
    await page.getByRole('link', { name: 'Decryptability' }).click();
    await page.getByLabel('Ciphertext (base64)').fill(story.ciphertext);
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('verdict').textContent()).toBe('Not decryptable');
    expect(await page.getByTestId('reason').textContent()).toBe('KEY_DISABLED');
    // The key's timeline, below the verdict, marks the instant on the backing key the ciphertext names.
    const mark = page.locator('.timeline .mark');
    await mark.waitFor();
    expect(await mark.getAttribute('aria-label')).toMatch(/^KEY_DISABLED at /);
    await page.screenshot({ path: resolve(ARTIFACTS, 'console-decryptability.png'), fullPage: true });

    await page.getByLabel('At time (UTC; empty for now)').fill(new Date(story.encryptedAt + 60_000).toISOString());
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('verdict').textContent()).toBe('Decryptable');
    expect(await page.getByTestId('reason').textContent()).toBe('DECRYPTABLE');
    // The verdict links to the key's timeline, marked at that instant.
    await page.getByRole('link', { name: /show on its timeline/ }).click();
    await page.locator('.timeline .mark circle').waitFor();
  });

  it('downloads the inventory CSV byte for byte as /v1/reports/inventory?format=csv', async () => {
    await page.getByRole('link', { name: 'Reports' }).click();
    const button = page.getByTestId('csv-inventory');
    await button.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    const downloaded = readFileSync((await download.path())!, 'utf8');
    const expected = await signedGet(h, '/v1/reports/inventory', { format: 'csv' });
    expect(downloaded).toBe(expected);
    expect(downloaded.split('\n').length).toBeGreaterThanOrEqual(4);
  });

  it('verifies the ledger and shows the last signed checkpoint', async () => {
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('button', { name: 'Verify the ledger' }).click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('The ledger verifies');
    expect(await result.textContent()).toContain('Last signed checkpoint');
    // It asked for the progress as it goes.
    const asked = (await seen()).filter((r) => r.url.endsWith('/v1/audit/verify'));
    expect(asked.at(-1)!.headers['accept']).toBe('application/x-ndjson');
  });

  it('tells how far verify got: a stream cut after two of its progress lines says so, and gives no verdict', async () => {
    const lines = [
      { progress: { eventsChecked: 0, eventsTotal: 1030 } },
      { progress: { eventsChecked: 512, eventsTotal: 1030 } },
    ];
    await page.route('**/v1/audit/verify', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/x-ndjson',
        body: lines.map((l) => `${JSON.stringify(l)}\n`).join(''),
      }),
    );
    try {
      await page.getByRole('button', { name: 'Verify the ledger' }).click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toBe('The verification stopped before its result, at 512 of 1,030 events checked (49%)');
      expect(await page.getByTestId('verify-result').count()).toBe(0);
    } finally {
      await page.unroute('**/v1/audit/verify');
    }
  });

  it('forgets the secret on sign-out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Secret access key').waitFor();
    expect(await page.evaluate('JSON.stringify(sessionStorage)')).not.toContain(ADMIN.secretAccessKey);
  });

  it('greys out what the signed-in role may not use: a key user has no ledger API', async () => {
    await signIn(KEY_USER.secretAccessKey, KEY_USER.accessKeyId);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Pages' });
    expect(await nav.getByRole('link').count()).toBe(0);
    expect(await nav.locator('[aria-disabled="true"]').allTextContents()).toEqual([
      'Keys',
      'Decryptability',
      'Reports',
      'Audit',
    ]);
    expect(await page.locator('main').textContent()).toContain('may not read the ledger API');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Secret access key').waitFor();
  });

  it('sent the secret nowhere: no request carried it, and nothing but the server was asked for anything', async () => {
    const requests = await seen();
    const signed = requests.filter((r) => r.headers['authorization']?.startsWith('AWS4-HMAC-SHA256'));
    expect(signed.length).toBeGreaterThan(10);
    for (const request of requests) {
      const everything = `${request.url}\n${JSON.stringify(request.headers)}\n${request.body ?? ''}`;
      expect(everything).not.toContain(ADMIN.secretAccessKey);
      expect(everything).not.toContain(KEY_USER.secretAccessKey);
      expect(everything).not.toContain('not-the-secret');
      expect(new URL(request.url).origin).toBe(new URL(h.url).origin);
    }
    expect(blocked).toEqual([]);
    // And the page never needed anything its Content-Security-Policy forbids.
    expect(cspViolations).toEqual([]);
  });

  it('shows the first bad event once the ledger was edited on disk', async () => {
    const { dataDir, clock } = h;
    await h.stop();
    const db = new Database(join(dataDir, LEDGER_FILE_NAME));
    const edited = db
      .prepare(
        `UPDATE events SET data = replace(data, 'rotated twice', 'rotated once') WHERE stream = ? AND revision = 0`,
      )
      .run(`key-${story.rotated}`).changes;
    db.close();
    expect(edited).toBe(1);
    h = await startKeyledger({ dataDir, clock, env });
    await context.close();
    ({ context, seen, blocked } = await isolatedContext(browser, h.url));
    page = await context.newPage();
    await page.goto(`${h.url}/console#/audit`);
    await signIn(ADMIN.secretAccessKey);
    await page.getByRole('button', { name: 'Verify the ledger' }).click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('The ledger does NOT verify');
    const bad = await page.getByTestId('first-bad-event').textContent();
    expect(bad).toContain(`key-${story.rotated} revision 0`);
    expect(bad).toMatch(/altered/);
    for (const request of await seen()) expect(JSON.stringify(request)).not.toContain(ADMIN.secretAccessKey);
    expect(blocked).toEqual([]);
  });
});

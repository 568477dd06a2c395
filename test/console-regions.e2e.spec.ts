import {
  CreateGrantCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { resolve } from 'node:path';
import { UsageRecorder } from '@keyledger/app';
import { ManualClock } from '@keyledger/ledger';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  buildConsole,
  isolatedContext,
  launchChromium,
  type SeenRequest,
} from './support/console-browser.js';
import { ledgerGet } from './support/ledger-api-request.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

// The console's key page for keys outside the home region (us-east-1): a key of eu-west-1, and a multi-Region key
// whose primary and replicas are drawn side by side.

const DAY = 86_400_000;
const REGIONS = 'us-east-1,eu-west-1,ap-southeast-2';
const APP_ARN = 'arn:aws:iam::111122223333:user/app';

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let seen: () => Promise<SeenRequest[]>;
let blocked: string[];

// A key of eu-west-1, used once, granted to the app, then disabled. A multi-Region key made in us-east-1 and
// replicated to eu-west-1 and ap-southeast-2; the Sydney replica is deleted; then the primary rotates, so the
// backing key it rotates to reaches Europe and never Sydney.
const story = {} as { euKey: string; mrk: string; original: string; rotated: string; euCiphertext: string };

beforeAll(async () => {
  buildConsole();
  const clock = new ManualClock(Date.now() - 20 * DAY);
  h = await startKeyledger({ clock, env: { KEYLEDGER_REGIONS: REGIONS } });
  // The SDK signs at an offset fixed per client: a client per region per position of the clock.
  const kms = (region: string): KMSClient => h.client(ADMIN, region);

  const eu = kms('eu-west-1');
  story.euKey = (await eu.send(new CreateKeyCommand({ Description: 'console: in Europe' }))).KeyMetadata!.KeyId!;
  const sealed = await eu.send(new EncryptCommand({ KeyId: story.euKey, Plaintext: Buffer.from('eu record') }));
  story.euCiphertext = Buffer.from(sealed.CiphertextBlob!).toString('base64');
  await eu.send(
    new CreateGrantCommand({ KeyId: story.euKey, GranteePrincipal: APP_ARN, Operations: ['Decrypt'], Name: 'eu-app' }),
  );

  const primary = kms('us-east-1');
  const created = await primary.send(new CreateKeyCommand({ MultiRegion: true, Description: 'console: everywhere' }));
  story.mrk = created.KeyMetadata!.KeyId!;
  story.original = created.KeyMetadata!.CurrentKeyMaterialId!;
  for (const region of ['eu-west-1', 'ap-southeast-2'])
    await primary.send(new ReplicateKeyCommand({ KeyId: story.mrk, ReplicaRegion: region }));
  await kms('ap-southeast-2').send(new ScheduleKeyDeletionCommand({ KeyId: story.mrk, PendingWindowInDays: 7 }));
  clock.advanceDays(8);
  expect((await h.scheduler().sweep()).deleted).toBe(1);
  clock.advanceDays(1);
  await kms('us-east-1').send(new RotateKeyOnDemandCommand({ KeyId: story.mrk }));
  clock.advanceDays(1);
  await kms('eu-west-1').send(new DisableKeyCommand({ KeyId: story.euKey }));
  clock.advance(3_600_000);
  await h.app.get(UsageRecorder).flush();
  const now = (await ledgerGet(h, `/v1/keys/${story.mrk}`, {})).json as { currentKeyMaterialId: string };
  story.rotated = now.currentKeyMaterialId;

  browser = await launchChromium();
  ({ context, seen, blocked } = await isolatedContext(browser, h.url));
  page = await context.newPage();
  await page.goto(`${h.url}/console`);
  await page.getByLabel('Access key id').fill(ADMIN.accessKeyId);
  await page.getByLabel('Secret access key').fill(ADMIN.secretAccessKey);
  // Kept in the tab: the reload below must find the same page, signed in.
  await page.getByLabel(/Keep me signed in in this tab/).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await h?.close();
});

/** The keys list's row of a key in a region (a multi-Region key has a row per region). */
const row = (keyId: string, region: string) =>
  page.locator(`tr[data-key-id="${keyId}"]`, { has: page.locator('td', { hasText: new RegExp(`^${region}$`) }) });

describe('the console: keys of other regions, and multi-Region keys', { timeout: 90_000 }, () => {
  it('opens a key of another region from the keys list, and shows its state, usage and access there', async () => {
    await page.getByTestId('keys').waitFor();
    const before = (await seen()).length;
    await row(story.euKey, 'eu-west-1').getByRole('link', { name: story.euKey }).click();
    await page.getByTestId('as-of').waitFor();
    expect(new URL(page.url()).hash).toBe(`#/keys/${story.euKey}?region=eu-west-1`);
    expect(await page.getByTestId('as-of-state').textContent()).toBe('Disabled');
    expect(await page.locator('.key-head').textContent()).toContain('eu-west-1');
    // Its timeline: the state band turns Disabled; one backing key.
    expect(await page.locator('rect.band').evaluateAll((r) => r.map((b) => b.getAttribute('class')))).toEqual([
      'band state-Enabled',
      'band state-Disabled',
    ]);
    expect(await page.locator('[data-lane="material"]').count()).toBe(1);
    const usage = page.locator('section[aria-labelledby="usage-title"]');
    await expect.poll(() => usage.count()).toBe(1);
    expect(await usage.textContent()).toContain('1 uses, 0 refused');
    expect(await usage.locator('tbody tr').first().textContent()).toContain('Encrypt');
    const access = page.locator('section[aria-labelledby="access-title"]');
    await expect.poll(() => access.count()).toBe(1);
    expect(await access.textContent()).toContain('eu-app');
    // Every question the page asked about this key named its region.
    const asked = (await seen()).slice(before).filter((r) => r.url.includes(story.euKey));
    expect(asked.map((r) => new URL(r.url).pathname).sort()).toEqual(
      [
        '/v1/audit/events',
        `/v1/keys/${story.euKey}`,
        `/v1/keys/${story.euKey}`,
        `/v1/keys/${story.euKey}/access`,
        `/v1/keys/${story.euKey}/backing-keys`,
        `/v1/keys/${story.euKey}/usage`,
        `/v1/keys/${story.euKey}/usage`,
      ].sort(),
    );
    for (const request of asked) expect(new URL(request.url).searchParams.get('region')).toBe('eu-west-1');
  });

  it('keeps the region on a reload: the URL is the whole of the page state', async () => {
    await page.reload();
    await page.getByTestId('as-of').waitFor();
    expect(await page.getByTestId('as-of-state').textContent()).toBe('Disabled');
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it("draws a multi-Region key's regions side by side: state, backing keys, and what a replica lacks", async () => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Keys' }).click();
    await row(story.mrk, 'eu-west-1').getByRole('link', { name: story.mrk }).click();
    const replicas = page.locator('section[aria-labelledby="replicas-title"]');
    await replicas.locator('li.replica').first().waitFor();
    // The server's own answer, which the page draws.
    const answer = (await ledgerGet(h, `/v1/keys/${story.mrk}/replication`, {})).json as {
      members: Array<{ region: string; keyState: string }>;
    };
    const columns = replicas.locator('li.replica');
    expect(await columns.evaluateAll((li) => li.map((c) => c.getAttribute('data-region')))).toEqual([
      'us-east-1',
      'eu-west-1',
      'ap-southeast-2',
    ]);
    expect(answer.members.map((m) => m.region)).toEqual(['us-east-1', 'eu-west-1', 'ap-southeast-2']);
    const column = (region: string) => replicas.locator(`li.replica[data-region="${region}"]`);
    // This page's own region is the one marked current.
    expect(await column('eu-west-1').getAttribute('aria-current')).toBe('page');
    expect(await column('us-east-1').getAttribute('aria-current')).toBeNull();
    for (const member of answer.members)
      expect(await column(member.region).getByTestId('replica-state').textContent()).toBe(member.keyState);
    expect(answer.members.map((m) => m.keyState)).toEqual(['Enabled', 'Enabled', 'Deleted']);

    const backingKeys = (region: string) =>
      column(region)
        .locator('li[data-key-material-id]')
        .evaluateAll((li) =>
          li.map((b) => [b.getAttribute('data-key-material-id'), b.textContent?.includes('current') ?? false]),
        );
    expect(await backingKeys('us-east-1')).toEqual([
      [story.original, false],
      [story.rotated, true],
    ]);
    expect(await backingKeys('eu-west-1')).toEqual([
      [story.original, false],
      [story.rotated, true],
    ]);
    // Sydney was deleted before the rotation: it holds the original only, its material destroyed.
    expect(await backingKeys('ap-southeast-2')).toEqual([[story.original, true]]);
    expect(await column('ap-southeast-2').locator('li[data-key-material-id]').textContent()).toContain(
      'material destroyed',
    );

    const gaps = (region: string) =>
      column(region)
        .getByTestId('replica-gaps')
        .locator('li[data-gap]')
        .evaluateAll((li) =>
          li.map((g) => [g.getAttribute('data-gap'), g.querySelector('abbr')?.getAttribute('title')]),
        );
    expect(await column('us-east-1').getByTestId('replica-gaps').count()).toBe(0);
    expect(await gaps('eu-west-1')).toEqual([]);
    expect(await column('eu-west-1').getByTestId('replica-gaps').textContent()).toContain(
      'Nothing: eu-west-1 holds every backing key of the primary',
    );
    expect(await gaps('ap-southeast-2')).toEqual([
      ['material-gone', story.original],
      ['not-held', story.rotated],
      ['current-differs', story.rotated],
    ]);
    // Drawn, not dumped.
    expect(await replicas.textContent()).not.toContain('{"');
    // The replica's own timeline has the two backing keys that arrived from the primary.
    expect(await page.locator('[data-lane="material"]').count()).toBe(2);
    await page.screenshot({ path: resolve(ARTIFACTS, 'console-replicas.png'), fullPage: true });

    // Each other region's column opens that region's key.
    await column('us-east-1').getByRole('link', { name: 'us-east-1' }).click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/keys/${story.mrk}?region=us-east-1`);
    await expect.poll(() => column('us-east-1').getAttribute('aria-current')).toBe('page');
  });

  it('checks a ciphertext of a key of another region there, and marks it on that key in its region', async () => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Decryptability' }).click();
    await page.getByLabel('Ciphertext (base64)').fill(story.euCiphertext);
    await page.getByLabel("Region (empty for the server's own)").fill('eu-west-1');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('verdict').textContent()).toBe('Not decryptable');
    expect(await page.getByTestId('reason').textContent()).toBe('KEY_DISABLED');
    // Marked on the eu-west-1 key's own timeline, and the link opens that key in its region.
    await page.locator('.timeline .mark').waitFor();
    const link = page.getByRole('link', { name: /show on its timeline/ });
    expect(new URL((await link.getAttribute('href'))!, h.url).hash).toMatch(
      new RegExp(`^#/keys/${story.euKey}\\?.*region=eu-west-1`),
    );
    await link.click();
    await page.getByTestId('as-of').waitFor();
    expect(await page.getByTestId('as-of-state').textContent()).toBe('Disabled');
  });

  it('sent the secret nowhere and asked nothing of anyone but the server', async () => {
    for (const request of await seen()) {
      const everything = `${request.url}\n${JSON.stringify(request.headers)}\n${request.body ?? ''}`;
      expect(everything).not.toContain(ADMIN.secretAccessKey);
    }
    expect(blocked).toEqual([]);
  });
});

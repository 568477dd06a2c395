import {
  CreateGrantCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  PutKeyPolicyCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
} from '@aws-sdk/client-kms';
import { resolve } from 'node:path';
import { ManualClock } from '@keyledger/ledger';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, buildConsole, isolatedContext, launchChromium } from './support/console-browser.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';
import { writePrincipalsFile, type PrincipalsFile } from './support/principals-file.js';

// The console's key page and decryptability page for what test/console.e2e.spec.ts does not make: grants, a
// policy change, and an RSA key (whose ciphertexts do not name their key).

const DAY = 86_400_000;
const ACCOUNT = '111122223333';
const APP = { accessKeyId: 'AKIACONSOLEGRANTAPP1', secretAccessKey: 'console-grant-app-secret-012345678' };
const ADMIN_ARN = `arn:aws:iam::${ACCOUNT}:user/admin`;
const APP_ARN = `arn:aws:iam::${ACCOUNT}:user/app`;
/** As the timeline writes a time. */
const utcText = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let seen: Awaited<ReturnType<typeof isolatedContext>>['seen'];
let blocked: string[];
let principals: PrincipalsFile;

// A key whose policy changed on day 2; a grant to the app made on day 1 and retired by the app on day 3; a second
// grant made on day 1 and revoked by the admin on day 4; a third that still holds. An RSA key encrypted for on
// day 5 and disabled on day 6.
const story = {} as {
  start: number;
  keyId: string;
  retired: string;
  revoked: string;
  holding: string;
  rsaKeyId: string;
  rsaCiphertext: string;
  rsaEncryptedAt: number;
};

beforeAll(async () => {
  buildConsole();
  const clock = new ManualClock(Date.now() - 10 * DAY);
  principals = writePrincipalsFile([{ name: 'app', role: 'key-user', ...APP }]);
  h = await startKeyledger({ clock, env: { KEYLEDGER_PRINCIPALS_FILE: principals.path } });
  story.start = clock.now().getTime();
  story.keyId = (await h.kms.send(new CreateKeyCommand({ Description: 'console: grants' }))).KeyMetadata!.KeyId!;
  clock.advanceDays(1);
  const grant = async (input: { RetiringPrincipal?: string; Name: string }) =>
    (
      await h.kms.send(
        new CreateGrantCommand({
          KeyId: story.keyId,
          GranteePrincipal: APP_ARN,
          Operations: ['Encrypt', 'Decrypt'],
          ...input,
        }),
      )
    ).GrantId!;
  story.retired = await grant({ Name: 'batch-job', RetiringPrincipal: APP_ARN });
  story.revoked = await grant({ Name: 'revoked-one' });
  story.holding = await grant({ Name: 'still-holds' });
  clock.advanceDays(1);
  const policy = (await h.kms.send(new GetKeyPolicyCommand({ KeyId: story.keyId, PolicyName: 'default' }))).Policy!;
  const changed = JSON.parse(policy) as { Statement: Array<{ Sid?: string }> };
  changed.Statement[0]!.Sid = 'Changed by the console test';
  await h.kms.send(
    new PutKeyPolicyCommand({ KeyId: story.keyId, PolicyName: 'default', Policy: JSON.stringify(changed) }),
  );
  clock.advanceDays(1);
  await h.client(APP).send(new RetireGrantCommand({ KeyId: story.keyId, GrantId: story.retired }));
  clock.advanceDays(1);
  await h.kms.send(new RevokeGrantCommand({ KeyId: story.keyId, GrantId: story.revoked }));

  const rsa = await h.kms.send(
    new CreateKeyCommand({ Description: 'console: RSA', KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }),
  );
  story.rsaKeyId = rsa.KeyMetadata!.KeyId!;
  clock.advanceDays(1);
  const sealed = await h.kms.send(
    new EncryptCommand({
      KeyId: story.rsaKeyId,
      Plaintext: Buffer.from('rsa record'),
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    }),
  );
  story.rsaCiphertext = Buffer.from(sealed.CiphertextBlob!).toString('base64');
  story.rsaEncryptedAt = clock.now().getTime();
  clock.advanceDays(1);
  await h.kms.send(new DisableKeyCommand({ KeyId: story.rsaKeyId }));
  clock.advance(3_600_000);

  browser = await launchChromium();
  ({ context, seen, blocked } = await isolatedContext(browser, h.url));
  page = await context.newPage();
  await page.goto(`${h.url}/console`);
  await page.getByLabel('Access key id').fill(ADMIN.accessKeyId);
  await page.getByLabel('Secret access key').fill(ADMIN.secretAccessKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await h?.close();
  principals?.remove();
});

describe('the console: grants, policy changes and RSA keys', { timeout: 90_000 }, () => {
  it('marks the policy change and each grant change on the timeline with its time and who made it', async () => {
    await page.goto(`${h.url}/console#/keys/${story.keyId}`);
    await page.getByTestId('timeline').waitFor();
    const labels = async (kind: string) =>
      page.locator(`[data-marker="${kind}"]`).evaluateAll((marks) => marks.map((m) => m.getAttribute('aria-label')));
    expect(await labels('policy')).toEqual([`Key policy changed, ${utcText(story.start + 2 * DAY)}, by ${ADMIN_ARN}`]);
    expect(await labels('grant')).toEqual([
      `Grant ${story.retired} created for ${APP_ARN}, ${utcText(story.start + DAY)}, by ${ADMIN_ARN}`,
      `Grant ${story.revoked} created for ${APP_ARN}, ${utcText(story.start + DAY)}, by ${ADMIN_ARN}`,
      `Grant ${story.holding} created for ${APP_ARN}, ${utcText(story.start + DAY)}, by ${ADMIN_ARN}`,
      `Grant ${story.retired} retired, ${utcText(story.start + 3 * DAY)}, by ${APP_ARN}`,
      `Grant ${story.revoked} revoked, ${utcText(story.start + 4 * DAY)}, by ${ADMIN_ARN}`,
    ]);
    // The marker's title (what a pointer shows) says the same.
    expect(await page.locator('[data-marker="policy"] title').textContent()).toContain(ADMIN_ARN);
  });

  it('draws each grant as a span that ends when it is retired or revoked, and runs on while it holds', async () => {
    const lane = (grantId: string) => page.locator(`[data-lane="grant"][data-grant-id="${grantId}"]`);
    expect(await page.locator('[data-lane="grant"]').count()).toBe(3);
    const from = utcText(story.start + DAY);
    expect(await lane(story.retired).getAttribute('aria-label')).toBe(
      `Grant ${story.retired} (batch-job) for ${APP_ARN}: Encrypt, Decrypt; from ${from}, retired ${utcText(
        story.start + 3 * DAY,
      )}`,
    );
    expect(await lane(story.revoked).getAttribute('aria-label')).toMatch(
      new RegExp(`: Encrypt, Decrypt; from ${from}, revoked ${utcText(story.start + 4 * DAY)}$`),
    );
    expect(await lane(story.holding).getAttribute('aria-label')).toMatch(new RegExp(`from ${from}$`));
    // Drawn so: an ended grant's span stops short of the one that still holds.
    const width = (grantId: string) =>
      lane(grantId)
        .locator('rect.grant-span')
        .evaluate((r) => r.getBBox().width);
    const [retired, revoked, holding] = [
      await width(story.retired),
      await width(story.revoked),
      await width(story.holding),
    ];
    expect(retired).toBeLessThan(revoked);
    expect(revoked).toBeLessThan(holding);
    expect(await lane(story.retired).locator('text.end').textContent()).toBe('retired');
    expect(await lane(story.holding).locator('text.end').count()).toBe(0);
    await page.screenshot({ path: resolve(ARTIFACTS, 'console-key-grants.png'), fullPage: true });
  });

  it('checks an RSA ciphertext with the key id it needs: decryptable, then not once the key is disabled', async () => {
    await page.getByRole('link', { name: 'Decryptability' }).click();
    await page.getByLabel('Ciphertext (base64)').fill(story.rsaCiphertext);
    await page.getByLabel('Key id (needed for RSA ciphertexts only)').fill(story.rsaKeyId);
    const at = page.getByLabel('At time (UTC; empty for now)');
    await at.fill(new Date(story.rsaEncryptedAt + 60_000).toISOString());
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('verdict').textContent()).toBe('Decryptable');
    expect(await page.getByTestId('reason').textContent()).toBe('DECRYPTABLE');
    expect(await page.getByRole('link', { name: /show on its timeline/ }).textContent()).toContain(story.rsaKeyId);

    await at.fill('');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('verdict').textContent()).toBe('Not decryptable');
    expect(await page.getByTestId('reason').textContent()).toBe('KEY_DISABLED');
    // Marked on the RSA key's timeline, at that instant.
    const mark = page.locator('.timeline .mark');
    await mark.waitFor();
    expect(await mark.getAttribute('aria-label')).toMatch(/^KEY_DISABLED at /);

    // Without the key id an RSA ciphertext names no key: the server says so, and nothing is marked.
    await page.getByLabel('Key id (needed for RSA ciphertexts only)').fill('');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('verdict').textContent()).toBe('Not decryptable');
    expect(await page.getByTestId('reason').textContent()).toBe('INVALID_CIPHERTEXT');
  });

  it('sent the secret nowhere and asked nothing of anyone but the server', async () => {
    for (const request of await seen()) {
      const everything = `${request.url}\n${JSON.stringify(request.headers)}\n${request.body ?? ''}`;
      expect(everything).not.toContain(ADMIN.secretAccessKey);
    }
    expect(blocked).toEqual([]);
  });
});

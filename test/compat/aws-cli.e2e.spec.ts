/**
 * The AWS CLI (`aws kms … --endpoint-url`) against a real Keyledger server.
 *
 * Runs once for each distinct AWS CLI on the machine: `aws` on PATH and, if it is another install, Debian's
 * /usr/bin/aws (`apt-get install -y awscli` gives v2.9.19 on bookworm). Skipped, visibly, when there is none.
 * Plaintext and ciphertext go in as `fileb://` files, which v1 and v2 both read as raw bytes; both print blobs
 * base64-encoded in JSON output.
 */
import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyledger, type Harness } from '../support/keyledger-harness.js';
import { findAwsClis, kmsCommands, type AwsCli } from './support/aws-cli.js';

const clis = findAwsClis();
const hasAws = clis.length > 0;
const title = hasAws
  ? `AWS CLI (${clis.map((cli) => cli.version.split(' ')[0]).join(', ')})`
  : 'AWS CLI (skipped: the aws command is not installed; apt-get install awscli)';

const ARN = /^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/;

// Each test runs a few CLI processes (about 1–3 s each: Python start-up plus botocore's KMS model).
describe.skipIf(!hasAws)(title, { timeout: 120_000 }, () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await startKeyledger();
    dir = mkdtempSync(join(tmpdir(), 'keyledger-cli-'));
  });
  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Without a CLI the same tests are declared once and skipped by the describe above, so the report names each
  // test it did not run instead of showing an empty placeholder. Each test makes the keys it uses: none depends on
  // another having run first.
  const targets: Array<AwsCli | undefined> = hasAws ? clis : [undefined];
  targets.forEach((cli, index) => {
    describe(cli?.version ?? 'no AWS CLI', () => {
      const { run, ok, file } = kmsCommands(cli, index, () => ({ url: h.url, dir }));
      /** A key made through the SDK, so that a test of one CLI command does not need another's output. */
      const sdkKey = async () => {
        const key = (await h.kms.send(new CreateKeyCommand({ Description: `cli ${index}` }))).KeyMetadata!;
        return { keyId: key.KeyId!, keyArn: key.Arn! };
      };

      it('create-key returns AWS KeyMetadata', async () => {
        const out = await ok('create-key', '--description', `cli key ${index}`);
        expect(out.KeyMetadata).toMatchObject({
          KeyId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          Arn: expect.stringMatching(ARN),
          Description: `cli key ${index}`,
          Enabled: true,
          KeyState: 'Enabled',
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeySpec: 'SYMMETRIC_DEFAULT',
        });
        expect(out.KeyMetadata.Arn.endsWith(`/${out.KeyMetadata.KeyId}`)).toBe(true);
        // The key the CLI made is the server's: the SDK describes it.
        const described = await h.kms.send(new DescribeKeyCommand({ KeyId: out.KeyMetadata.KeyId }));
        expect(described.KeyMetadata!.Arn).toBe(out.KeyMetadata.Arn);
      });

      it('encrypt and decrypt round-trip binary plaintext with an encryption context', async () => {
        const { keyId, keyArn } = await sdkKey();
        const plaintext = Buffer.from([0, 1, 2, 0xff, 0xfe, ...Buffer.from(' cli secret\n')]);
        const enc = await ok(
          'encrypt',
          '--key-id',
          keyId,
          '--plaintext',
          file('plain.bin', plaintext),
          '--encryption-context',
          'purpose=cli,tenant=acme',
        );
        expect(enc).toMatchObject({ KeyId: keyArn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
        const ciphertext = Buffer.from(enc.CiphertextBlob, 'base64');
        expect(ciphertext.length).toBeGreaterThan(plaintext.length);
        expect(ciphertext.includes(Buffer.from('cli secret'))).toBe(false);

        const dec = await ok(
          'decrypt',
          '--ciphertext-blob',
          file('cipher.bin', ciphertext),
          '--encryption-context',
          'purpose=cli,tenant=acme',
        );
        expect(dec).toMatchObject({ KeyId: keyArn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
        expect(Buffer.from(dec.Plaintext, 'base64').equals(plaintext)).toBe(true);

        // The CLI's ciphertext is the SDK's too.
        const viaSdk = await h.kms.send(
          new DecryptCommand({ CiphertextBlob: ciphertext, EncryptionContext: { purpose: 'cli', tenant: 'acme' } }),
        );
        expect(Buffer.from(viaSdk.Plaintext!).equals(plaintext)).toBe(true);

        // A different context is refused, and the CLI reports the KMS error by name.
        const wrong = await run(
          'decrypt',
          '--ciphertext-blob',
          file('cipher.bin', ciphertext),
          '--encryption-context',
          'purpose=other',
        );
        expect(wrong.code).not.toBe(0);
        expect(wrong.stderr).toContain(
          'An error occurred (InvalidCiphertextException) when calling the Decrypt operation',
        );
      });

      it('decrypts ciphertext made by the SDK', async () => {
        const sdkKey = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
        const enc = await h.kms.send(
          new EncryptCommand({ KeyId: sdkKey.KeyId, Plaintext: Buffer.from('from the sdk') }),
        );
        const dec = await ok('decrypt', '--ciphertext-blob', file('sdk-cipher.bin', enc.CiphertextBlob!));
        expect(dec.KeyId).toBe(sdkKey.Arn);
        expect(Buffer.from(dec.Plaintext, 'base64').toString()).toBe('from the sdk');
      });

      it('list-keys lists the key', async () => {
        const { keyId, keyArn } = await sdkKey();
        const out = await ok('list-keys');
        expect(out.Keys).toEqual(expect.arrayContaining([{ KeyId: keyId, KeyArn: keyArn }]));
      });

      it('create-alias, then describe-key and encrypt by alias/…', async () => {
        const { keyId, keyArn } = await sdkKey();
        const alias = `alias/cli-compat-${index}`;
        const created = await run('create-alias', '--alias-name', alias, '--target-key-id', keyId);
        expect(created).toMatchObject({ code: 0, stdout: '' });

        const described = await ok('describe-key', '--key-id', alias);
        expect(described.KeyMetadata).toMatchObject({ KeyId: keyId, Arn: keyArn, KeyState: 'Enabled' });

        const aliases = await ok('list-aliases', '--key-id', keyId);
        expect(aliases.Aliases).toEqual([expect.objectContaining({ AliasName: alias, TargetKeyId: keyId })]);

        const enc = await ok('encrypt', '--key-id', alias, '--plaintext', file('alias-plain.txt', 'by alias'));
        expect(enc.KeyId).toBe(keyArn);
      });

      it('reports a missing key as NotFoundException', async () => {
        const result = await run('describe-key', '--key-id', 'alias/does-not-exist');
        expect(result.code).not.toBe(0);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain('An error occurred (NotFoundException) when calling the DescribeKey operation');
      });
    });
  });
});

/**
 * The AWS CLI against the key family beyond symmetric keys (issue 14): asymmetric signing with RSA and ECC,
 * RSA encryption, HMAC keys, and GetPublicKey, each checked against node:crypto as well as the CLI.
 *
 * Runs once for each distinct AWS CLI on the machine, as aws-cli.e2e.spec.ts does (.ci/run installs one when
 * missing); skipped, visibly, when there is none. Blobs go in as `fileb://` files and come out base64 in JSON.
 */
import { createHash, createHmac, createPublicKey, publicEncrypt, constants, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyledger, type Harness } from '../support/keyledger-harness.js';
import { findAwsClis, kmsCommands, type AwsCli } from './support/aws-cli.js';

const clis = findAwsClis();
const hasAws = clis.length > 0;
const title = hasAws
  ? `AWS CLI, asymmetric and HMAC keys (${clis.map((cli) => cli.version.split(' ')[0]).join(', ')})`
  : 'AWS CLI, asymmetric and HMAC keys (skipped: the aws command is not installed; apt-get install awscli)';

describe.skipIf(!hasAws)(title, { timeout: 180_000 }, () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await startKeyledger();
    dir = mkdtempSync(join(tmpdir(), 'keyledger-cli-family-'));
  });
  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const targets: Array<AwsCli | undefined> = hasAws ? clis : [undefined];
  targets.forEach((cli, index) => {
    describe(cli?.version ?? 'no AWS CLI', () => {
      const { run, ok, file } = kmsCommands(cli, index, () => ({ url: h.url, dir }));
      const createKey = async (spec: string, usage: string) =>
        (await ok('create-key', '--key-spec', spec, '--key-usage', usage)).KeyMetadata;

      it('RSA_2048 SIGN_VERIFY: create-key, get-public-key, sign and verify; node:crypto verifies the signature', async () => {
        const key = await createKey('RSA_2048', 'SIGN_VERIFY');
        expect(key).toMatchObject({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', CustomerMasterKeySpec: 'RSA_2048' });
        expect(key.SigningAlgorithms).toContain('RSASSA_PSS_SHA_256');

        const pub = await ok('get-public-key', '--key-id', key.KeyId);
        expect(pub).toMatchObject({ KeyId: key.Arn, KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
        expect(pub.SigningAlgorithms).toEqual(key.SigningAlgorithms);
        const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey, 'base64'), format: 'der', type: 'spki' });
        expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);

        const message = Buffer.from(`a release artifact ${index}\n`);
        const signed = await ok(
          'sign',
          '--key-id',
          key.KeyId,
          '--message',
          file('rsa-message.bin', message),
          '--message-type',
          'RAW',
          '--signing-algorithm',
          'RSASSA_PSS_SHA_256',
        );
        expect(signed).toMatchObject({ KeyId: key.Arn, SigningAlgorithm: 'RSASSA_PSS_SHA_256' });
        const signature = Buffer.from(signed.Signature, 'base64');
        const pss = { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
        expect(verify('sha256', message, pss, signature)).toBe(true);

        const verified = await ok(
          'verify',
          '--key-id',
          key.KeyId,
          '--message',
          file('rsa-message.bin', message),
          '--signature',
          file('rsa-signature.bin', signature),
          '--signing-algorithm',
          'RSASSA_PSS_SHA_256',
        );
        expect(verified).toMatchObject({ KeyId: key.Arn, SignatureValid: true });

        // A precomputed digest, signed PKCS#1 v1.5: what node:crypto verifies over the message itself.
        const digestSigned = await ok(
          'sign',
          '--key-id',
          key.KeyId,
          '--message',
          file('rsa-digest.bin', createHash('sha256').update(message).digest()),
          '--message-type',
          'DIGEST',
          '--signing-algorithm',
          'RSASSA_PKCS1_V1_5_SHA_256',
        );
        expect(verify('sha256', message, publicKey, Buffer.from(digestSigned.Signature, 'base64'))).toBe(true);

        const tampered = await run(
          'verify',
          '--key-id',
          key.KeyId,
          '--message',
          file('rsa-other.bin', 'another artifact'),
          '--signature',
          file('rsa-signature.bin', signature),
          '--signing-algorithm',
          'RSASSA_PSS_SHA_256',
        );
        expect(tampered.code).not.toBe(0);
        expect(tampered.stderr).toContain(
          'An error occurred (KMSInvalidSignatureException) when calling the Verify operation',
        );
      });

      it('ECC_NIST_P256: ECDSA_SHA_256 signatures, RAW and DIGEST, verify with the CLI and node:crypto; a short digest is refused', async () => {
        const key = await createKey('ECC_NIST_P256', 'SIGN_VERIFY');
        expect(key.SigningAlgorithms).toEqual(['ECDSA_SHA_256']);
        const message = Buffer.from('a JWT header and payload');
        const signed = await ok(
          'sign',
          '--key-id',
          key.KeyId,
          '--message',
          file('ecc-message.bin', message),
          '--message-type',
          'RAW',
          '--signing-algorithm',
          'ECDSA_SHA_256',
        );
        const signature = Buffer.from(signed.Signature, 'base64');
        const pub = await ok('get-public-key', '--key-id', key.KeyId);
        const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey, 'base64'), format: 'der', type: 'spki' });
        expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
        // KMS signatures are DER-encoded ECDSA, node:crypto's default.
        expect(verify('sha256', message, publicKey, signature)).toBe(true);
        const verified = await ok(
          'verify',
          '--key-id',
          key.KeyId,
          '--message',
          file('ecc-message.bin', message),
          '--signature',
          file('ecc-signature.bin', signature),
          '--signing-algorithm',
          'ECDSA_SHA_256',
        );
        expect(verified.SignatureValid).toBe(true);

        const digest = createHash('sha256').update(message).digest();
        // A precomputed digest, signed as it is: node:crypto verifies the signature over the message itself.
        const digestSigned = await ok(
          'sign',
          '--key-id',
          key.KeyId,
          '--message',
          file('ecc-digest.bin', digest),
          '--message-type',
          'DIGEST',
          '--signing-algorithm',
          'ECDSA_SHA_256',
        );
        const digestSignature = Buffer.from(digestSigned.Signature, 'base64');
        expect(verify('sha256', message, publicKey, digestSignature)).toBe(true);
        const digestVerified = await ok(
          'verify',
          '--key-id',
          key.KeyId,
          '--message',
          file('ecc-digest.bin', digest),
          '--message-type',
          'DIGEST',
          '--signature',
          file('ecc-signature.bin', signature),
          '--signing-algorithm',
          'ECDSA_SHA_256',
        );
        expect(digestVerified.SignatureValid).toBe(true);

        const short = await run(
          'sign',
          '--key-id',
          key.KeyId,
          '--message',
          file('ecc-short.bin', digest.subarray(0, 20)),
          '--message-type',
          'DIGEST',
          '--signing-algorithm',
          'ECDSA_SHA_256',
        );
        expect(short.code).not.toBe(0);
        expect(short.stderr).toContain('Digest is invalid length for algorithm ECDSA_SHA_256.');
      });

      it('HMAC_256: generate-mac and verify-mac; node:crypto computes nothing else, and a wrong MAC is refused', async () => {
        const key = await createKey('HMAC_256', 'GENERATE_VERIFY_MAC');
        expect(key).toMatchObject({ KeySpec: 'HMAC_256', MacAlgorithms: ['HMAC_SHA_256'] });
        const message = file('hmac-message.bin', 'a session token');
        const mac = await ok(
          'generate-mac',
          '--key-id',
          key.KeyId,
          '--message',
          message,
          '--mac-algorithm',
          'HMAC_SHA_256',
        );
        expect(mac).toMatchObject({ KeyId: key.Arn, MacAlgorithm: 'HMAC_SHA_256' });
        const bytes = Buffer.from(mac.Mac, 'base64');
        expect(bytes).toHaveLength(32);
        // Deterministic under one key, as HMAC is.
        const again = await ok(
          'generate-mac',
          '--key-id',
          key.KeyId,
          '--message',
          message,
          '--mac-algorithm',
          'HMAC_SHA_256',
        );
        expect(again.Mac).toBe(mac.Mac);

        const verified = await ok(
          'verify-mac',
          '--key-id',
          key.KeyId,
          '--message',
          message,
          '--mac',
          file('hmac-mac.bin', bytes),
          '--mac-algorithm',
          'HMAC_SHA_256',
        );
        expect(verified).toMatchObject({ KeyId: key.Arn, MacValid: true, MacAlgorithm: 'HMAC_SHA_256' });

        const wrong = Buffer.from(bytes);
        wrong[0]! ^= 1;
        const refused = await run(
          'verify-mac',
          '--key-id',
          key.KeyId,
          '--message',
          message,
          '--mac',
          file('hmac-wrong.bin', wrong),
          '--mac-algorithm',
          'HMAC_SHA_256',
        );
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain(
          'An error occurred (KMSInvalidMacException) when calling the VerifyMac operation',
        );
        // A MAC under another key (here: a key node:crypto holds) is not this key's.
        const foreign = createHmac('sha256', Buffer.alloc(32, 7)).update('a session token').digest();
        expect(foreign.equals(bytes)).toBe(false);
      });

      it('RSA_3072 ENCRYPT_DECRYPT: what node:crypto encrypts under the public key, the CLI decrypts', async () => {
        const key = await createKey('RSA_3072', 'ENCRYPT_DECRYPT');
        expect(key.EncryptionAlgorithms).toEqual(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']);
        const pub = await ok('get-public-key', '--key-id', key.KeyId);
        const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey, 'base64'), format: 'der', type: 'spki' });
        const plaintext = Buffer.from('an envelope key, wrapped locally');
        const ciphertext = publicEncrypt(
          { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
          plaintext,
        );
        const decrypted = await ok(
          'decrypt',
          '--key-id',
          key.KeyId,
          '--ciphertext-blob',
          file('rsa-cipher.bin', ciphertext),
          '--encryption-algorithm',
          'RSAES_OAEP_SHA_256',
        );
        expect(decrypted).toMatchObject({ KeyId: key.Arn, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
        expect(Buffer.from(decrypted.Plaintext, 'base64').equals(plaintext)).toBe(true);
      });
    });
  });
});

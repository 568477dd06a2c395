import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  KMSClient,
  ListKeysCommand,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../support/failure.js';
import { ADMIN, startKeyledger, type Harness } from '../support/keyledger-harness.js';

const LONE = '\ud800';
const recipient = {
  AttestationDocument: Buffer.from('not an attestation'),
  KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const,
};

describe('protocol refusals through the AWS SDK (issue 11, points 2, 3, 4 and 8)', () => {
  let h: Harness;
  let keyId: string;
  let ciphertext: Uint8Array;
  beforeAll(async () => {
    h = await startKeyledger();
    keyId = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    ciphertext = (await h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('p') }))).CiphertextBlob!;
  });
  afterAll(() => h.close());

  it('a lone surrogate in an encryption context is a 400 ValidationException on every operation that takes one', async () => {
    const context = { purpose: LONE };
    const calls = [
      h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('p'), EncryptionContext: context })),
      h.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext, EncryptionContext: context })),
      h.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context })),
      h.kms.send(
        new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }),
      ),
      h.kms.send(
        new ReEncryptCommand({ CiphertextBlob: ciphertext, DestinationKeyId: keyId, SourceEncryptionContext: context }),
      ),
      h.kms.send(
        new ReEncryptCommand({
          CiphertextBlob: ciphertext,
          DestinationKeyId: keyId,
          DestinationEncryptionContext: context,
        }),
      ),
    ];
    for (const call of calls) {
      const e = await failure(call);
      expect([e.name, e.status]).toEqual(['ValidationException', 400]);
    }
  });

  it.each([
    ['Decrypt', (kms: KMSClient) => kms.send(new DecryptCommand({ CiphertextBlob: ciphertext, Recipient: recipient }))],
    [
      'GenerateDataKey',
      (kms: KMSClient) =>
        kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', Recipient: recipient })),
    ],
    [
      'GenerateRandom',
      (kms: KMSClient) => kms.send(new GenerateRandomCommand({ NumberOfBytes: 32, Recipient: recipient })),
    ],
  ])('%s with a Recipient is refused and returns no plaintext', async (_op, call) => {
    const e = await failure(call(h.kms));
    expect([e.name, e.status]).toEqual(['UnsupportedOperationException', 400]);
    expect(e.message).toMatch(/attestation/);
  });

  it('CreateKey with a Policy that has no statement is MalformedPolicyDocumentException and creates no key', async () => {
    const before = (await h.kms.send(new ListKeysCommand({}))).Keys!.length;
    const e = await failure(h.kms.send(new CreateKeyCommand({ Policy: '{"Version":"2012-10-17","Statement":[]}' })));
    expect([e.name, e.status]).toEqual(['MalformedPolicyDocumentException', 400]);
    expect((await h.kms.send(new ListKeysCommand({}))).Keys!.length).toBe(before);
  });

  it('a request with a session token is UnrecognizedClientException, even when correctly signed', async () => {
    const kms = new KMSClient({
      endpoint: h.url,
      region: 'us-east-1',
      credentials: { ...ADMIN, sessionToken: 'FwoGZXIvYXdzEXAMPLE' },
      maxAttempts: 1,
      systemClockOffset: h.clock.now().getTime() - Date.now(),
    });
    const e = await failure(kms.send(new ListKeysCommand({})));
    kms.destroy();
    expect([e.name, e.status, e.message]).toEqual([
      'UnrecognizedClientException',
      400,
      'The security token included in the request is invalid.',
    ]);
  });
});

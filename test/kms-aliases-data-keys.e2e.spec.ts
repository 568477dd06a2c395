import {
  CreateAliasCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  ListAliasesCommand,
  ReEncryptCommand,
  UpdateAliasCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('KMS aliases, data keys and random bytes through the AWS SDK', () => {
  let h: Harness;
  let kms: KMSClient;
  beforeAll(async () => {
    h = await startKeyledger();
    kms = h.kms;
  });
  afterAll(() => h.close());

  const createKey = (description?: string) => h.createKey(description);

  it('aliases: create, use in place of the key id, move, list, delete', async () => {
    const a = await createKey();
    const b = await createKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/orders', TargetKeyId: a.KeyId }));
    const viaAlias = await kms.send(new EncryptCommand({ KeyId: 'alias/orders', Plaintext: Buffer.from('1') }));
    expect(viaAlias.KeyId).toBe(a.Arn);
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/orders', TargetKeyId: b.Arn }));
    const viaAliasArn = await kms.send(
      new EncryptCommand({ KeyId: 'arn:aws:kms:us-east-1:111122223333:alias/orders', Plaintext: Buffer.from('2') }),
    );
    expect(viaAliasArn.KeyId).toBe(b.Arn);
    // The ciphertext made through the alias before the move still decrypts under the key that made it.
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: viaAlias.CiphertextBlob }))).KeyId).toBe(a.Arn);
    const listed = await kms.send(new ListAliasesCommand({ KeyId: b.KeyId }));
    expect(listed.Aliases!.map((x) => x.AliasName)).toEqual(['alias/orders']);
    expect(listed.Aliases![0]).toMatchObject({
      AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/orders',
      TargetKeyId: b.KeyId,
    });
    expect((await kms.send(new ListAliasesCommand({ KeyId: a.KeyId }))).Aliases).toEqual([]);
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/orders' }));
    expect((await failure(kms.send(new DescribeKeyCommand({ KeyId: 'alias/orders' })))).name).toBe('NotFoundException');
  });

  it('alias names: prefix required, alias/aws/ reserved, names unique', async () => {
    const key = await createKey();
    expect(
      await failure(kms.send(new CreateAliasCommand({ AliasName: 'orders', TargetKeyId: key.KeyId }))),
    ).toMatchObject({
      name: 'ValidationException',
      message:
        'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    });
    expect(
      (await failure(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/s3', TargetKeyId: key.KeyId })))).name,
    ).toBe('InvalidAliasNameException');
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/unique', TargetKeyId: key.KeyId }));
    expect(
      (await failure(kms.send(new CreateAliasCommand({ AliasName: 'alias/unique', TargetKeyId: key.KeyId })))).name,
    ).toBe('AlreadyExistsException');
  });

  it('10 concurrent CreateAlias of one name: exactly one wins, the rest AlreadyExistsException', async () => {
    const keys = await Promise.all(Array.from({ length: 10 }, () => createKey()));
    const results = await Promise.allSettled(
      keys.map((k) => kms.send(new CreateAliasCommand({ AliasName: 'alias/contended', TargetKeyId: k.KeyId }))),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => (r.reason as Error).name)).toEqual(Array(9).fill('AlreadyExistsException'));
    const winner = keys[results.findIndex((r) => r.status === 'fulfilled')]!;
    expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/contended' }))).KeyMetadata!.KeyId).toBe(
      winner.KeyId,
    );
  });

  it('data keys: GenerateDataKey returns a plaintext that decrypts from its blob; without plaintext too', async () => {
    const key = await createKey();
    const dk = await kms.send(
      new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { k: 'v' } }),
    );
    expect(dk.Plaintext).toHaveLength(32);
    expect(dk.KeyId).toBe(key.Arn);
    const back = await kms.send(
      new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { k: 'v' } }),
    );
    expect(Buffer.from(back.Plaintext!).equals(Buffer.from(dk.Plaintext!))).toBe(true);
    const dk16 = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 16 }));
    expect(dk16.Plaintext).toHaveLength(16);
    const noPlain = await kms.send(
      new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_128' }),
    );
    expect((noPlain as { Plaintext?: unknown }).Plaintext).toBeUndefined();
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: noPlain.CiphertextBlob }))).Plaintext).toHaveLength(16);
    expect((await failure(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId })))).name).toBe(
      'ValidationException',
    );
  });

  it('ReEncrypt moves a ciphertext to another key and reports both backing keys', async () => {
    const a = await createKey();
    const b = await createKey();
    const enc = await kms.send(
      new EncryptCommand({ KeyId: a.KeyId, Plaintext: Buffer.from('move me'), EncryptionContext: { x: '1' } }),
    );
    const re = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: enc.CiphertextBlob,
        SourceEncryptionContext: { x: '1' },
        DestinationKeyId: b.KeyId,
        DestinationEncryptionContext: { y: '2' },
      }),
    );
    expect(re).toMatchObject({
      SourceKeyId: a.Arn,
      KeyId: b.Arn,
      SourceKeyMaterialId: a.CurrentKeyMaterialId,
      DestinationKeyMaterialId: b.CurrentKeyMaterialId,
    });
    const dec = await kms.send(
      new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { y: '2' } }),
    );
    expect(text(dec.Plaintext)).toBe('move me');
  });

  it('GenerateRandom returns fresh random bytes, as many as asked for, within 1..1024', async () => {
    const draws = await Promise.all(
      Array.from({ length: 4 }, () => kms.send(new GenerateRandomCommand({ NumberOfBytes: 64 }))),
    );
    const hex = draws.map((d) => Buffer.from(d.Plaintext!).toString('hex'));
    for (const d of draws) expect(d.Plaintext).toHaveLength(64);
    expect(new Set(hex).size).toBe(4);
    // Random bytes, not a counter or a pattern: 256 bytes from a uniform source hit well over 100 distinct values
    // (about 162 expected) and about half their bits set.
    const all = Buffer.from(hex.join(''), 'hex');
    expect(new Set(all).size).toBeGreaterThan(100);
    const ones = [...all].reduce((n, byte) => n + byte.toString(2).replaceAll('0', '').length, 0);
    expect(ones).toBeGreaterThan(all.length * 8 * 0.4);
    expect(ones).toBeLessThan(all.length * 8 * 0.6);
    expect((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 1 }))).Plaintext).toHaveLength(1);
    expect((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 1024 }))).Plaintext).toHaveLength(1024);
    expect(await failure(kms.send(new GenerateRandomCommand({ NumberOfBytes: 0 })))).toMatchObject({
      name: 'ValidationException',
    });
    expect(await failure(kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })))).toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    });
  });
});

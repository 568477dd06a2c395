import {
  CancelKeyDeletionCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateKeyDescriptionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('KMS key lifecycle through the AWS SDK', () => {
  let h: Harness;
  let kms: KMSClient;
  beforeAll(async () => {
    h = await startKeyledger();
    kms = h.kms;
  });
  afterAll(() => h.close());

  const createKey = (description?: string) => h.createKey(description);

  it('creates a symmetric key with AWS KeyMetadata', async () => {
    const key = await createKey('payments');
    expect(key).toMatchObject({
      AWSAccountId: '111122223333',
      Arn: `arn:aws:kms:us-east-1:111122223333:key/${key.KeyId}`,
      Description: 'payments',
      Enabled: true,
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      KeyManager: 'CUSTOMER',
      MultiRegion: false,
      Origin: 'AWS_KMS',
    });
    expect(key.CreationDate).toBeInstanceOf(Date);
    expect(key.CurrentKeyMaterialId).toMatch(/^[a-f0-9]{64}$/);
    const described = (await kms.send(new DescribeKeyCommand({ KeyId: key.Arn }))).KeyMetadata!;
    expect(described.KeyId).toBe(key.KeyId);
  });

  it('encrypts and decrypts, reporting the key ARN and backing key', async () => {
    const key = await createKey();
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('attack at dawn') }));
    expect(enc).toMatchObject({ KeyId: key.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    expect(text(dec.Plaintext)).toBe('attack at dawn');
    expect(dec.KeyId).toBe(key.Arn);
    expect(dec.KeyMaterialId).toBe(key.CurrentKeyMaterialId);
  });

  it('rotation keeps every older ciphertext decryptable and Decrypt names the backing key that made it', async () => {
    const key = await createKey();
    const made: Array<{ blob: Uint8Array; material: string; plaintext: string }> = [];
    for (let i = 0; i < 4; i++) {
      const material = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!
        .CurrentKeyMaterialId!;
      const plaintext = `generation ${i}`;
      const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from(plaintext) }));
      made.push({ blob: enc.CiphertextBlob!, material, plaintext });
      await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    }
    expect(new Set(made.map((m) => m.material)).size).toBe(4);
    for (const m of made) {
      const dec = await kms.send(new DecryptCommand({ CiphertextBlob: m.blob }));
      expect(text(dec.Plaintext)).toBe(m.plaintext);
      expect(dec.KeyMaterialId).toBe(m.material);
    }
    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }));
    expect(rotations.Rotations).toHaveLength(4);
    expect(rotations.Rotations!.every((r) => r.RotationType === 'ON_DEMAND')).toBe(true);
    expect(rotations.Rotations!.filter((r) => r.KeyMaterialState === 'CURRENT')).toHaveLength(1);
    const all = await kms.send(
      new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    expect(all.Rotations).toHaveLength(5);
  });

  it('binds the encryption context: a missing or different context fails with an empty message', async () => {
    const key = await createKey();
    const context = { tenant: 'acme', purpose: 'invoices' };
    const enc = await kms.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), EncryptionContext: context }),
    );
    const ok = await kms.send(
      new DecryptCommand({
        CiphertextBlob: enc.CiphertextBlob,
        EncryptionContext: { purpose: 'invoices', tenant: 'acme' },
      }),
    );
    expect(text(ok.Plaintext)).toBe('x');
    for (const wrong of [undefined, { tenant: 'acme' }, { tenant: 'acme', purpose: 'invoice' }] as Array<
      Record<string, string> | undefined
    >) {
      const f = await failure(
        kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: wrong })),
      );
      expect(f).toMatchObject({ name: 'InvalidCiphertextException', status: 400 });
    }
  });

  it('refuses a ciphertext with any single flipped bit, and a truncated one', async () => {
    const key = await createKey();
    const blob = Buffer.from(
      (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('integrity') }))).CiphertextBlob!,
    );
    // Bytes 2..17 name the key: a flip there names a key that does not exist, and the answer must not say so
    // (NotFoundException would tell a prober which key ids exist); everywhere else the tag no longer matches.
    for (const index of [0, 1, 2, 5, 17, 18, 20, 50, 70, 82, 94, blob.length - 20, blob.length - 1]) {
      const flipped = Buffer.from(blob);
      flipped[index]! ^= 0x01;
      const f = await failure(kms.send(new DecryptCommand({ CiphertextBlob: flipped })));
      expect({ index, name: f.name, status: f.status }).toEqual({
        index,
        name: 'InvalidCiphertextException',
        status: 400,
      });
    }
    const truncated = await failure(
      kms.send(new DecryptCommand({ CiphertextBlob: blob.subarray(0, blob.length - 1) })),
    );
    expect(truncated.name).toBe('InvalidCiphertextException');
    const garbage = await failure(
      kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('not a keyledger ciphertext') })),
    );
    expect(garbage.name).toBe('InvalidCiphertextException');
  });

  it('Decrypt with the KeyId of another key answers IncorrectKeyException', async () => {
    const a = await createKey();
    const b = await createKey();
    const enc = await kms.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: Buffer.from('x') }));
    const f = await failure(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: b.KeyId })));
    expect(f).toMatchObject({
      name: 'IncorrectKeyException',
      message: 'The key ID in the request does not identify a CMK that can perform this operation.',
    });
    const ok = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: a.Arn }));
    expect(text(ok.Plaintext)).toBe('x');
  });

  it('disable is honoured by the very next Decrypt; enable restores it', async () => {
    const key = await createKey();
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect(await failure(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).toMatchObject({
      name: 'DisabledException',
      message: `${key.Arn} is disabled.`,
    });
    expect((await failure(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })))).name).toBe(
      'DisabledException',
    );
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata).toMatchObject({
      Enabled: false,
      KeyState: 'Disabled',
    });
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect(text((await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext)).toBe('x');
  });

  it('schedules deletion (7 to 30 days), refuses use while pending, cancels back to Disabled', async () => {
    const key = await createKey();
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    expect(
      (await failure(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 6 })))).name,
    ).toBe('ValidationException');
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect(scheduled).toMatchObject({ KeyId: key.Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate!.getTime() - h.clock.now().getTime()).toBeCloseTo(7 * 86_400_000, -4);
    expect(await failure(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${key.Arn} is pending deletion.`,
    });
    expect((await failure(kms.send(new EnableKeyCommand({ KeyId: key.KeyId })))).name).toBe('KMSInvalidStateException');
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata).toMatchObject({
      KeyState: 'Disabled',
      Enabled: false,
    });
    expect(await failure(kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${key.Arn} is not pending deletion.`,
    });
  });

  it('rotation settings: enable with a period, status with NextRotationDate, disable', async () => {
    const key = await createKey();
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    expect(status.NextRotationDate!.getTime() - h.clock.now().getTime()).toBeCloseTo(90 * 86_400_000, -4);
    expect(
      (await failure(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 89 })))).name,
    ).toBe('ValidationException');
    await kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId }));
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(false);
  });

  it('on-demand rotation is limited per key', async () => {
    const limited = await startKeyledger({ env: { KEYLEDGER_MAX_ON_DEMAND_ROTATIONS: '2' } });
    try {
      const key = (await limited.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      await limited.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
      await limited.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
      expect((await failure(limited.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })))).name).toBe(
        'LimitExceededException',
      );
    } finally {
      await limited.close();
    }
  });

  it('description and tags are kept', async () => {
    const key = (await kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'team', TagValue: 'pay' }] }))).KeyMetadata!;
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'renamed' }));
    await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'env', TagValue: 'prod' }] }));
    await kms.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['team'] }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.Description).toBe('renamed');
    expect((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([
      { TagKey: 'env', TagValue: 'prod' },
    ]);
  });

  it('ListKeys pages with Limit and Marker without skipping or repeating', async () => {
    for (let i = 0; i < 3; i++) await createKey();
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await kms.send(new ListKeysCommand({ Limit: 2, Marker: marker }));
      expect(page.Keys!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Keys!.map((k) => k.KeyId!));
      marker = page.Truncated ? page.NextMarker : undefined;
    } while (marker);
    expect(new Set(seen).size).toBe(seen.length);
    const all = await kms.send(new ListKeysCommand({ Limit: 1000 }));
    expect(seen.sort()).toEqual(all.Keys!.map((k) => k.KeyId!).sort());
    expect((await failure(kms.send(new ListKeysCommand({ Marker: 'bogus' })))).name).toBe('InvalidMarkerException');
  });

  it('NotFound texts for unknown and malformed key ids and for another region', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await failure(kms.send(new DescribeKeyCommand({ KeyId: missing })))).toMatchObject({
      name: 'NotFoundException',
      message: `Key 'arn:aws:kms:us-east-1:111122223333:key/${missing}' does not exist`,
    });
    expect(await failure(kms.send(new DescribeKeyCommand({ KeyId: 'fake-key-id' })))).toMatchObject({
      name: 'NotFoundException',
      message: "Invalid keyId 'fake-key-id'",
    });
    expect(
      await failure(kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:eu-west-1:111122223333:key/${missing}` }))),
    ).toMatchObject({ name: 'NotFoundException', message: 'Invalid arn eu-west-1' });
  });
});

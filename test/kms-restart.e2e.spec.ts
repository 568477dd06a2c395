import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { startKeyledger } from './support/keyledger-harness.js';

describe('a restart on the same data directory', () => {
  it('keeps every key, alias, state and ciphertext working', async () => {
    const first = await startKeyledger();
    const kms = first.kms;
    const key = (await kms.send(new CreateKeyCommand({ Description: 'survivor' }))).KeyMetadata!;
    const before = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('before rotation') }));
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const after = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('after rotation') }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/survivor', TargetKeyId: key.KeyId }));
    const disabled = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    await first.stop();

    const second = await startKeyledger({ dataDir: first.dataDir, clock: first.clock });
    try {
      const again = second.kms;
      const described = (await again.send(new DescribeKeyCommand({ KeyId: 'alias/survivor' }))).KeyMetadata!;
      expect(described).toMatchObject({ KeyId: key.KeyId, Description: 'survivor', KeyState: 'Enabled' });
      const a = await again.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }));
      const b = await again.send(new DecryptCommand({ CiphertextBlob: after.CiphertextBlob }));
      expect(Buffer.from(a.Plaintext!).toString()).toBe('before rotation');
      expect(Buffer.from(b.Plaintext!).toString()).toBe('after rotation');
      expect(a.KeyMaterialId).toBe(key.CurrentKeyMaterialId);
      expect(b.KeyMaterialId).toBe(described.CurrentKeyMaterialId);
      expect(a.KeyMaterialId).not.toBe(b.KeyMaterialId);
      expect((await again.send(new DescribeKeyCommand({ KeyId: disabled.KeyId }))).KeyMetadata!.KeyState).toBe(
        'Disabled',
      );
    } finally {
      await second.close();
    }
  });
});

import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

/** Issue 11 point 7: identifiers AWS refuses are refused here too. */
describe('loose identifiers are refused', () => {
  let h: Harness;
  let keyId: string;
  let arn: string;
  beforeAll(async () => {
    h = await startKeyledger();
    const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    keyId = key.KeyId!;
    arn = key.Arn!;
    await h.kms.send(new CreateAliasCommand({ AliasName: 'alias/p1-ok', TargetKeyId: keyId }));
  });
  afterAll(async () => {
    await h.close();
  });

  it('the key ARN and the alias resolve', async () => {
    expect((await h.kms.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!.KeyId).toBe(keyId);
    expect((await h.kms.send(new DescribeKeyCommand({ KeyId: 'alias/p1-ok' }))).KeyMetadata!.KeyId).toBe(keyId);
  });

  it('an ARN of another partition is NotFound', async () => {
    for (const partition of ['anything', 'aws-cn', 'aws-us-gov']) {
      const other = arn.replace(/^arn:aws:/, `arn:${partition}:`);
      const error = await failure(h.kms.send(new DescribeKeyCommand({ KeyId: other })));
      expect(error).toMatchObject({ name: 'NotFoundException', message: `Invalid arn ${other}` });
    }
  });

  it('a key/ ARN whose resource is an alias is NotFound, not the alias key', async () => {
    const keyArnOfAlias = arn.replace(/key\/.*$/, 'key/alias/p1-ok');
    for (const send of [
      () => h.kms.send(new DescribeKeyCommand({ KeyId: keyArnOfAlias })),
      () => h.kms.send(new EncryptCommand({ KeyId: keyArnOfAlias, Plaintext: Buffer.from('x') })),
    ])
      expect((await failure(send())).name).toBe('NotFoundException');
  });

  it('the reserved alias/aws/ prefix is refused in any case', async () => {
    for (const name of ['alias/aws/x', 'alias/AWS/x', 'alias/Aws/x']) {
      const error = await failure(h.kms.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: keyId })));
      expect(error).toMatchObject({ name: 'InvalidAliasNameException', status: 400 });
    }
    expect((await failure(h.kms.send(new DescribeKeyCommand({ KeyId: 'alias/AWS/x' })))).name).toBe(
      'NotFoundException',
    );
  });
});

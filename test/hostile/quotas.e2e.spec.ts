import {
  CreateAliasCommand,
  CreateKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
  ListResourceTagsCommand,
  TagResourceCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { MAX_ALIASES_PER_KEY, MAX_GRANT_TOKENS_PER_REQUEST, MAX_TAGS_PER_KEY } from '@keyledger/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../support/failure.js';
import { startKeyledger, type Harness } from '../support/keyledger-harness.js';

describe('tags and quotas through the AWS SDK (issue 11, points 5 and 6)', () => {
  let h: Harness;
  let keyId: string;
  beforeAll(async () => {
    h = await startKeyledger();
    keyId = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  });
  afterAll(() => h.close());

  it('many copies of one tag key in one request: TagException "Duplicate tag keys", nothing stored', async () => {
    const copies = Array.from({ length: 500 }, (_, i) => ({ TagKey: 'a', TagValue: String(i) }));
    const e = await failure(h.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: copies })));
    expect([e.name, e.message]).toEqual(['TagException', 'Duplicate tag keys']);
    expect((await h.kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags).toEqual([]);
  });

  it(`a tag key is kept once, its new value replacing the old; ${MAX_TAGS_PER_KEY} tags at most`, async () => {
    await h.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'a', TagValue: '1' }] }));
    await h.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'a', TagValue: '2' }] }));
    expect((await h.kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags).toEqual([
      { TagKey: 'a', TagValue: '2' },
    ]);
    const rest = Array.from({ length: MAX_TAGS_PER_KEY - 1 }, (_, i) => ({ TagKey: `t${i}`, TagValue: '' }));
    await h.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: rest }));
    const e = await failure(
      h.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'x', TagValue: '' }] })),
    );
    expect([e.name, e.message]).toEqual(['TagException', 'Too many tags']);
    const created = await failure(
      h.kms.send(
        new CreateKeyCommand({
          Tags: Array.from({ length: MAX_TAGS_PER_KEY + 1 }, (_, i) => ({ TagKey: `t${i}`, TagValue: '' })),
        }),
      ),
    );
    expect([created.name, created.message]).toEqual(['TagException', 'Too many tags']);
  });

  it(`${MAX_ALIASES_PER_KEY} aliases per key: one more is LimitExceededException, on CreateAlias and UpdateAlias`, async () => {
    const target = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    for (let i = 0; i < MAX_ALIASES_PER_KEY; i++)
      await h.kms.send(new CreateAliasCommand({ AliasName: `alias/q-${i}`, TargetKeyId: target }));
    const e = await failure(h.kms.send(new CreateAliasCommand({ AliasName: 'alias/q-more', TargetKeyId: target })));
    expect(e.name).toBe('LimitExceededException');
    await h.kms.send(new CreateAliasCommand({ AliasName: 'alias/elsewhere', TargetKeyId: keyId }));
    const moved = await failure(
      h.kms.send(new UpdateAliasCommand({ AliasName: 'alias/elsewhere', TargetKeyId: target })),
    );
    expect(moved.name).toBe('LimitExceededException');
    expect((await h.kms.send(new ListAliasesCommand({ KeyId: target }))).Aliases).toHaveLength(MAX_ALIASES_PER_KEY);
  });

  it(`more than ${MAX_GRANT_TOKENS_PER_REQUEST} GrantTokens is a ValidationException`, async () => {
    const e = await failure(
      h.kms.send(
        new EncryptCommand({
          KeyId: keyId,
          Plaintext: Buffer.from('p'),
          GrantTokens: Array.from({ length: MAX_GRANT_TOKENS_PER_REQUEST + 1 }, () => 'token'),
        }),
      ),
    );
    expect(e.name).toBe('ValidationException');
  });
});

import {
  CreateKeyCommand,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
  TagResourceCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

/** Issue 11 point 17: commands on one key inside one process queue; they do not race each other. */
describe('concurrent commands on one key in one process', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startKeyledger();
  });
  afterAll(async () => {
    await h.close();
  });

  it('50 concurrent RotateKeyOnDemand: exactly the limit succeed, the rest LimitExceeded, never a conflict', async () => {
    const limit = h.config.maxOnDemandRotations;
    const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, () => h.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }))),
    );
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as Error).name] : []));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(Math.min(50, limit));
    expect(new Set(failures)).toEqual(new Set(50 > limit ? ['LimitExceededException'] : []));
    const rotations = await h.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }));
    expect(rotations.Rotations).toHaveLength(Math.min(50, limit));
  });

  it('50 concurrent TagResource on one key all succeed and every tag is kept', async () => {
    const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        h.kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: `t${i}`, TagValue: `${i}` }] })),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect((await h.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toHaveLength(50);
  });
});

import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;
type Region = (typeof REGIONS)[number];
const ACCOUNT = '111122223333';
const DAY = 86_400_000;

const keyIdsOf = async (kms: KMSClient): Promise<string[]> =>
  ((await kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys ?? []).map((k) => k.KeyId!);

describe('one endpoint for three regions: keys and aliases belong to the region a request is signed for', () => {
  let h: Harness;
  const kms = {} as Record<Region, KMSClient>;
  const keys = {} as Record<Region, string>;

  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_REGIONS: REGIONS.join(',') } });
    for (const region of REGIONS) {
      kms[region] = h.client(ADMIN, region);
      keys[region] = (await kms[region].send(new CreateKeyCommand({ Description: region }))).KeyMetadata!.KeyId!;
    }
  });
  afterAll(() => h.close());

  it('a key carries the ARN of the region it was created in', async () => {
    for (const region of REGIONS) {
      const key = (await kms[region].send(new DescribeKeyCommand({ KeyId: keys[region] }))).KeyMetadata!;
      expect(key.Arn).toBe(`arn:aws:kms:${region}:${ACCOUNT}:key/${keys[region]}`);
      expect(key.Description).toBe(region);
    }
  });

  it('ListKeys shows the region’s keys only', async () => {
    for (const region of REGIONS) expect(await keyIdsOf(kms[region])).toEqual([keys[region]]);
  });

  it('a key id resolves only in its region; an ARN of another region is refused as AWS refuses it', async () => {
    const id = keys['eu-west-1'];
    expect(await failure(kms['us-east-1'].send(new DescribeKeyCommand({ KeyId: id })))).toMatchObject({
      name: 'NotFoundException',
      message: `Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}' does not exist`,
    });
    const arn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${id}`;
    expect(await failure(kms['ap-southeast-2'].send(new DescribeKeyCommand({ KeyId: arn })))).toMatchObject({
      name: 'NotFoundException',
      message: 'Invalid arn eu-west-1',
    });
    expect((await kms['eu-west-1'].send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!.KeyId).toBe(id);
  });

  it('one alias name in every region, each naming its own region’s key, listed per region', async () => {
    for (const region of REGIONS)
      await kms[region].send(new CreateAliasCommand({ AliasName: 'alias/shared-name', TargetKeyId: keys[region] }));
    for (const region of REGIONS) {
      const aliases = (await kms[region].send(new ListAliasesCommand({}))).Aliases!;
      expect(aliases.map((a) => [a.AliasName, a.TargetKeyId, a.AliasArn])).toEqual([
        ['alias/shared-name', keys[region], `arn:aws:kms:${region}:${ACCOUNT}:alias/shared-name`],
      ]);
      const byKey = await kms[region].send(new ListAliasesCommand({ KeyId: keys[region] }));
      expect(byKey.Aliases!.map((a) => a.AliasName)).toEqual(['alias/shared-name']);
      const sealed = await kms[region].send(
        new EncryptCommand({ KeyId: 'alias/shared-name', Plaintext: Buffer.from(region) }),
      );
      expect(sealed.KeyId).toBe(`arn:aws:kms:${region}:${ACCOUNT}:key/${keys[region]}`);
    }
    // Unique within a region still.
    expect(
      (
        await failure(
          kms['eu-west-1'].send(
            new CreateAliasCommand({ AliasName: 'alias/shared-name', TargetKeyId: keys['eu-west-1'] }),
          ),
        )
      ).name,
    ).toBe('AlreadyExistsException');
    // An alias of another region does not resolve here, and its target key is not this region's.
    expect(
      await failure(
        kms['us-east-1'].send(new CreateAliasCommand({ AliasName: 'alias/elsewhere', TargetKeyId: keys['eu-west-1'] })),
      ),
    ).toMatchObject({ name: 'NotFoundException' });
  });

  it('a ciphertext decrypts in its key’s region and nowhere else', async () => {
    const { CiphertextBlob } = await kms['eu-west-1'].send(
      new EncryptCommand({ KeyId: keys['eu-west-1'], Plaintext: Buffer.from('only here') }),
    );
    const opened = await kms['eu-west-1'].send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('only here');
    expect(opened.KeyId).toBe(`arn:aws:kms:eu-west-1:${ACCOUNT}:key/${keys['eu-west-1']}`);
    expect((await failure(kms['us-east-1'].send(new DecryptCommand({ CiphertextBlob })))).name).toBe(
      'InvalidCiphertextException',
    );
  });

  it('a region outside the list keeps InvalidSignatureException', async () => {
    const other = h.client(ADMIN, 'sa-east-1');
    expect(await failure(other.send(new ListKeysCommand({})))).toMatchObject({
      name: 'InvalidSignatureException',
      message: "Credential should be scoped to a valid region, not 'sa-east-1'.",
    });
  });

  it('the scheduler completes a deletion in the key’s own region', async () => {
    const doomed = (await kms['ap-southeast-2'].send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await kms['ap-southeast-2'].send(new ScheduleKeyDeletionCommand({ KeyId: doomed, PendingWindowInDays: 7 }));
    h.clock.advance(8 * DAY);
    try {
      expect((await h.scheduler().sweep()).deleted).toBe(1);
      const late = h.client(ADMIN, 'ap-southeast-2');
      expect(await keyIdsOf(late)).toEqual([keys['ap-southeast-2']]);
    } finally {
      h.clock.advance(-8 * DAY);
    }
  });
});

describe('a ledger written with one region', () => {
  it('keeps its keys in KEYLEDGER_REGION when more regions are served, with no migration', async () => {
    const first = await startKeyledger();
    const before = (await first.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await first.kms.send(new CreateAliasCommand({ AliasName: 'alias/old', TargetKeyId: before }));
    await first.stop();
    const h = await startKeyledger({ dataDir: first.dataDir, env: { KEYLEDGER_REGIONS: 'us-east-1,eu-west-1' } });
    try {
      expect(await keyIdsOf(h.kms)).toEqual([before]);
      const home = await h.kms.send(new EncryptCommand({ KeyId: 'alias/old', Plaintext: Buffer.from('x') }));
      expect(home.KeyId).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/${before}`);
      const eu = h.client(ADMIN, 'eu-west-1');
      expect(await keyIdsOf(eu)).toEqual([]);
      expect((await eu.send(new ListAliasesCommand({}))).Aliases).toEqual([]);
      // Created after the restart, in another region: still there after the next one (the view is rebuilt).
      const euKey = (await eu.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await eu.send(new CreateAliasCommand({ AliasName: 'alias/old', TargetKeyId: euKey }));
      await h.stop();
      const again = await startKeyledger({ dataDir: first.dataDir, env: { KEYLEDGER_REGIONS: 'us-east-1,eu-west-1' } });
      try {
        expect(await keyIdsOf(again.client(ADMIN, 'eu-west-1'))).toEqual([euKey]);
        expect(await keyIdsOf(again.kms)).toEqual([before]);
        const aliases = (await again.client(ADMIN, 'eu-west-1').send(new ListAliasesCommand({}))).Aliases!;
        expect(aliases.map((a) => a.TargetKeyId)).toEqual([euKey]);
      } finally {
        await again.close();
      }
    } finally {
      await h.stop().catch(() => undefined);
    }
  });

  it('KEYLEDGER_REGIONS=* serves any well-formed region name', async () => {
    const h = await startKeyledger({ env: { KEYLEDGER_REGIONS: '*' } });
    try {
      const far = h.client(ADMIN, 'me-central-1');
      const key = (await far.send(new CreateKeyCommand({}))).KeyMetadata!;
      expect(key.Arn).toBe(`arn:aws:kms:me-central-1:${ACCOUNT}:key/${key.KeyId}`);
      expect(await keyIdsOf(h.kms)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

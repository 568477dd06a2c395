import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boto3Json, boto3Python } from './support/python-sdk.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

/** boto3, one client per region against one endpoint, as the emulator test suites use it. */
const BOTO3_REGIONS = `
import sys, json, boto3
url, access, secret = sys.argv[1:4]
regions = sys.argv[4:]
clients = {r: boto3.client('kms', region_name=r, endpoint_url=url, aws_access_key_id=access,
                           aws_secret_access_key=secret) for r in regions}
made = {r: clients[r].create_key(Description=r)['KeyMetadata'] for r in regions}
for r in regions:
    clients[r].create_alias(AliasName='alias/boto', TargetKeyId=made[r]['KeyId'])
out = {}
for r in regions:
    other = regions[(regions.index(r) + 1) % len(regions)]
    try:
        clients[r].describe_key(KeyId=made[other]['KeyId'])
        foreign = None
    except clients[r].exceptions.NotFoundException as e:
        foreign = e.response['Error']['Message']
    out[r] = {
        'arn': made[r]['Arn'],
        'keyId': made[r]['KeyId'],
        'listed': [k['KeyId'] for k in clients[r].list_keys()['Keys']],
        'aliases': [[a['AliasName'], a['TargetKeyId'], a['AliasArn']] for a in clients[r].list_aliases()['Aliases']],
        'foreign': foreign,
    }
print(json.dumps(out))
`;

describe('three regions through boto3', () => {
  let h: Harness;
  let python: string | undefined;

  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_REGIONS: REGIONS.join(',') } });
    python = await boto3Python();
  });
  afterAll(() => h.close());

  it('keys, aliases and ARNs per region', async () => {
    const out = (await boto3Json(python, BOTO3_REGIONS, [
      h.url,
      ADMIN.accessKeyId,
      ADMIN.secretAccessKey,
      ...REGIONS,
    ])) as Record<
      string,
      { arn: string; keyId: string; listed: string[]; aliases: string[][]; foreign: string | null }
    >;
    REGIONS.forEach((region, i) => {
      const mine = out[region]!;
      const other = out[REGIONS[(i + 1) % REGIONS.length]!]!;
      expect(mine.arn).toBe(`arn:aws:kms:${region}:111122223333:key/${mine.keyId}`);
      expect(mine.listed).toEqual([mine.keyId]);
      expect(mine.aliases).toEqual([['alias/boto', mine.keyId, `arn:aws:kms:${region}:111122223333:alias/boto`]]);
      expect(mine.foreign).toBe(`Key 'arn:aws:kms:${region}:111122223333:key/${other.keyId}' does not exist`);
    });
  });
});

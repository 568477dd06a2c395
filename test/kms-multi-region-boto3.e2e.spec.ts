import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boto3Json, boto3Python } from './support/python-sdk.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

/** A multi-Region key's life through boto3, one client per region against one endpoint. */
const BOTO3_MULTI_REGION = `
import sys, json, boto3
url, access, secret = sys.argv[1:4]
primary, *replicas = sys.argv[4:]
kms = {r: boto3.client('kms', region_name=r, endpoint_url=url, aws_access_key_id=access,
                       aws_secret_access_key=secret) for r in [primary, *replicas]}
def config(r, key_id):
    return kms[r].describe_key(KeyId=key_id)['KeyMetadata']['MultiRegionConfiguration']
def refused(call):
    try:
        call()
        return None
    except kms[primary].exceptions.ClientError as e:
        return [e.response['Error']['Code'], e.response['Error']['Message']]
out = {}
created = kms[primary].create_key(MultiRegion=True, Description='boto mrk')['KeyMetadata']
key_id = out['keyId'] = created['KeyId']
out['created'] = {'multiRegion': created['MultiRegion'], 'config': created['MultiRegionConfiguration']}
out['replicated'] = {}
for r in replicas:
    made = kms[primary].replicate_key(KeyId=key_id, ReplicaRegion=r, Description='boto ' + r)
    out['replicated'][r] = {'arn': made['ReplicaKeyMetadata']['Arn'],
                            'type': made['ReplicaKeyMetadata']['MultiRegionConfiguration']['MultiRegionKeyType']}
out['again'] = refused(lambda: kms[primary].replicate_key(KeyId=key_id, ReplicaRegion=replicas[0]))
blob = kms[primary].encrypt(KeyId=key_id, Plaintext=b'across regions')['CiphertextBlob']
out['decrypted'] = {r: kms[r].decrypt(CiphertextBlob=blob)['Plaintext'].decode() for r in replicas}
out['replicaRotation'] = refused(lambda: kms[replicas[0]].rotate_key_on_demand(KeyId=key_id))
kms[primary].rotate_key_on_demand(KeyId=key_id)
out['rotations'] = {r: [x['KeyMaterialId'] for x in kms[r].list_key_rotations(KeyId=key_id)['Rotations']]
                    for r in [primary, *replicas]}
kms[primary].update_primary_region(KeyId=key_id, PrimaryRegion=replicas[0])
out['moved'] = {r: config(r, key_id)['MultiRegionKeyType'] for r in [primary, *replicas]}
out['movedPrimary'] = config(primary, key_id)['PrimaryKey']['Region']
print(json.dumps(out))
`;

describe('a multi-Region key through boto3', () => {
  let h: Harness;
  let python: string | undefined;

  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_REGIONS: REGIONS.join(',') } });
    python = await boto3Python();
  });
  afterAll(() => h.close());

  it('create, replicate, decrypt across regions, rotate on the primary, move the primary', async () => {
    const out = await boto3Json(python, BOTO3_MULTI_REGION, [
      h.url,
      ADMIN.accessKeyId,
      ADMIN.secretAccessKey,
      ...REGIONS,
    ]);
    const keyId: string = out.keyId;
    const arn = (region: string) => `arn:aws:kms:${region}:111122223333:key/${keyId}`;
    expect(keyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(out.created).toEqual({
      multiRegion: true,
      config: {
        MultiRegionKeyType: 'PRIMARY',
        PrimaryKey: { Arn: arn('us-east-1'), Region: 'us-east-1' },
        ReplicaKeys: [],
      },
    });
    expect(out.replicated).toEqual({
      'eu-west-1': { arn: arn('eu-west-1'), type: 'REPLICA' },
      'ap-southeast-2': { arn: arn('ap-southeast-2'), type: 'REPLICA' },
    });
    expect(out.again).toEqual(['AlreadyExistsException', `Key '${arn('eu-west-1')}' already exists`]);
    expect(out.decrypted).toEqual({ 'eu-west-1': 'across regions', 'ap-southeast-2': 'across regions' });
    expect(out.replicaRotation[0]).toBe('UnsupportedOperationException');
    const rotations = out.rotations as Record<string, string[]>;
    expect(rotations['us-east-1']).toHaveLength(1);
    expect(rotations['eu-west-1']).toEqual(rotations['us-east-1']);
    expect(rotations['ap-southeast-2']).toEqual(rotations['us-east-1']);
    expect(out.moved).toEqual({ 'us-east-1': 'REPLICA', 'eu-west-1': 'PRIMARY', 'ap-southeast-2': 'REPLICA' });
    expect(out.movedPrimary).toBe('eu-west-1');
  });
});

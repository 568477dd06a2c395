import { describe, expect, it } from 'vitest';
import { authorizationRequests, requestAliasOf, type KeyFacts } from './kms-request.js';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const key = (id: string): KeyFacts => ({
  arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}`,
  origin: 'AWS_KMS',
  keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT',
  aliases: ['alias/app'],
});
const facts = { principalArn: ALICE, accountId: ACCOUNT, now: 1_000, sourceIp: '10.0.0.1' };

describe('authorizationRequests', () => {
  it('Decrypt: one action on the key, with its context, default algorithm and the key facts', () => {
    const [request, ...rest] = authorizationRequests({
      ...facts,
      operation: 'Decrypt',
      input: { CiphertextBlob: 'x', EncryptionContext: { app: 'a' } },
      key: key('k1'),
    });
    expect(rest).toEqual([]);
    expect(request).toEqual({
      principalArn: ALICE,
      accountId: ACCOUNT,
      currentTime: 1_000,
      sourceIp: '10.0.0.1',
      action: 'kms:Decrypt',
      resource: key('k1').arn,
      encryptionContext: { app: 'a' },
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      keyOrigin: 'AWS_KMS',
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      resourceAliases: ['alias/app'],
    });
  });

  it('an alias in KeyId is kms:RequestAlias', () => {
    const [request] = authorizationRequests({
      ...facts,
      operation: 'Encrypt',
      input: { KeyId: 'alias/app' },
      key: key('k1'),
    });
    expect(request.requestAlias).toBe('alias/app');
    expect(requestAliasOf(`arn:aws:kms:us-east-1:${ACCOUNT}:alias/app`)).toBe('alias/app');
    expect(requestAliasOf(key('k1').arn)).toBeUndefined();
    expect(requestAliasOf('1234')).toBeUndefined();
  });

  it('ReEncrypt: ReEncryptFrom on the source key, ReEncryptTo on the destination, each with its context', () => {
    const [from, to] = authorizationRequests({
      ...facts,
      operation: 'ReEncrypt',
      input: {
        SourceEncryptionContext: { s: '1' },
        DestinationKeyId: 'alias/dest',
        DestinationEncryptionContext: { d: '2' },
      },
      key: key('src'),
      otherKey: key('dst'),
    });
    expect([from.action, from.resource, from.encryptionContext]).toEqual([
      'kms:ReEncryptFrom',
      key('src').arn,
      { s: '1' },
    ]);
    expect([to.action, to.resource, to.encryptionContext, to.requestAlias]).toEqual([
      'kms:ReEncryptTo',
      key('dst').arn,
      { d: '2' },
      'alias/dest',
    ]);
  });

  it('operations on no key are asked on *; CreateKey carries its parameters with their defaults', () => {
    const [create] = authorizationRequests({ ...facts, operation: 'CreateKey', input: { Origin: 'EXTERNAL' } });
    expect([create.action, create.resource, create.keyOrigin, create.keySpec, create.keyUsage]).toEqual([
      'kms:CreateKey',
      '*',
      'EXTERNAL',
      'SYMMETRIC_DEFAULT',
      'ENCRYPT_DECRYPT',
    ]);
    const [random] = authorizationRequests({ ...facts, operation: 'GenerateRandom', input: {}, key: key('ignored') });
    expect(random.resource).toBe('*');
  });

  it('CreateGrant carries the grant condition keys', () => {
    const [request] = authorizationRequests({
      ...facts,
      operation: 'CreateGrant',
      input: { GranteePrincipal: 'g', RetiringPrincipal: 'r', Operations: ['Decrypt'] },
      key: key('k1'),
    });
    expect([
      request.grantOperations,
      request.granteePrincipal,
      request.retiringPrincipal,
      request.grantIsForAwsResource,
    ]).toEqual([['Decrypt'], 'g', 'r', false]);
  });

  it('UpdateAlias is asked of the old and the new target', () => {
    const requests = authorizationRequests({
      ...facts,
      operation: 'UpdateAlias',
      input: {},
      key: key('old'),
      otherKey: key('new'),
    });
    expect(requests.map((r) => r.resource)).toEqual([key('old').arn, key('new').arn]);
  });
});

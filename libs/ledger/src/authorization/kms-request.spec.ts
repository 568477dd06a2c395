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

describe('authorizationRequests: condition keys present only when the request gives them', () => {
  const bare = { principalArn: ALICE, accountId: ACCOUNT, now: 5 };
  const one = (operation: string, input: Record<string, unknown>, extra: object = { key: key('k1') }) => {
    const requests = authorizationRequests({ ...bare, operation, input, ...extra });
    expect(requests).toHaveLength(1);
    return requests[0];
  };
  const onKey = {
    principalArn: ALICE,
    accountId: ACCOUNT,
    currentTime: 5,
    keyOrigin: 'AWS_KMS',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    resourceAliases: ['alias/app'],
  };

  it('DescribeKey by key id: who, when, the key facts, and nothing else', () => {
    expect(one('DescribeKey', { KeyId: 'k1' })).toStrictEqual({
      ...onKey,
      action: 'kms:DescribeKey',
      resource: key('k1').arn,
    });
  });

  it('Encrypt: the algorithm defaults to SYMMETRIC_DEFAULT; a given one is kept', () => {
    expect(one('Encrypt', {}).encryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(one('Encrypt', { EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }).encryptionAlgorithm).toBe('RSAES_OAEP_SHA_1');
    expect(one('Decrypt', { EncryptionAlgorithm: 7 }).encryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
  });

  it('operations without an algorithm parameter carry no kms:EncryptionAlgorithm', () => {
    for (const operation of ['GenerateDataKey', 'Sign', 'DescribeKey']) {
      expect('encryptionAlgorithm' in one(operation, { EncryptionAlgorithm: 'X' })).toBe(false);
    }
  });

  it('an encryption context is taken only when it is an object', () => {
    expect(one('GenerateDataKey', { EncryptionContext: { a: 'b' } }).encryptionContext).toEqual({ a: 'b' });
    for (const EncryptionContext of [null, ['a'], 'a=b', 3, undefined]) {
      expect('encryptionContext' in one('GenerateDataKey', { EncryptionContext })).toBe(false);
    }
  });

  it('CreateGrant: operations (strings only), grantee and retiring principal when given', () => {
    const request = one('CreateGrant', { Operations: ['Decrypt', 3, 'Encrypt'] });
    expect(request.grantOperations).toEqual(['Decrypt', 'Encrypt']);
    expect('granteePrincipal' in request).toBe(false);
    expect('retiringPrincipal' in request).toBe(false);
    expect('grantOperations' in one('CreateGrant', { Operations: 'Decrypt' })).toBe(false);
  });

  it('the grant keys belong to CreateGrant only', () => {
    const request = one('ListGrants', { Operations: ['Decrypt'], GranteePrincipal: 'g', RetiringPrincipal: 'r' });
    expect(['grantOperations' in request, 'granteePrincipal' in request, 'retiringPrincipal' in request]).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('kms:GrantIsForAWSResource is false for CreateGrant, ListGrants and RevokeGrant, absent otherwise', () => {
    for (const operation of ['CreateGrant', 'ListGrants', 'RevokeGrant']) {
      expect(one(operation, {}).grantIsForAwsResource).toBe(false);
    }
    for (const operation of ['RetireGrant', 'Decrypt', 'ListRetirableGrants']) {
      expect('grantIsForAwsResource' in one(operation, {})).toBe(false);
    }
  });

  it('CreateKey: each key parameter, or its default', () => {
    const defaults = one('CreateKey', {}, {});
    expect(defaults).toStrictEqual({
      principalArn: ALICE,
      accountId: ACCOUNT,
      currentTime: 5,
      keyOrigin: 'AWS_KMS',
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      action: 'kms:CreateKey',
      resource: '*',
    });
    const given = one('CreateKey', { Origin: 'EXTERNAL', KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }, {});
    expect([given.keyOrigin, given.keySpec, given.keyUsage]).toEqual(['EXTERNAL', 'RSA_2048', 'SIGN_VERIFY']);
    expect(one('CreateKey', { CustomerMasterKeySpec: 'ECC_NIST_P256' }, {}).keySpec).toBe('ECC_NIST_P256');
    expect(one('CreateKey', { KeySpec: 'HMAC_256', CustomerMasterKeySpec: 'ECC_NIST_P256' }, {}).keySpec).toBe(
      'HMAC_256',
    );
  });

  it('other operations on no key do not describe a key', () => {
    const request = one('ListKeys', { Origin: 'EXTERNAL' }, {});
    expect(request).toStrictEqual({
      principalArn: ALICE,
      accountId: ACCOUNT,
      currentTime: 5,
      action: 'kms:ListKeys',
      resource: '*',
    });
  });

  it('an operation on a key that was not found is asked on *', () => {
    expect(one('Decrypt', {}, {}).resource).toBe('*');
  });

  it('ReEncrypt: each half has its own algorithm (default SYMMETRIC_DEFAULT), context and alias', () => {
    const [from, to] = authorizationRequests({
      ...bare,
      operation: 'ReEncrypt',
      input: {
        SourceKeyId: 'alias/src',
        SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        DestinationEncryptionContext: 'not an object',
        EncryptionAlgorithm: 'ignored',
      },
      key: key('src'),
    });
    expect(from).toStrictEqual({
      ...onKey,
      action: 'kms:ReEncryptFrom',
      resource: key('src').arn,
      encryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      requestAlias: 'alias/src',
    });
    // Without a destination key found, the destination half is asked of the source key.
    expect(to).toStrictEqual({
      ...onKey,
      action: 'kms:ReEncryptTo',
      resource: key('src').arn,
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
  });

  it('UpdateAlias is asked once when the new target is the old one, or not known', () => {
    const same = authorizationRequests({
      ...bare,
      operation: 'UpdateAlias',
      input: {},
      key: key('k'),
      otherKey: key('k'),
    });
    expect(same.map((r) => r.resource)).toEqual([key('k').arn]);
    expect(authorizationRequests({ ...bare, operation: 'UpdateAlias', input: {}, key: key('k') })).toHaveLength(1);
    // Only UpdateAlias asks of a second key.
    const other = authorizationRequests({
      ...bare,
      operation: 'Encrypt',
      input: {},
      key: key('a'),
      otherKey: key('b'),
    });
    expect(other.map((r) => r.resource)).toEqual([key('a').arn]);
  });
});

describe('requestAliasOf', () => {
  const cases: Array<[unknown, string | undefined]> = [
    ['alias/app', 'alias/app'],
    [`arn:aws:kms:us-east-1:${ACCOUNT}:alias/app/x`, 'alias/app/x'],
    [`arn:aws:kms:us-east-1:${ACCOUNT}:key/1234`, undefined],
    ['x:alias/app', undefined],
    ['1234abcd', undefined],
    ['Alias/app', undefined],
    [42, undefined],
    [undefined, undefined],
  ];
  for (const [keyId, alias] of cases) {
    it(`${JSON.stringify(keyId)} → ${alias}`, () => expect(requestAliasOf(keyId)).toBe(alias));
  }
});

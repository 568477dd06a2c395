import { describe, expect, it } from 'vitest';
import { contextLookup, userNameOf, type AuthorizationRequest } from './request-context.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const bare: AuthorizationRequest = {
  principalArn: ALICE,
  accountId: '111122223333',
  action: 'kms:Decrypt',
  resource: 'arn:aws:kms:us-east-1:111122223333:key/k',
  currentTime: Date.parse('2026-06-01T12:00:01.999Z'),
};
const full: AuthorizationRequest = {
  ...bare,
  sourceIp: '10.0.0.1',
  encryptionContext: { app: 'billing', Dept: 'IT' },
  encryptionAlgorithm: 'RSAES_OAEP_SHA_256',
  requestAlias: 'alias/app',
  resourceAliases: ['alias/app', 'alias/other'],
  grantOperations: ['Decrypt', 'Encrypt'],
  granteePrincipal: 'arn:aws:iam::111122223333:user/bob',
  retiringPrincipal: 'arn:aws:iam::111122223333:user/carol',
  grantIsForAwsResource: true,
  keyOrigin: 'EXTERNAL',
  keySpec: 'RSA_2048',
  keyUsage: 'ENCRYPT_DECRYPT',
};
const read = (key: string, request: AuthorizationRequest) => contextLookup(key)(request);

describe('contextLookup', () => {
  const keys: Array<[key: string, present: readonly string[], absent: readonly string[] | undefined]> = [
    ['kms:EncryptionContextKeys', ['app', 'Dept'], undefined],
    ['kms:CallerAccount', ['111122223333'], ['111122223333']],
    ['kms:EncryptionAlgorithm', ['RSAES_OAEP_SHA_256'], undefined],
    ['kms:RequestAlias', ['alias/app'], undefined],
    ['kms:ResourceAliases', ['alias/app', 'alias/other'], undefined],
    ['kms:GrantOperations', ['Decrypt', 'Encrypt'], undefined],
    ['kms:GranteePrincipal', ['arn:aws:iam::111122223333:user/bob'], undefined],
    ['kms:RetiringPrincipal', ['arn:aws:iam::111122223333:user/carol'], undefined],
    ['kms:GrantIsForAWSResource', ['true'], undefined],
    ['kms:KeyOrigin', ['EXTERNAL'], undefined],
    ['kms:KeySpec', ['RSA_2048'], undefined],
    ['kms:KeyUsage', ['ENCRYPT_DECRYPT'], undefined],
    ['aws:PrincipalArn', [ALICE], [ALICE]],
    ['aws:PrincipalAccount', ['111122223333'], ['111122223333']],
    ['aws:PrincipalType', ['User'], ['User']],
    ['aws:SourceIp', ['10.0.0.1'], undefined],
    ['aws:CurrentTime', ['2026-06-01T12:00:01.999Z'], ['2026-06-01T12:00:01.999Z']],
    // Whole seconds, rounded down.
    ['aws:EpochTime', ['1780315201'], ['1780315201']],
    ['aws:username', ['alice'], ['alice']],
    ['kms:EncryptionContext:app', ['billing'], undefined],
    ['kms:EncryptionContext:Dept', ['IT'], undefined],
    ['kms:ViaService', [], undefined],
  ];
  for (const [key, present, absent] of keys) {
    it(`${key}: ${JSON.stringify(present)} from a full request, ${JSON.stringify(absent)} from a bare one`, () => {
      expect(read(key, full)).toEqual(present.length === 0 ? undefined : present);
      expect(read(key, bare)).toEqual(absent);
    });
  }

  it('reads key names without case, but the encryption context key with its case', () => {
    expect(read('KMS:CALLERACCOUNT', bare)).toEqual(['111122223333']);
    expect(read('Aws:SourceIP', full)).toEqual(['10.0.0.1']);
    expect(read('KMS:ENCRYPTIONCONTEXT:app', full)).toEqual(['billing']);
    expect(read('kms:encryptioncontext:Dept', full)).toEqual(['IT']);
    expect(read('kms:EncryptionContext:APP', full)).toBeUndefined();
    expect(read('kms:EncryptionContext:dept', full)).toBeUndefined();
  });

  it('an empty context or list is an absent key', () => {
    expect(read('kms:EncryptionContextKeys', { ...bare, encryptionContext: {} })).toBeUndefined();
    expect(read('kms:ResourceAliases', { ...bare, resourceAliases: [] })).toBeUndefined();
    expect(read('kms:GrantOperations', { ...bare, grantOperations: [] })).toBeUndefined();
    expect(read('kms:GrantIsForAWSResource', { ...bare, grantIsForAwsResource: false })).toEqual(['false']);
  });

  it('an encryption context key may hold the empty string, and inherited names are no context keys', () => {
    expect(read('kms:EncryptionContext:e', { ...bare, encryptionContext: { e: '' } })).toEqual(['']);
    expect(read('kms:EncryptionContext:', { ...bare, encryptionContext: { '': 'v' } })).toEqual(['v']);
    expect(read('kms:EncryptionContext:constructor', full)).toBeUndefined();
    expect(read('kms:EncryptionContext:hasOwnProperty', full)).toBeUndefined();
    expect(read('constructor', full)).toBeUndefined();
    expect(read('__proto__', full)).toBeUndefined();
  });

  it('principals other than IAM users have no aws:username and no aws:PrincipalType here', () => {
    const role = { ...bare, principalArn: 'arn:aws:sts::111122223333:assumed-role/r/s' };
    expect(read('aws:username', role)).toBeUndefined();
    expect(read('aws:PrincipalType', role)).toBeUndefined();
  });
});

describe('userNameOf', () => {
  const cases: Array<[string, string | undefined]> = [
    [ALICE, 'alice'],
    ['arn:aws:iam::111122223333:user/division/team/alice', 'alice'],
    ['arn:aws-us-gov:iam::111122223333:user/alice', 'alice'],
    ['arn:aws:iam::111122223333:root', undefined],
    ['arn:aws:iam::111122223333:role/alice', undefined],
    ['arn:aws:iam::11112222333:user/alice', undefined],
    ['arn:aws:iam::111122223333:user/', undefined],
    ['arn:aws:iam::111122223333:user/alice/', undefined],
    ['x arn:aws:iam::111122223333:user/alice', undefined],
    ['arn:aws:sts::111122223333:user/alice', undefined],
    ['arn:AWS:iam::111122223333:user/alice', undefined],
    ['arn:aws:iam::1111222233334:user/alice', undefined],
  ];
  for (const [arn, name] of cases) {
    it(`${arn} → ${name}`, () => expect(userNameOf(arn)).toBe(name));
  }
});

/**
 * The hostile-input corpus (issue 11): request shapes an attacker or a careless
 * client sends, each with what the server must do. `refused`: a 4xx; `ok`: a 2xx
 * (controls, proving the replay signs correctly, so the refusals are not vacuous).
 * Nothing in the corpus may get a 5xx.
 */

export type Principal = 'admin' | 'keyUser' | 'auditor';

/** How the request's authentication is broken, after it was signed correctly. */
export type SigMutation =
  | 'unsigned'
  | 'bad-signature'
  | 'body-swapped'
  | 'wrong-region'
  | 'wrong-service'
  | 'stale-date'
  | 'future-date'
  | 'unknown-key'
  | 'session-token'
  | 'unsigned-payload'
  | 'target-swapped';

export interface HostileRequest {
  name: string;
  /** The X-Amz-Target header; undefined: none. */
  target: string | undefined;
  body: string | Buffer;
  as?: Principal;
  mutate?: SigMutation;
  expect: 'refused' | 'ok';
}

export interface CorpusContext {
  keyId: string;
  keyArn: string;
  /** A ciphertext of `keyId` under the context {purpose: "corpus"}. */
  ciphertext: Buffer;
}

const t = (operation: string) => `TrentService.${operation}`;
const json = (value: unknown) => JSON.stringify(value);
const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64');

/** A deterministic byte source, so that every run replays the same corpus. */
function bytesFrom(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function protocol(ctx: CorpusContext): HostileRequest[] {
  const r = (name: string, operation: string | undefined, body: unknown, as?: Principal): HostileRequest => ({
    name,
    target: operation === undefined ? undefined : operation.startsWith('!') ? operation.slice(1) : t(operation),
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : json(body),
    as,
    expect: 'refused',
  });
  const enc = (extra: Record<string, unknown>) => ({ KeyId: ctx.keyId, Plaintext: b64('p'), ...extra });
  const lone = '\ud800';
  return [
    r('no target', undefined, {}),
    r('unknown operation', 'DeleteEverything', {}),
    r('another service', '!DynamoDB_20120810.ListTables', {}),
    r('empty target', '!', {}),
    r('not JSON', 'ListKeys', 'not json'),
    r('truncated JSON', 'Encrypt', '{"KeyId":'),
    r('JSON array', 'ListKeys', '[]'),
    r('JSON string', 'ListKeys', '"x"'),
    r('JSON number', 'ListKeys', '1'),
    r('JSON null', 'ListKeys', 'null'),
    r('deeply nested', 'Encrypt', `{"KeyId":${'['.repeat(5000)}${']'.repeat(5000)}}`),
    r(
      'invalid UTF-8 in the body',
      'Encrypt',
      Buffer.concat([Buffer.from('{"KeyId":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    ),
    r('Encrypt without KeyId', 'Encrypt', { Plaintext: b64('p') }),
    r('Encrypt without Plaintext', 'Encrypt', { KeyId: ctx.keyId }),
    ...[1, true, [], {}, ''].map((v) => r(`KeyId ${json(v)}`, 'Encrypt', enc({ KeyId: v }))),
    r('Plaintext not base64', 'Encrypt', enc({ Plaintext: '***' })),
    r('Plaintext unpadded base64', 'Encrypt', enc({ Plaintext: 'YQ' })),
    r('Plaintext empty', 'Encrypt', enc({ Plaintext: '' })),
    r('Plaintext 4097 bytes', 'Encrypt', enc({ Plaintext: b64(Buffer.alloc(4097)) })),
    r('EncryptionContext a list', 'Encrypt', enc({ EncryptionContext: ['a'] })),
    r('EncryptionContext a number value', 'Encrypt', enc({ EncryptionContext: { a: 1 } })),
    r('lone surrogate in a context value (Encrypt)', 'Encrypt', enc({ EncryptionContext: { a: lone } })),
    r('lone surrogate in a context key (Encrypt)', 'Encrypt', enc({ EncryptionContext: { [lone]: 'a' } })),
    r('lone surrogate in a context (Decrypt)', 'Decrypt', {
      CiphertextBlob: b64(ctx.ciphertext),
      EncryptionContext: { purpose: lone },
    }),
    r('lone surrogate in a context (GenerateDataKey)', 'GenerateDataKey', {
      KeyId: ctx.keyId,
      KeySpec: 'AES_256',
      EncryptionContext: { a: lone },
    }),
    r('lone surrogate in a context (GenerateDataKeyWithoutPlaintext)', 'GenerateDataKeyWithoutPlaintext', {
      KeyId: ctx.keyId,
      KeySpec: 'AES_256',
      EncryptionContext: { a: lone },
    }),
    r('lone surrogate in a context (ReEncrypt)', 'ReEncrypt', {
      CiphertextBlob: b64(ctx.ciphertext),
      DestinationKeyId: ctx.keyId,
      DestinationEncryptionContext: { a: lone },
    }),
    r('lone surrogate in a description', 'CreateKey', { Description: `x${lone}` }),
    r('lone surrogate in a tag', 'TagResource', { KeyId: ctx.keyId, Tags: [{ TagKey: lone, TagValue: '' }] }),
    ...[0, 1025, 1.5, '32', 2 ** 31, -1].map((v) =>
      r(`NumberOfBytes ${json(v)}`, 'GenerateRandom', { NumberOfBytes: v }),
    ),
    r('GenerateDataKey with both KeySpec and NumberOfBytes', 'GenerateDataKey', {
      KeyId: ctx.keyId,
      KeySpec: 'AES_256',
      NumberOfBytes: 32,
    }),
    r('GenerateDataKey with neither', 'GenerateDataKey', { KeyId: ctx.keyId }),
    r('Recipient on Decrypt', 'Decrypt', {
      CiphertextBlob: b64(ctx.ciphertext),
      EncryptionContext: { purpose: 'corpus' },
      Recipient: { AttestationDocument: b64('doc'), KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' },
    }),
    r('Recipient on GenerateDataKey', 'GenerateDataKey', {
      KeyId: ctx.keyId,
      KeySpec: 'AES_256',
      Recipient: { AttestationDocument: b64('doc') },
    }),
    r('Recipient on GenerateRandom', 'GenerateRandom', {
      NumberOfBytes: 16,
      Recipient: { AttestationDocument: b64('doc') },
    }),
    r('Policy on CreateKey', 'CreateKey', { Policy: '{"Version":"2012-10-17","Statement":[]}' }),
    r('PutKeyPolicy', 'PutKeyPolicy', { KeyId: ctx.keyId, Policy: '{}' }),
    r('an asymmetric key spec', 'CreateKey', { KeySpec: 'RSA_2048' }),
    r('a custom key store', 'CreateKey', { CustomKeyStoreId: 'cks-1' }),
    r('duplicate tag keys in one request', 'TagResource', {
      KeyId: ctx.keyId,
      Tags: Array.from({ length: 500 }, (_, i) => ({ TagKey: 'a', TagValue: String(i) })),
    }),
    r('51 tags', 'TagResource', {
      KeyId: ctx.keyId,
      Tags: Array.from({ length: 51 }, (_, i) => ({ TagKey: `t${i}`, TagValue: '' })),
    }),
    r('the aws: tag prefix', 'TagResource', { KeyId: ctx.keyId, Tags: [{ TagKey: 'AWS:x', TagValue: '' }] }),
    r('11 grant tokens', 'Encrypt', enc({ GrantTokens: Array.from({ length: 11 }, () => 'g') })),
    r('Limit 0', 'ListKeys', { Limit: 0 }),
    r('Limit 1001', 'ListKeys', { Limit: 1001 }),
    r('a forged Marker', 'ListKeys', { Marker: 'forged-marker' }),
    r('PendingWindowInDays 0', 'ScheduleKeyDeletion', { KeyId: ctx.keyId, PendingWindowInDays: 0 }),
    r('PendingWindowInDays 31', 'ScheduleKeyDeletion', { KeyId: ctx.keyId, PendingWindowInDays: 31 }),
    r('RotationPeriodInDays 89', 'EnableKeyRotation', { KeyId: ctx.keyId, RotationPeriodInDays: 89 }),
    r('a reserved alias', 'CreateAlias', { AliasName: 'alias/aws/x', TargetKeyId: ctx.keyId }),
    r('a reserved alias in upper case', 'CreateAlias', { AliasName: 'alias/AWS/x', TargetKeyId: ctx.keyId }),
    r('an alias without the prefix', 'CreateAlias', { AliasName: 'payments', TargetKeyId: ctx.keyId }),
    r('an alias at an alias', 'CreateAlias', { AliasName: 'alias/chain', TargetKeyId: 'alias/other' }),
    r('an unknown key', 'DescribeKey', { KeyId: '00000000-0000-4000-8000-000000000000' }),
    r('another partition', 'DescribeKey', { KeyId: ctx.keyArn.replace('arn:aws:', 'arn:anything:') }),
    r('a key/ ARN naming an alias', 'DescribeKey', { KeyId: ctx.keyArn.replace(/key\/.*$/, 'key/alias/x') }),
    r('another account', 'DescribeKey', { KeyId: ctx.keyArn.replace(/:\d{12}:/, ':999999999999:') }),
    r('an import token that is not one', 'ImportKeyMaterial', {
      KeyId: ctx.keyId,
      ImportToken: b64('x'),
      EncryptedKeyMaterial: b64('y'),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    }),
  ];
}

function sigv4(): HostileRequest[] {
  const mutations: SigMutation[] = [
    'unsigned',
    'bad-signature',
    'body-swapped',
    'wrong-region',
    'wrong-service',
    'stale-date',
    'future-date',
    'unknown-key',
    'session-token',
    'unsigned-payload',
    'target-swapped',
  ];
  return mutations.map((mutate) => ({
    name: `SigV4: ${mutate}`,
    target: t('ListKeys'),
    body: '{}',
    mutate,
    expect: 'refused',
  }));
}

function authorization(ctx: CorpusContext): HostileRequest[] {
  const r = (as: Principal, operation: string, body: unknown): HostileRequest => ({
    name: `${as} may not ${operation}`,
    target: t(operation),
    body: json(body),
    as,
    expect: 'refused',
  });
  return [
    r('auditor', 'Encrypt', { KeyId: ctx.keyId, Plaintext: b64('p') }),
    r('auditor', 'Decrypt', { CiphertextBlob: b64(ctx.ciphertext), EncryptionContext: { purpose: 'corpus' } }),
    r('auditor', 'GenerateDataKey', { KeyId: ctx.keyId, KeySpec: 'AES_256' }),
    r('auditor', 'CreateKey', {}),
    r('auditor', 'DisableKey', { KeyId: ctx.keyId }),
    r('keyUser', 'CreateKey', {}),
    r('keyUser', 'DisableKey', { KeyId: ctx.keyId }),
    r('keyUser', 'ScheduleKeyDeletion', { KeyId: ctx.keyId }),
    r('keyUser', 'CreateAlias', { AliasName: 'alias/by-user', TargetKeyId: ctx.keyId }),
    r('keyUser', 'TagResource', { KeyId: ctx.keyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] }),
  ];
}

function ciphertexts(ctx: CorpusContext): HostileRequest[] {
  const decrypt = (
    name: string,
    blob: Buffer,
    context: Record<string, string> = { purpose: 'corpus' },
  ): HostileRequest => ({
    name,
    target: t('Decrypt'),
    body: json({ CiphertextBlob: b64(blob), EncryptionContext: context }),
    expect: 'refused',
  });
  const c = ctx.ciphertext;
  const out: HostileRequest[] = [];
  // Every byte position, one bit at a time, would be thousands; every third byte and the last ones cover each field.
  for (let i = 0; i < c.length; i += i < 64 ? 1 : 3) {
    const flipped = Buffer.from(c);
    flipped[i] = flipped[i]! ^ (1 << (i % 8));
    out.push(decrypt(`ciphertext with byte ${i} flipped`, flipped));
  }
  for (const n of [1, 2, 4, 16, 32, 48, c.length - 17, c.length - 1])
    out.push(decrypt(`ciphertext truncated to ${n} bytes`, c.subarray(0, n)));
  out.push(decrypt('ciphertext with a byte appended', Buffer.concat([c, Buffer.from([0])])));
  for (const [seed, n] of [
    [1, 1],
    [2, 16],
    [3, 64],
    [4, c.length],
    [5, 512],
    [6, 6144],
  ] as const)
    out.push(decrypt(`foreign ciphertext of ${n} random bytes`, bytesFrom(seed, n)));
  out.push(decrypt('the right ciphertext with another context', c, { purpose: 'other' }));
  out.push(decrypt('the right ciphertext without its context', c, {}));
  out.push({
    name: 'the right ciphertext named with another key',
    target: t('Decrypt'),
    body: json({
      CiphertextBlob: b64(c),
      EncryptionContext: { purpose: 'corpus' },
      KeyId: '00000000-0000-4000-8000-000000000000',
    }),
    expect: 'refused',
  });
  out.push({
    name: 'ReEncrypt of a flipped ciphertext',
    target: t('ReEncrypt'),
    body: json({
      CiphertextBlob: b64(Buffer.concat([c.subarray(0, -1), Buffer.from([c[c.length - 1]! ^ 1])])),
      SourceEncryptionContext: { purpose: 'corpus' },
      DestinationKeyId: ctx.keyId,
    }),
    expect: 'refused',
  });
  return out;
}

function controls(ctx: CorpusContext): HostileRequest[] {
  const ok = (name: string, operation: string, body: unknown, as?: Principal): HostileRequest => ({
    name: `control: ${name}`,
    target: t(operation),
    body: json(body),
    as,
    expect: 'ok',
  });
  return [
    ok('ListKeys', 'ListKeys', {}),
    ok('the right ciphertext decrypts', 'Decrypt', {
      CiphertextBlob: b64(ctx.ciphertext),
      EncryptionContext: { purpose: 'corpus' },
    }),
    ok('a key user encrypts', 'Encrypt', { KeyId: ctx.keyId, Plaintext: b64('p') }, 'keyUser'),
    ok('an auditor describes', 'DescribeKey', { KeyId: ctx.keyId }, 'auditor'),
    ok('a __proto__ context key is an ordinary key', 'Encrypt', {
      KeyId: ctx.keyId,
      Plaintext: b64('p'),
      EncryptionContext: { ['__proto__']: 'x' },
    }),
    ok('surrogate pairs are well-formed text', 'Encrypt', {
      KeyId: ctx.keyId,
      Plaintext: b64('p'),
      EncryptionContext: { '🔑': '😀' },
    }),
  ];
}

export function hostileCorpus(ctx: CorpusContext): HostileRequest[] {
  return [...controls(ctx), ...protocol(ctx), ...sigv4(), ...authorization(ctx), ...ciphertexts(ctx)];
}

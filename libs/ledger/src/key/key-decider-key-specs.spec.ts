import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import type { KeyCommand, NewBackingKey } from './key-commands.js';
import { decideKey } from './key-decider.js';
import type { KeyEvent } from './key-events.js';
import type { KeyUsage, ServedKeySpec } from './key-specs.js';
import { evolveKey, initialKeyState, keyStateOf, type KeyAggregate } from './key-state.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const T0 = new Date('2026-01-01T00:00:00.000Z');
const pairMaterial: NewBackingKey = {
  keyMaterialId: 'a'.repeat(64),
  sealedMaterial: 'sealed-private-key',
  shredKeyId: 'pool/1',
  publicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE',
};

const given = (...events: KeyEvent[]): KeyAggregate => events.reduce(evolveKey, initialKeyState());
const events = (decision: KeyEvent[] | DomainError): KeyEvent[] => {
  if (decision instanceof DomainError) throw new Error(`expected events, got ${decision.code}: ${decision.message}`);
  return decision;
};
const refusal = (decision: KeyEvent[] | DomainError): DomainError => {
  if (!(decision instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return decision;
};
const create = (keySpec: ServedKeySpec, keyUsage: KeyUsage, origin: 'AWS_KMS' | 'EXTERNAL' = 'AWS_KMS') =>
  events(
    decideKey(
      {
        type: 'CreateKey',
        keyId: KEY_ID,
        arn: ARN,
        accountId: '111122223333',
        region: 'us-east-1',
        description: '',
        origin,
        keySpec,
        keyUsage,
        tags: [],
        backingKey: origin === 'AWS_KMS' ? pairMaterial : undefined,
        now: T0,
      },
      initialKeyState(),
    ),
  );

describe('keys of every spec in the ledger', () => {
  it('records the spec and usage, and the public key in the clear beside the sealed private key', () => {
    const created = create('ECC_NIST_P256', 'SIGN_VERIFY');
    expect(created[0]).toMatchObject({
      type: 'KeyCreated',
      data: { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' },
    });
    expect(created[1]).toMatchObject({
      type: 'KeyMaterialGenerated',
      data: { sealedMaterial: 'sealed-private-key', publicKey: pairMaterial.publicKey },
    });
    const state = given(...created);
    expect(state).toMatchObject({ keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' });
    expect(keyStateOf(state)).toBe('Enabled');
  });

  it('records no public key for secret material, and keeps symmetric the default', () => {
    const { publicKey: _none, ...secret } = pairMaterial;
    const created = events(
      decideKey(
        {
          type: 'CreateKey',
          keyId: KEY_ID,
          arn: ARN,
          accountId: '111122223333',
          region: 'us-east-1',
          description: '',
          origin: 'AWS_KMS',
          tags: [],
          backingKey: secret,
          now: T0,
        },
        initialKeyState(),
      ),
    );
    expect(created[0]).toMatchObject({ data: { keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' } });
    expect('publicKey' in created[1]!.data).toBe(false);
  });

  it.each([
    ['RSA_2048', 'SIGN_VERIFY'],
    ['HMAC_256', 'GENERATE_VERIFY_MAC'],
    ['ECC_NIST_P384', 'KEY_AGREEMENT'],
  ] as [ServedKeySpec, KeyUsage][])('refuses to rotate a %s key, as AWS does', (spec, usage) => {
    const state = given(...create(spec, usage));
    const now = new Date(T0.getTime() + 1000);
    const enable = refusal(decideKey({ type: 'EnableKeyRotation', now }, state));
    expect(enable.code).toBe('Unsupported');
    expect(enable.message).toBe(`${ARN} key spec is ${spec} which is not valid for this operation.`);
    expect(refusal(decideKey({ type: 'DisableKeyRotation', now }, state)).code).toBe('Unsupported');
    const rotate: KeyCommand = { type: 'RotateKeyOnDemand', backingKey: pairMaterial, maxOnDemandRotations: 10, now };
    const onDemand = refusal(decideKey(rotate, state));
    expect(onDemand.code).toBe('Unsupported');
    expect(onDemand.message).toBe('');
  });

  it('refuses rotation of a non-symmetric key even when imported (spec before origin)', () => {
    const state = given(...create('ECC_NIST_P256', 'SIGN_VERIFY', 'EXTERNAL'));
    expect(refusal(decideKey({ type: 'EnableKeyRotation', now: T0 }, state)).message).toContain(
      'key spec is ECC_NIST_P256',
    );
  });

  it('deletion destroys the shred key of a key pair like any other', () => {
    let state = given(...create('RSA_4096', 'ENCRYPT_DECRYPT'));
    state = given(
      ...create('RSA_4096', 'ENCRYPT_DECRYPT'),
      ...events(decideKey({ type: 'ScheduleKeyDeletion', pendingWindowInDays: 7, now: T0 }, state)),
    );
    const deleted = events(
      decideKey({ type: 'CompleteKeyDeletionIfDue', now: new Date(T0.getTime() + 8 * 86_400_000) }, state),
    );
    expect(deleted).toEqual([
      expect.objectContaining({
        type: 'KeyDeleted',
        data: expect.objectContaining({ destroyedShredKeyIds: ['pool/1'] }),
      }),
    ]);
  });
});

describe('imported material of keys that are not symmetric', () => {
  const parameters = { importTokenId: 'token-1', sealedPrivateKey: 's', shredKeyId: 'pool/2', publicKeySha256: 'h' };
  const importParameters = (
    state: KeyAggregate,
    wrappingAlgorithm: 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_256',
    importTokenId = 'token-1',
  ) =>
    decideKey(
      {
        type: 'GetParametersForImport',
        wrappingAlgorithm,
        wrappingKeySpec: 'RSA_2048',
        parameters: { ...parameters, importTokenId, shredKeyId: `pool/${importTokenId}` },
        now: T0,
      },
      state,
    );

  it('takes an RSA private key only wrapped with AES key wrap; ECC and HMAC material with either', () => {
    const rsa = given(...create('RSA_2048', 'SIGN_VERIFY', 'EXTERNAL'));
    const refused = refusal(importParameters(rsa, 'RSAES_OAEP_SHA_256'));
    expect(refused.code).toBe('Validation');
    expect(refused.message).toContain('cannot wrap RSA_2048 key material');
    expect(events(importParameters(rsa, 'RSA_AES_KEY_WRAP_SHA_256'))).toHaveLength(1);
    const ecc = given(...create('ECC_NIST_P256', 'SIGN_VERIFY', 'EXTERNAL'));
    expect(events(importParameters(ecc, 'RSAES_OAEP_SHA_256'))).toHaveLength(1);
  });

  it('records the derived public key, and takes back only the first material of a key pair', () => {
    let state = given(...create('ECC_NIST_P256', 'SIGN_VERIFY', 'EXTERNAL'));
    state = given(
      ...create('ECC_NIST_P256', 'SIGN_VERIFY', 'EXTERNAL'),
      ...events(importParameters(state, 'RSAES_OAEP_SHA_256')),
    );
    const imported = (keyMaterialId: string, importType?: 'NEW_KEY_MATERIAL', importTokenId = 'token-1') =>
      decideKey(
        {
          type: 'ImportKeyMaterial',
          importTokenId,
          keyMaterialId,
          sealedMaterial: 'sealed',
          shredKeyId: `pool/${keyMaterialId}`,
          importType,
          expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
          publicKey: 'cHVibGlj',
          now: T0,
        },
        state,
      );
    const first = events(imported('b'.repeat(64)));
    expect(first[0]).toMatchObject({ type: 'KeyMaterialImported', data: { publicKey: 'cHVibGlj' } });
    state = first.reduce(evolveKey, state);
    expect(keyStateOf(state)).toBe('Enabled');
    // The first import spent token-1: the second comes with fresh parameters, as AWS requires.
    state = events(importParameters(state, 'RSAES_OAEP_SHA_256', 'token-2')).reduce(evolveKey, state);
    const second = refusal(imported('c'.repeat(64), 'NEW_KEY_MATERIAL', 'token-2'));
    expect(second.code).toBe('IncorrectKeyMaterial');
    expect(second.message).toContain('only the key material first imported into it');
  });
});

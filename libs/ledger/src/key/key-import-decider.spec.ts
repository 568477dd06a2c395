import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import type { KeyCommand } from './key-commands.js';
import { decideKey } from './key-decider.js';
import type { KeyEvent } from './key-events.js';
import { evolveKey, initialKeyState, keyStateOf, type KeyAggregate } from './key-state.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const T0 = new Date('2026-01-01T00:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 86_400_000;
const at = (ms: number) => new Date(T0.getTime() + ms);
const TOKEN = 'aaaaaaaa-0000-4000-8000-000000000001';
const material = (n: number) => ({
  keyMaterialId: String(n).padStart(64, 'a'),
  sealedMaterial: `sealed-${n}`,
  shredKeyId: `${KEY_ID}/import/${n}`,
});

const given = (...events: KeyEvent[]): KeyAggregate => events.reduce(evolveKey, initialKeyState());
const when = (state: KeyAggregate, command: KeyCommand) => decideKey(command, state);
const events = (decision: KeyEvent[] | DomainError): KeyEvent[] => {
  if (decision instanceof DomainError) throw new Error(`expected events, got ${decision.code}: ${decision.message}`);
  return decision;
};
const refusal = (decision: KeyEvent[] | DomainError): { code: string; message: string } => {
  if (!(decision instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return { code: decision.code, message: decision.message };
};

function created(origin: 'AWS_KMS' | 'EXTERNAL' = 'EXTERNAL'): KeyEvent[] {
  return events(
    when(initialKeyState(), {
      type: 'CreateKey',
      keyId: KEY_ID,
      arn: ARN,
      accountId: '111122223333',
      region: 'us-east-1',
      description: '',
      origin,
      tags: [],
      backingKey: origin === 'AWS_KMS' ? material(9) : undefined,
      now: T0,
    }),
  );
}

const parametersCommand = (now = T0): KeyCommand => ({
  type: 'GetParametersForImport',
  wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
  wrappingKeySpec: 'RSA_2048',
  parameters: {
    importTokenId: TOKEN,
    sealedPrivateKey: 'sealed-private',
    shredKeyId: 'shred-p',
    publicKeySha256: 'ab',
  },
  now,
});

/** An EXTERNAL key with import parameters issued at T0 (valid 24 h). */
function withParameters(): KeyEvent[] {
  const start = created();
  return [...start, ...events(when(given(...start), parametersCommand()))];
}

const importCommand = (overrides: Partial<Extract<KeyCommand, { type: 'ImportKeyMaterial' }>> = {}): KeyCommand => ({
  type: 'ImportKeyMaterial',
  importTokenId: TOKEN,
  ...material(1),
  expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  now: at(HOUR),
  ...overrides,
});

/** An EXTERNAL key with material 1 imported (does not expire). */
function imported(overrides: Partial<Extract<KeyCommand, { type: 'ImportKeyMaterial' }>> = {}): KeyEvent[] {
  const before = withParameters();
  return [...before, ...events(when(given(...before), importCommand(overrides)))];
}

describe('GetParametersForImport', () => {
  it('given an EXTERNAL key, issues parameters valid for 24 hours', () => {
    expect(events(when(given(...created()), parametersCommand()))).toEqual([
      {
        type: 'KeyImportParametersIssued',
        data: {
          importTokenId: TOKEN,
          sealedPrivateKey: 'sealed-private',
          shredKeyId: 'shred-p',
          publicKeySha256: 'ab',
          wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          wrappingKeySpec: 'RSA_2048',
          issuedAt: T0.toISOString(),
          validTo: at(24 * HOUR).toISOString(),
        },
      },
    ]);
  });

  it('given an AWS_KMS key, refuses: its origin is not EXTERNAL', () => {
    expect(refusal(when(given(...created('AWS_KMS')), parametersCommand()))).toEqual({
      code: 'Unsupported',
      message: `${ARN} origin is AWS_KMS which is not valid for this operation.`,
    });
  });

  it('given a key pending deletion, refuses', () => {
    const start = created();
    const pending = [...start, ...events(when(given(...start), { type: 'ScheduleKeyDeletion', now: T0 }))];
    expect(refusal(when(given(...pending), parametersCommand())).code).toBe('InvalidState');
  });

  it('refuses a wrapping algorithm or key spec it does not support, naming it', () => {
    const state = given(...created());
    const base = parametersCommand() as Extract<KeyCommand, { type: 'GetParametersForImport' }>;
    expect(refusal(when(state, { ...base, wrappingAlgorithm: 'RSAES_PKCS1_V1_5' as never }))).toEqual({
      code: 'Unsupported',
      message: 'Wrapping algorithm RSAES_PKCS1_V1_5 is not supported for symmetric keys.',
    });
    expect(refusal(when(state, { ...base, wrappingKeySpec: 'RSA_1024' as never }))).toEqual({
      code: 'Unsupported',
      message: 'Wrapping key spec RSA_1024 is not supported for symmetric keys.',
    });
  });
});

describe('ImportKeyMaterial', () => {
  it('given valid parameters, imports new material that does not expire and enables the key', () => {
    const after = imported();
    expect(after.at(-1)).toEqual({
      type: 'KeyMaterialImported',
      data: {
        ...material(1),
        importTokenId: TOKEN,
        importType: 'NEW_KEY_MATERIAL',
        expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        validTo: null,
        keyMaterialDescription: null,
        importedAt: at(HOUR).toISOString(),
      },
    });
    expect(keyStateOf(given(...after))).toBe('Enabled');
  });

  it('given an unknown token, refuses it as not valid for this key', () => {
    expect(refusal(when(given(...withParameters()), importCommand({ importTokenId: 'other' })))).toEqual({
      code: 'InvalidImportToken',
      message: 'The import token is not valid for this key.',
    });
  });

  it('accepts a token one millisecond before its 24 hours end, refuses it at the end', () => {
    const state = given(...withParameters());
    expect(events(when(state, importCommand({ now: at(24 * HOUR - 1) })))).toHaveLength(1);
    expect(refusal(when(state, importCommand({ now: at(24 * HOUR) })))).toEqual({
      code: 'ExpiredImportToken',
      message: 'The import token has expired.',
    });
  });

  describe('expiration model', () => {
    const state = () => given(...withParameters());
    const now = at(HOUR);

    it('defaults to KEY_MATERIAL_EXPIRES, which needs a ValidTo', () => {
      expect(refusal(when(state(), importCommand({ expirationModel: undefined })))).toEqual({
        code: 'Validation',
        message: 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES',
      });
      const validTo = new Date(now.getTime() + DAY);
      const [event] = events(when(state(), importCommand({ expirationModel: undefined, validTo })));
      expect(event).toMatchObject({
        data: { expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: validTo.toISOString() },
      });
    });

    it('accepts ValidTo one millisecond ahead and exactly 365 days ahead; refuses now and 365 days + 1 ms', () => {
      const expires = (validTo: Date) => importCommand({ expirationModel: 'KEY_MATERIAL_EXPIRES', validTo });
      expect(events(when(state(), expires(new Date(now.getTime() + 1))))).toHaveLength(1);
      expect(events(when(state(), expires(new Date(now.getTime() + 365 * DAY))))).toHaveLength(1);
      expect(refusal(when(state(), expires(now)))).toEqual({
        code: 'Validation',
        message: 'ValidTo must be in the future.',
      });
      expect(refusal(when(state(), expires(new Date(now.getTime() + 365 * DAY + 1))))).toEqual({
        code: 'Validation',
        message: 'ValidTo must be at most 365 days in the future.',
      });
    });

    it('refuses a ValidTo with KEY_MATERIAL_DOES_NOT_EXPIRE', () => {
      expect(refusal(when(state(), importCommand({ validTo: new Date(now.getTime() + DAY) })))).toEqual({
        code: 'Validation',
        message: 'ValidTo must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE',
      });
    });

    it('keeps the material description', () => {
      const [event] = events(when(state(), importCommand({ keyMaterialDescription: 'from the HSM' })));
      expect(event).toMatchObject({ data: { keyMaterialDescription: 'from the HSM' } });
    });
  });

  describe('new or existing material', () => {
    it('refuses material whose id differs from the expected KeyMaterialId', () => {
      const decision = when(
        given(...withParameters()),
        importCommand({ expectedKeyMaterialId: material(2).keyMaterialId }),
      );
      expect(refusal(decision)).toEqual({
        code: 'IncorrectKeyMaterial',
        message: 'The key material does not match the KeyMaterialId in the request.',
      });
      expect(
        events(when(given(...withParameters()), importCommand({ expectedKeyMaterialId: material(1).keyMaterialId }))),
      ).toHaveLength(1);
    });

    it('given material already imported, refuses it as NEW_KEY_MATERIAL', () => {
      expect(refusal(when(given(...imported()), importCommand({ importType: 'NEW_KEY_MATERIAL' })))).toEqual({
        code: 'IncorrectKeyMaterial',
        message: `This key material was already imported into ${ARN}; import it as EXISTING_KEY_MATERIAL.`,
      });
    });

    it('given deleted material, re-imports the same material as EXISTING (the default once the key has had some)', () => {
      const before = imported();
      const deleted = [
        ...before,
        ...events(when(given(...before), { type: 'DeleteImportedKeyMaterial', now: at(2 * HOUR) })),
      ];
      expect(keyStateOf(given(...deleted))).toBe('PendingImport');
      const [event] = events(when(given(...deleted), importCommand({ now: at(3 * HOUR) })));
      expect(event).toMatchObject({ type: 'KeyMaterialImported', data: { importType: 'EXISTING_KEY_MATERIAL' } });
      expect(keyStateOf(given(...deleted, event!))).toBe('Enabled');
    });

    it('refuses other material as EXISTING_KEY_MATERIAL, and an expected id the key does not know', () => {
      const state = given(...imported());
      const other = { ...material(2), importType: 'EXISTING_KEY_MATERIAL' as const };
      expect(refusal(when(state, importCommand(other)))).toEqual({
        code: 'IncorrectKeyMaterial',
        message: `The key material is not the key material previously imported into ${ARN}.`,
      });
      expect(
        refusal(when(given(...withParameters()), importCommand({ importType: 'EXISTING_KEY_MATERIAL' }))).code,
      ).toBe('IncorrectKeyMaterial');
    });

    it('given a key with material, imports other material as NEW_KEY_MATERIAL only once until it is rotated in', () => {
      const state = given(...imported());
      const [pending] = events(when(state, importCommand({ ...material(2), importType: 'NEW_KEY_MATERIAL' })));
      expect(pending).toMatchObject({
        data: { keyMaterialId: material(2).keyMaterialId, importType: 'NEW_KEY_MATERIAL' },
      });
      const withPending = given(...imported(), pending!);
      expect(withPending.currentKeyMaterialId).toBe(material(1).keyMaterialId);
      expect(refusal(when(withPending, importCommand({ ...material(3), importType: 'NEW_KEY_MATERIAL' })))).toEqual({
        code: 'InvalidState',
        message: `${ARN} already has key material pending rotation; rotate or delete it before importing new material.`,
      });
    });
  });
});

describe('DeleteImportedKeyMaterial', () => {
  it('deletes the current material and destroys its shred key', () => {
    expect(events(when(given(...imported()), { type: 'DeleteImportedKeyMaterial', now: at(2 * HOUR) }))).toEqual([
      {
        type: 'KeyMaterialDeleted',
        data: {
          keyMaterialId: material(1).keyMaterialId,
          destroyedShredKeyIds: [material(1).shredKeyId],
          deletedAt: at(2 * HOUR).toISOString(),
        },
      },
    ]);
  });

  it('deletes named material; refuses an id the key does not have, and a key that never had material', () => {
    const state = given(...imported());
    const named = { type: 'DeleteImportedKeyMaterial' as const, now: at(2 * HOUR) };
    expect(events(when(state, { ...named, keyMaterialId: material(1).keyMaterialId }))).toHaveLength(1);
    expect(refusal(when(state, { ...named, keyMaterialId: material(2).keyMaterialId }))).toEqual({
      code: 'NotFound',
      message: `Key material ${material(2).keyMaterialId} is not associated with ${ARN}.`,
    });
    expect(refusal(when(given(...created()), named))).toEqual({
      code: 'NotFound',
      message: `${ARN} has no key material.`,
    });
  });

  it('given material already deleted, records nothing', () => {
    const before = imported();
    const deleted = [
      ...before,
      ...events(when(given(...before), { type: 'DeleteImportedKeyMaterial', now: at(2 * HOUR) })),
    ];
    expect(
      events(
        when(given(...deleted), {
          type: 'DeleteImportedKeyMaterial',
          keyMaterialId: material(1).keyMaterialId,
          now: at(3 * HOUR),
        }),
      ),
    ).toEqual([]);
  });

  it('given an AWS_KMS key, refuses', () => {
    expect(refusal(when(given(...created('AWS_KMS')), { type: 'DeleteImportedKeyMaterial', now: T0 })).code).toBe(
      'Unsupported',
    );
  });
});

describe('ExpireKeyMaterialIfDue', () => {
  const validTo = at(HOUR + 3 * DAY);
  const expiring = () => given(...imported({ expirationModel: 'KEY_MATERIAL_EXPIRES', validTo }));

  it('before ValidTo records nothing; at ValidTo expires the material and destroys its shred key', () => {
    expect(events(when(expiring(), { type: 'ExpireKeyMaterialIfDue', now: new Date(validTo.getTime() - 1) }))).toEqual(
      [],
    );
    const expired = events(when(expiring(), { type: 'ExpireKeyMaterialIfDue', now: validTo }));
    expect(expired).toEqual([
      {
        type: 'KeyMaterialExpired',
        data: {
          keyMaterialId: material(1).keyMaterialId,
          destroyedShredKeyIds: [material(1).shredKeyId],
          expiredAt: validTo.toISOString(),
        },
      },
    ]);
    const after = [...imported({ expirationModel: 'KEY_MATERIAL_EXPIRES', validTo }), ...expired];
    expect(keyStateOf(given(...after))).toBe('PendingImport');
    expect(events(when(given(...after), { type: 'ExpireKeyMaterialIfDue', now: at(10 * DAY) }))).toEqual([]);
  });

  it('never expires material that does not expire', () => {
    expect(events(when(given(...imported()), { type: 'ExpireKeyMaterialIfDue', now: at(1000 * DAY) }))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import type { KeyCommand } from './key-commands.js';
import { decideKey } from './key-decider.js';
import type { KeyEvent } from './key-events.js';
import { evolveKey, initialKeyState, type KeyAggregate } from './key-state.js';

// Given an EXTERNAL key, when material is imported, then the event or a refusal with its exact text: a spent
// token, a replica offered material its primary does not have, and what the event leaves out.
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const T0 = new Date('2026-01-01T00:00:00.000Z');
const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);
const token = (n: number) => `aaaaaaaa-0000-4000-8000-00000000000${n}`;
const id = (n: number) => String(n).padStart(64, 'a');

const given = (...events: KeyEvent[]): KeyAggregate => events.reduce(evolveKey, initialKeyState());
const events = (decision: KeyEvent[] | DomainError): KeyEvent[] => {
  if (decision instanceof DomainError) throw new Error(`expected events, got ${decision.code}: ${decision.message}`);
  return decision;
};
const refusal = (decision: KeyEvent[] | DomainError): { code: string; message: string } => {
  if (!(decision instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return { code: decision.code, message: decision.message };
};
const then = (history: KeyEvent[], command: KeyCommand): KeyEvent[] => [
  ...history,
  ...events(decideKey(command, given(...history))),
];

const created = events(
  decideKey(
    {
      type: 'CreateKey',
      keyId: KEY_ID,
      arn: ARN,
      accountId: '111122223333',
      region: 'us-east-1',
      description: '',
      origin: 'EXTERNAL',
      tags: [],
      now: T0,
    },
    initialKeyState(),
  ),
);
const parameters = (n: number, now: Date): KeyCommand => ({
  type: 'GetParametersForImport',
  wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
  wrappingKeySpec: 'RSA_2048',
  parameters: { importTokenId: token(n), sealedPrivateKey: 'p', shredKeyId: `wrap-${n}`, publicKeySha256: 'h' },
  now,
});
const importing = (n: number, extra: Partial<Extract<KeyCommand, { type: 'ImportKeyMaterial' }>> = {}): KeyCommand => ({
  type: 'ImportKeyMaterial',
  importTokenId: token(n),
  keyMaterialId: id(1),
  sealedMaterial: 'sealed-1',
  shredKeyId: `${KEY_ID}/1`,
  expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  now: at(1),
  ...extra,
});
const withToken = then(created, parameters(1, T0));

describe('ImportKeyMaterial', () => {
  it('given a token already used, refuses it with the text that says to ask for new parameters', () => {
    const imported = then(withToken, importing(1));
    expect(refusal(decideKey(importing(1, { now: at(2) }), given(...imported)))).toEqual({
      code: 'InvalidImportToken',
      message: 'The import token was already used. Call GetParametersForImport for new import parameters.',
    });
  });

  it('given a replica, refuses material its primary does not have, saying which case it is', () => {
    expect(refusal(decideKey(importing(1, { sharedKeyMaterialIds: [id(2)] }), given(...withToken)))).toEqual({
      code: 'IncorrectKeyMaterial',
      message: `${ARN} is a multi-Region replica key: import the key material of its primary key.`,
    });
    expect(refusal(decideKey(importing(1, { sharedKeyMaterialIds: [] }), given(...withToken)))).toEqual({
      code: 'IncorrectKeyMaterial',
      message: `${ARN} is a multi-Region replica key: import the key material into its primary key first.`,
    });
    expect(events(decideKey(importing(1, { sharedKeyMaterialIds: [id(2), id(1)] }), given(...withToken)))).toHaveLength(
      1,
    );
  });

  it('records no public key member for symmetric material, and the one given for a key pair', () => {
    const [symmetric] = events(decideKey(importing(1), given(...withToken)));
    expect(symmetric!.data).not.toHaveProperty('publicKey');
    const [pair] = events(decideKey(importing(1, { publicKey: 'MFkw' }), given(...withToken)));
    expect(pair!.data).toHaveProperty('publicKey', 'MFkw');
  });
});

describe('DeleteImportedKeyMaterial', () => {
  it('given material already deleted, or expired, records nothing', () => {
    const imported = then(withToken, importing(1));
    const deleted = then(imported, { type: 'DeleteImportedKeyMaterial', now: at(2) });
    expect(
      decideKey({ type: 'DeleteImportedKeyMaterial', keyMaterialId: id(1), now: at(3) }, given(...deleted)),
    ).toEqual([]);
    const expiring = then(withToken, importing(1, { expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: at(5) }));
    const expired = then(expiring, { type: 'ExpireKeyMaterialIfDue', now: at(5) });
    expect(expired.at(-1)).toMatchObject({ type: 'KeyMaterialExpired' });
    expect(
      decideKey({ type: 'DeleteImportedKeyMaterial', keyMaterialId: id(1), now: at(6) }, given(...expired)),
    ).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { MAX_GRANTS_PER_KEY } from '../quotas.js';
import type { KeyAccessEvent } from './key-access-events.js';
import { evolveKeyAccess, initialKeyAccess, type KeyAccess } from './key-access-state.js';
import type { KeyEvent } from './key-events.js';
import {
  decideCreateGrant,
  decideRetireGrant,
  decideRevokeGrant,
  grantTokenFor,
  parseGrantToken,
  type CreateGrantCommand,
} from './key-grant-decider.js';
import { evolveKey, initialKeyState, type KeyAggregate } from './key-state.js';

// Given a key (and its grants), when a grant command, then events or a refusal with the exact text a client
// sees: each CreateGrant rule on both sides of its bound, what makes a named grant "the same", who may retire.
const ACCOUNT = '111122223333';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
const user = (n: string) => `arn:aws:iam::${ACCOUNT}:user/${n}`;
const NOW = new Date('2026-03-01T00:00:00.000Z');
const created: KeyEvent = {
  type: 'KeyCreated',
  data: {
    keyId: KEY_ID,
    arn: ARN,
    accountId: ACCOUNT,
    region: 'us-east-1',
    description: '',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    tags: [],
    createdAt: '2026-01-01T00:00:00.000Z',
  },
};
type Any = KeyEvent | KeyAccessEvent;
const key = (...events: Any[]): KeyAggregate => events.reduce((s, e) => evolveKey(s, e as KeyEvent), initialKeyState());
const access = (...events: Any[]): KeyAccess => events.reduce(evolveKeyAccess, initialKeyAccess());
const refusal = (decision: unknown): { code: string; message: string } => {
  if (!(decision instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return { code: decision.code, message: decision.message };
};
const ok = <T>(decision: T | DomainError): T => {
  if (decision instanceof DomainError) throw new Error(`${decision.code}: ${decision.message}`);
  return decision;
};
const grant = (extra: Partial<CreateGrantCommand> = {}): CreateGrantCommand => ({
  grantId: 'a'.repeat(64),
  granteePrincipal: user('bob'),
  operations: ['Decrypt'],
  caller: { principalArn: user('alice'), accountId: ACCOUNT },
  now: NOW,
  ...extra,
});
const create = (extra: Partial<CreateGrantCommand>, ...history: Any[]) =>
  decideCreateGrant(grant(extra), key(created, ...history), access(created, ...history));
const validation = (message: string) => ({ code: 'Validation', message });
const pairs = (n: number, value = 'v') => Object.fromEntries([...Array(n)].map((_, i) => [`k${i}`, value]));

describe('CreateGrant: what is refused, with its text', () => {
  it.each([
    ['bob', 'GranteePrincipal'],
    ['*', 'GranteePrincipal'],
  ])('a grantee %j', (value, member) => {
    expect(refusal(create({ granteePrincipal: value }))).toEqual(
      validation(`${member} '${value}' is not a valid principal ARN or account id.`),
    );
  });

  it.each(['carol', '*'])('a retiring principal %j', (value) => {
    expect(refusal(create({ retiringPrincipal: value }))).toEqual(
      validation(`RetiringPrincipal '${value}' is not a valid principal ARN or account id.`),
    );
  });

  it('no operation, or one that is not a grant operation (the first such is named)', () => {
    expect(refusal(create({ operations: [] }))).toEqual(
      validation('Operations must name at least one grant operation.'),
    );
    expect(refusal(create({ operations: ['Decrypt', 'PutKeyPolicy', 'ScheduleKeyDeletion'] }))).toEqual(
      validation("'PutKeyPolicy' is not a grant operation."),
    );
  });

  it('a constraint AWS does not have', () => {
    expect(refusal(create({ constraints: { EncryptionContextAll: { a: 'b' } } as never }))).toEqual(
      validation('Unknown grant constraint EncryptionContextAll.'),
    );
  });

  it.each(['EncryptionContextEquals', 'EncryptionContextSubset'])(
    '%s: 8 pairs of 384 characters, not 9 or 385',
    (m) => {
      expect(ok(create({ constraints: { [m]: pairs(8, 'v'.repeat(384)) } })).events).toHaveLength(1);
      expect(refusal(create({ constraints: { [m]: pairs(9) } }))).toEqual(
        validation(`${m} can hold at most 8 encryption context pairs.`),
      );
      expect(refusal(create({ constraints: { [m]: { a: 'ok', b: 'v'.repeat(385) } } }))).toEqual(
        validation(`An encryption context value in ${m} exceeds 384 characters.`),
      );
    },
  );

  it('through a grant that allows less, with the text naming that grant', () => {
    const parent = { grantId: 'p'.repeat(64), operations: ['Decrypt' as const], constraints: null };
    expect(refusal(create({ operations: ['Decrypt', 'Encrypt'], throughGrant: parent }))).toEqual({
      code: 'AccessDenied',
      message:
        `User: ${user('alice')} is not authorized to perform: kms:CreateGrant on resource: ${ARN} because grant ` +
        `${'p'.repeat(64)} allows only grants with its operations and constraints or stricter`,
    });
    expect(ok(create({ operations: ['Decrypt'], throughGrant: parent })).events).toHaveLength(1);
  });

  it(`the ${MAX_GRANTS_PER_KEY + 1}th grant of a key, with AWS's text`, () => {
    const one = ok(create({})).events;
    const full = {
      ...access(created, ...one),
      grants: new Array(MAX_GRANTS_PER_KEY).fill(access(created, ...one).grants[0]),
    };
    expect(refusal(decideCreateGrant(grant({ grantId: 'b'.repeat(64) }), key(created), full))).toEqual({
      code: 'LimitExceeded',
      message: `The key ${ARN} already has ${MAX_GRANTS_PER_KEY} grants.`,
    });
  });
});

describe('CreateGrant: what is recorded', () => {
  it('given no name, retiring principal or constraints, records them as null; repeated operations once', () => {
    expect(ok(create({ operations: ['Decrypt', 'Encrypt', 'Decrypt'] })).events).toEqual([
      {
        type: 'GrantCreated',
        data: {
          grantId: 'a'.repeat(64),
          name: null,
          granteePrincipal: user('bob'),
          retiringPrincipal: null,
          operations: ['Decrypt', 'Encrypt'],
          constraints: null,
          issuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
          createdAt: NOW.toISOString(),
        },
      },
    ]);
  });

  it('given one constraint member left undefined, checks and keeps the other', () => {
    const [event] = ok(
      create({ constraints: { EncryptionContextEquals: undefined, EncryptionContextSubset: { a: '1' } } }),
    ).events;
    expect(event!.data.constraints).toEqual({ EncryptionContextSubset: { a: '1' } });
  });

  it('given constraints with no map in them, records no constraints; keeps each map that is given', () => {
    const [none] = ok(create({ constraints: {} })).events;
    expect(none!.data.constraints).toBeNull();
    const [equals] = ok(create({ constraints: { EncryptionContextEquals: { a: '1' } } })).events;
    expect(equals!.data.constraints).toEqual({ EncryptionContextEquals: { a: '1' } });
    const both = { EncryptionContextEquals: { a: '1' }, EncryptionContextSubset: { b: '2' } };
    expect(ok(create({ constraints: both })).events[0]!.data.constraints).toEqual(both);
  });
});

describe('CreateGrant with a Name: the same grant only when every parameter is the same', () => {
  const named = {
    name: 'batch',
    retiringPrincipal: user('carol'),
    // Recorded out of order, so that only sorting both sides finds them the same.
    operations: ['Encrypt', 'Decrypt'],
    constraints: { EncryptionContextSubset: { b: '2', a: '1' } },
  };
  const history = () => ok(create(named)).events;
  const again = (extra: Partial<CreateGrantCommand>) =>
    ok(create({ ...named, grantId: 'b'.repeat(64), ...extra }, ...history()));

  it('the same parameters, operations and context pairs in another order: the first grant, nothing recorded', () => {
    expect(
      again({ operations: ['Decrypt', 'Encrypt'], constraints: { EncryptionContextSubset: { a: '1', b: '2' } } }),
    ).toEqual({ grantId: 'a'.repeat(64), events: [] });
  });

  it.each<[string, Partial<CreateGrantCommand>]>([
    ['another grantee', { granteePrincipal: user('dave') }],
    ['another retiring principal', { retiringPrincipal: user('erin') }],
    ['no retiring principal', { retiringPrincipal: undefined }],
    ['other operations', { operations: ['Decrypt'] }],
    ['other constraints', { constraints: { EncryptionContextSubset: { a: '1' } } }],
    ['no constraints', { constraints: undefined }],
    ['another name', { name: 'other' }],
  ])('%s: a new grant', (_, extra) => {
    const outcome = again(extra);
    expect(outcome.grantId).toBe('b'.repeat(64));
    expect(outcome.events).toHaveLength(1);
  });
});

describe('RetireGrant and RevokeGrant', () => {
  const history = (): Any[] => ok(create({ retiringPrincipal: user('carol'), operations: ['Decrypt'] })).events;
  const retire = (who: string, events: Any[] = history()) =>
    decideRetireGrant(
      { grantId: 'a'.repeat(64), caller: { principalArn: who, accountId: ACCOUNT }, allowedByPolicy: false, now: NOW },
      key(created, ...events),
      access(created, ...events),
    );

  it("refuses a grantee whose grant lacks RetireGrant, with AWS's full text", () => {
    expect(refusal(retire(user('bob')))).toEqual({
      code: 'AccessDenied',
      message:
        `User: ${user('bob')} is not authorized to perform: kms:RetireGrant on resource: ${ARN} because it is neither ` +
        "the grant's retiring principal nor a grantee allowed to retire it",
    });
  });

  it("refuses another account's root", () => {
    expect(refusal(retire('arn:aws:iam::444455556666:root')).code).toBe('AccessDenied');
  });

  it('refuses an unknown grant id with its text, on retire and revoke', () => {
    const unknown = { code: 'InvalidGrantId', message: `Grant ${'f'.repeat(64)} is not a grant of this key.` };
    const caller = { principalArn: user('carol'), accountId: ACCOUNT };
    const state = [key(created, ...history()), access(created, ...history())] as const;
    expect(
      refusal(decideRetireGrant({ grantId: 'f'.repeat(64), caller, allowedByPolicy: true, now: NOW }, ...state)),
    ).toEqual(unknown);
    expect(refusal(decideRevokeGrant({ grantId: 'f'.repeat(64), caller, now: NOW }, ...state))).toEqual(unknown);
  });

  it('given a deleted key, refuses retire and revoke as not found', () => {
    const deleted: KeyEvent = { type: 'KeyDeleted', data: { deletedAt: NOW.toISOString(), destroyedShredKeyIds: [] } };
    const caller = { principalArn: user('carol'), accountId: ACCOUNT };
    const notFound = { code: 'NotFound', message: `Key '${ARN}' does not exist` };
    const k = key(created, ...history(), deleted);
    const a = access(created, ...history());
    expect(
      refusal(decideRetireGrant({ grantId: 'a'.repeat(64), caller, allowedByPolicy: true, now: NOW }, k, a)),
    ).toEqual(notFound);
    expect(refusal(decideRevokeGrant({ grantId: 'a'.repeat(64), caller, now: NOW }, k, a))).toEqual(notFound);
  });
});

describe('grant tokens', () => {
  const encoded = (text: string) => `KLGT1.${Buffer.from(text, 'utf8').toString('base64url')}`;

  it('are KLGT1. and the base64url of key/grant/nonce', () => {
    expect(grantTokenFor('k', 'g', 'n')).toBe(encoded('k/g/n'));
    expect(parseGrantToken(encoded('k/g/n'))).toEqual({ keyId: 'k', grantId: 'g' });
  });

  it.each([
    'KLGT1',
    `KLGT2.${Buffer.from('k/g/n').toString('base64url')}`,
    'xKLGT1.a2/g',
    encoded('k/g/n/x'),
    encoded('/g/n'),
    encoded('k/g/'),
    `${encoded('k/g/n')}=`,
    `KLGT1.!${encoded('k/g/n').slice(6)}`,
  ])('refuses %j with the one text', (token) => {
    expect(refusal(parseGrantToken(token))).toEqual({
      code: 'InvalidGrantToken',
      message: 'The grant token is not valid.',
    });
  });
});

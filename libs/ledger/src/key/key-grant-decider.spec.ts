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
const refusal = (decision: unknown): DomainError => {
  if (!(decision instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return decision;
};
const ok = <T>(decision: T | DomainError): T => {
  if (decision instanceof DomainError) throw new Error(`${decision.code}: ${decision.message}`);
  return decision;
};
const grant = (extra: Partial<CreateGrantCommand> = {}): CreateGrantCommand => ({
  grantId: 'a'.repeat(64),
  granteePrincipal: user('bob'),
  retiringPrincipal: user('carol'),
  operations: ['Decrypt', 'RetireGrant'],
  constraints: { EncryptionContextSubset: { Dept: 'IT' } },
  caller: { principalArn: user('alice'), accountId: ACCOUNT },
  now: NOW,
  ...extra,
});
const withGrant = (extra: Partial<CreateGrantCommand> = {}): Any[] => [
  created,
  ...ok(decideCreateGrant(grant(extra), key(created), access(created))).events,
];

describe('CreateGrant', () => {
  it('records grantee, retiring principal, operations and constraints', () => {
    const outcome = ok(decideCreateGrant(grant({ name: 'batch' }), key(created), access(created)));
    expect(outcome.grantId).toBe('a'.repeat(64));
    expect(outcome.events).toEqual([
      {
        type: 'GrantCreated',
        data: {
          grantId: 'a'.repeat(64),
          name: 'batch',
          granteePrincipal: user('bob'),
          retiringPrincipal: user('carol'),
          operations: ['Decrypt', 'RetireGrant'],
          constraints: { EncryptionContextSubset: { Dept: 'IT' } },
          issuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
          createdAt: NOW.toISOString(),
        },
      },
    ]);
    const folded = access(created, ...outcome.events);
    expect(folded.grants.map((g) => g.grantId)).toEqual(['a'.repeat(64)]);
  });

  it('the same Name with the same parameters returns the same grant and records nothing', () => {
    const history = withGrant({ name: 'batch' });
    const again = ok(
      decideCreateGrant(
        grant({ name: 'batch', grantId: 'b'.repeat(64), operations: ['RetireGrant', 'Decrypt'] }),
        key(...history),
        access(...history),
      ),
    );
    expect(again).toEqual({ grantId: 'a'.repeat(64), events: [] });
  });

  it('the same Name with other parameters makes a new grant; no Name always does', () => {
    const history = withGrant({ name: 'batch' });
    const other = ok(
      decideCreateGrant(
        grant({ name: 'batch', grantId: 'b'.repeat(64), operations: ['Decrypt'] }),
        key(...history),
        access(...history),
      ),
    );
    expect(other.grantId).toBe('b'.repeat(64));
    expect(other.events).toHaveLength(1);
    const unnamed = withGrant();
    const twin = ok(decideCreateGrant(grant({ grantId: 'c'.repeat(64) }), key(...unnamed), access(...unnamed)));
    expect(twin.events).toHaveLength(1);
  });

  const invalid: Array<[string, Partial<CreateGrantCommand>, string]> = [
    ['a grantee that is no principal', { granteePrincipal: 'bob' }, 'Validation'],
    ['a wildcard grantee', { granteePrincipal: '*' }, 'Validation'],
    ['a retiring principal that is no principal', { retiringPrincipal: 'arn:aws:iam::x:user/c' }, 'Validation'],
    ['no operations', { operations: [] }, 'Validation'],
    ['an operation that is not a grant operation', { operations: ['PutKeyPolicy'] }, 'Validation'],
    [
      'more than 8 constraint pairs',
      { constraints: { EncryptionContextEquals: Object.fromEntries([...Array(9)].map((_, i) => [`k${i}`, 'v'])) } },
      'Validation',
    ],
    [
      'a constraint value over 384 characters',
      { constraints: { EncryptionContextSubset: { k: 'v'.repeat(385) } } },
      'Validation',
    ],
  ];
  for (const [name, extra, code] of invalid) {
    it(`refuses ${name}`, () => {
      expect(refusal(decideCreateGrant(grant(extra), key(created), access(created))).code).toBe(code);
    });
  }

  it('accepts an account id as grantee, and 8 constraint pairs', () => {
    const eight = Object.fromEntries([...Array(8)].map((_, i) => [`k${i}`, 'v'.repeat(384)]));
    const outcome = decideCreateGrant(
      grant({ granteePrincipal: ACCOUNT, constraints: { EncryptionContextEquals: eight } }),
      key(created),
      access(created),
    );
    expect(ok(outcome).events).toHaveLength(1);
  });

  it('refuses a key pending deletion or gone', () => {
    const scheduled: KeyEvent = {
      type: 'KeyDeletionScheduled',
      data: { deletionDate: '2026-04-01T00:00:00.000Z', pendingWindowInDays: 30 },
    };
    expect(refusal(decideCreateGrant(grant(), key(created, scheduled), access(created))).code).toBe('InvalidState');
    expect(refusal(decideCreateGrant(grant(), initialKeyState(), initialKeyAccess())).code).toBe('NotFound');
  });

  it('through a grant: no more operations and no looser constraints than it has', () => {
    const parent = {
      grantId: 'p',
      operations: ['Decrypt', 'CreateGrant'] as never[],
      constraints: { EncryptionContextSubset: { Dept: 'IT' } },
    };
    const stricter = grant({
      operations: ['Decrypt'],
      constraints: { EncryptionContextSubset: { Dept: 'IT', App: 'x' } },
      throughGrant: parent,
    });
    expect(ok(decideCreateGrant(stricter, key(created), access(created))).events).toHaveLength(1);
    const moreOps = grant({ operations: ['Decrypt', 'Encrypt'], throughGrant: parent });
    expect(refusal(decideCreateGrant(moreOps, key(created), access(created))).code).toBe('AccessDenied');
    const looser = grant({ operations: ['Decrypt'], constraints: undefined, throughGrant: parent });
    expect(refusal(decideCreateGrant(looser, key(created), access(created))).code).toBe('AccessDenied');
  });

  it(`stops at ${MAX_GRANTS_PER_KEY} grants per key`, () => {
    const full = access(...withGrant());
    const many = { ...full, grants: new Array(MAX_GRANTS_PER_KEY).fill(full.grants[0]) };
    expect(refusal(decideCreateGrant(grant({ grantId: 'd'.repeat(64) }), key(created), many)).code).toBe(
      'LimitExceeded',
    );
    const below = { ...full, grants: new Array(MAX_GRANTS_PER_KEY - 1).fill(full.grants[0]) };
    expect(ok(decideCreateGrant(grant({ grantId: 'd'.repeat(64) }), key(created), below)).events).toHaveLength(1);
  });
});

describe('RetireGrant and RevokeGrant', () => {
  const history = withGrant();
  const retire = (who: string, extra: { allowedByPolicy?: boolean; grantId?: string } = {}) =>
    decideRetireGrant(
      {
        grantId: extra.grantId ?? 'a'.repeat(64),
        caller: { principalArn: who, accountId: ACCOUNT },
        allowedByPolicy: extra.allowedByPolicy ?? false,
        now: NOW,
      },
      key(...history),
      access(...history),
    );

  it('the retiring principal retires, and the grant is gone', () => {
    const retired = ok(retire(user('carol')));
    expect(retired).toEqual([
      {
        type: 'GrantRetired',
        data: { grantId: 'a'.repeat(64), retiredBy: user('carol'), retiredAt: NOW.toISOString() },
      },
    ]);
    expect(access(...history, ...retired).grants).toEqual([]);
  });

  it('the grantee retires when the grant includes RetireGrant; not otherwise', () => {
    expect(ok(retire(user('bob')))).toHaveLength(1);
    const noRetire = withGrant({ operations: ['Decrypt'] });
    const refused = decideRetireGrant(
      {
        grantId: 'a'.repeat(64),
        caller: { principalArn: user('bob'), accountId: ACCOUNT },
        allowedByPolicy: false,
        now: NOW,
      },
      key(...noRetire),
      access(...noRetire),
    );
    expect(refusal(refused).code).toBe('AccessDenied');
  });

  it('the account retires (its root, or through an identity policy); a stranger does not', () => {
    expect(ok(retire(`arn:aws:iam::${ACCOUNT}:root`))).toHaveLength(1);
    expect(ok(retire(user('dave'), { allowedByPolicy: true }))).toHaveLength(1);
    const error = refusal(retire(user('dave')));
    expect(error.code).toBe('AccessDenied');
    expect(error.message).toContain(
      `User: ${user('dave')} is not authorized to perform: kms:RetireGrant on resource: ${ARN}`,
    );
  });

  it('an unknown grant id is InvalidGrantId', () => {
    expect(refusal(retire(user('carol'), { grantId: 'f'.repeat(64) })).code).toBe('InvalidGrantId');
    const revoke = decideRevokeGrant(
      { grantId: 'f'.repeat(64), caller: { principalArn: user('alice'), accountId: ACCOUNT }, now: NOW },
      key(...history),
      access(...history),
    );
    expect(refusal(revoke).code).toBe('InvalidGrantId');
  });

  it('revoke records who revoked, and the grant is gone', () => {
    const revoked = ok(
      decideRevokeGrant(
        { grantId: 'a'.repeat(64), caller: { principalArn: user('alice'), accountId: ACCOUNT }, now: NOW },
        key(...history),
        access(...history),
      ),
    );
    expect(revoked).toEqual([
      {
        type: 'GrantRevoked',
        data: { grantId: 'a'.repeat(64), revokedBy: user('alice'), revokedAt: NOW.toISOString() },
      },
    ]);
    expect(access(...history, ...revoked).grants).toEqual([]);
  });

  it('a completed deletion takes every grant with it', () => {
    const deleted: KeyEvent = { type: 'KeyDeleted', data: { deletedAt: NOW.toISOString(), destroyedShredKeyIds: [] } };
    expect(access(...history).grants).toHaveLength(1);
    expect(access(...history, deleted).grants).toEqual([]);
  });
});

describe('grant tokens', () => {
  it('name their key and grant, are fresh per issue, and are recognised', () => {
    const a = grantTokenFor(KEY_ID, 'g1', 'n1');
    expect(a).not.toBe(grantTokenFor(KEY_ID, 'g1', 'n2'));
    expect(parseGrantToken(a)).toEqual({ keyId: KEY_ID, grantId: 'g1' });
  });

  for (const token of [
    '',
    'AQIDAHh...',
    'KLGT1.',
    'KLGT1.!!',
    `KLGT1.${Buffer.from('a/b').toString('base64url')}`,
    `KLGT1.${Buffer.from('a//c').toString('base64url')}`,
  ]) {
    it(`refuses the foreign token ${JSON.stringify(token)}`, () => {
      expect(refusal(parseGrantToken(token)).code).toBe('InvalidGrantToken');
    });
  }
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore, type JsonObject } from '@keyledger/event-store';
import {
  DomainError,
  evolveKey,
  grantTokenFor,
  initialKeyState,
  keyStreamName,
  type KeyEvent,
} from '@keyledger/ledger';
import { Authorizer, type Caller, type KeyInRequest } from './authorizer.js';
import { KeyAccessCache } from './key-access-cache.js';
import { ACCOUNT, ARN, KEY_ID, keyCreated, policyChangedToOnlyAlice, user } from './testing/access-fixtures.js';

const caller = (name: string, role: Caller['role'], policy: string | null = null): Caller => ({
  name,
  principalArn: user(name),
  accountId: ACCOUNT,
  role,
  policy,
});
const events: Array<{ type: string; data: JsonObject }> = [
  keyCreated(),
  { type: 'KeyDisabled', data: {} },
  policyChangedToOnlyAlice(),
  {
    type: 'GrantCreated',
    data: {
      grantId: 'g'.repeat(64),
      name: null,
      granteePrincipal: user('bob'),
      retiringPrincipal: null,
      operations: ['Decrypt'],
      constraints: { EncryptionContextSubset: { Dept: 'IT' } },
      issuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
      createdAt: '2026-02-02T00:00:00.000Z',
    },
  },
];

let dir: string;
let store: SqliteEventStore;
let cache: KeyAccessCache;
let authorizer: Authorizer;

const keyAt = (revision: number): KeyInRequest => ({
  keyId: KEY_ID,
  revision: BigInt(revision),
  state: events.slice(0, revision + 1).reduce((s, e) => evolveKey(s, e as unknown as KeyEvent), initialKeyState()),
  aliases: [],
});
const ask = (who: Caller, operation: string, revision: number, input: Record<string, unknown> = {}) =>
  authorizer.decide({ caller: who, operation, input, key: keyAt(revision), now: Date.now() });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-authz-'));
  store = new SqliteEventStore(join(dir, 'ledger.db'));
  await store.appendToStream(keyStreamName(KEY_ID), events);
  cache = new KeyAccessCache(store);
  authorizer = new Authorizer(cache);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Authorizer over the key stream', () => {
  it('before the policy change: the default policy and the role decide', async () => {
    const [bob] = await ask(caller('bob', 'key-user'), 'Decrypt', 1);
    expect(bob.decision).toBe('ALLOWED');
    expect(bob.allowingStatements.map((s) => s.sid)).toEqual(['Enable IAM User Permissions', 'KeyledgerKeyUser']);
    const [auditor] = await ask(caller('carol', 'auditor'), 'Decrypt', 1);
    expect(auditor.decision).toBe('IMPLICIT_DENY');
  });

  it('after it: only alice; bob (key-user) is refused with AWS text', async () => {
    expect((await ask(caller('alice', null), 'Decrypt', 2))[0].decision).toBe('ALLOWED');
    const refusal = await authorizer
      .enforce({ caller: caller('bob', 'key-user'), operation: 'Decrypt', input: {}, key: keyAt(2), now: Date.now() })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).code).toBe('AccessDenied');
    expect((refusal as DomainError).message).toBe(
      `User: ${user('bob')} is not authorized to perform: kms:Decrypt on resource: ${ARN} because no resource-based policy allows the kms:Decrypt action`,
    );
  });

  it('after the grant: bob decrypts with the constrained context only', async () => {
    const [withContext] = await ask(caller('bob', null), 'Decrypt', 3, { EncryptionContext: { Dept: 'IT' } });
    expect(withContext.decision).toBe('ALLOWED');
    expect(withContext.allowingGrants).toEqual(['g'.repeat(64)]);
    expect((await ask(caller('bob', null), 'Decrypt', 3))[0].decision).toBe('IMPLICIT_DENY');
  });

  it('compiles a policy once: the grant after it leaves the compiled policy as it was', async () => {
    const fresh = new KeyAccessCache(store);
    const atPolicy = await fresh.accessAt(KEY_ID, 2n);
    const atGrant = await fresh.accessAt(KEY_ID, 3n);
    expect(atGrant.policy).toBe(atPolicy.policy);
    expect(await fresh.accessAt(KEY_ID, 3n)).toBe(atGrant);
    // A request that loaded an older revision still gets the access of that revision.
    expect((await fresh.accessAt(KEY_ID, 1n)).policy.delegatesAllTo).toBe(ACCOUNT);
    expect(await fresh.accessAt(KEY_ID, 3n)).toBe(atGrant);
  });

  it('operations on no key: the identity policy alone', async () => {
    const ask0 = (who: Caller) =>
      authorizer.decide({ caller: who, operation: 'CreateKey', input: {}, now: Date.now() });
    expect((await ask0(caller('dave', 'admin')))[0].decision).toBe('ALLOWED');
    const [denied] = await ask0(caller('bob', 'key-user'));
    expect([denied.decision, denied.resource, denied.policyType]).toEqual(['IMPLICIT_DENY', '*', 'identity-based']);
  });

  it('an own identity policy beside the role counts, and a change of it is seen', async () => {
    const denyDecrypt = JSON.stringify({ Statement: { Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' } });
    expect((await ask(caller('erin', 'key-user'), 'Decrypt', 1))[0].decision).toBe('ALLOWED');
    expect((await ask(caller('erin', 'key-user', denyDecrypt), 'Decrypt', 1))[0].decision).toBe('EXPLICIT_DENY');
  });

  it('grant tokens: ours pass, foreign ones are InvalidGrantToken', async () => {
    const ours = grantTokenFor(KEY_ID, 'g'.repeat(64), 'n');
    expect((await ask(caller('bob', 'key-user'), 'Decrypt', 1, { GrantTokens: [ours] }))[0].decision).toBe('ALLOWED');
    const foreign = await ask(caller('bob', 'key-user'), 'Decrypt', 1, { GrantTokens: ['AQIDAHh-foreign'] }).catch(
      (e: unknown) => e,
    );
    expect((foreign as DomainError).code).toBe('InvalidGrantToken');
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore, type JsonObject } from '@keyledger/event-store';
import { DomainError, keyStreamName, PRINCIPALS_STREAM } from '@keyledger/ledger';
import { AccessAsOf, accessReviewCsv } from './access-as-of.js';
import { ACCOUNT, ARN, KEY_ID, keyCreated, ONLY_ALICE, user } from './testing/access-fixtures.js';

const at = (day: number) => Date.parse('2026-01-01T00:00:00Z') + day * 86_400_000;
const meta = (day: number): JsonObject => ({ time: new Date(at(day)).toISOString(), requestId: `r${day}` });
const entry = (name: string, role: string | null, policy: string | null = null) => ({
  name,
  arn: user(name),
  accessKeyIds: [`AKIA${name.toUpperCase().padEnd(12, '0')}`],
  role,
  policy,
});

let dir: string;
let store: SqliteEventStore;
let access: AccessAsOf;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-access-'));
  store = new SqliteEventStore(join(dir, 'ledger.db'));
  const key = keyStreamName(KEY_ID);
  const directory = (day: number, principals: object[]) =>
    store.appendToStream(PRINCIPALS_STREAM, [
      {
        type: 'PrincipalDirectoryChanged',
        data: { principals, changedAt: new Date(at(day)).toISOString() } as JsonObject,
        metadata: meta(day),
      },
    ]);
  await store.appendToStream(key, [{ ...keyCreated(new Date(at(1)).toISOString()), metadata: meta(1) }]);
  await directory(2, [entry('alice', 'key-user'), entry('bob', 'auditor')]);
  await store.appendToStream(key, [
    {
      type: 'KeyPolicyChanged',
      data: {
        policyName: 'default',
        policy: ONLY_ALICE,
        bypassPolicyLockoutSafetyCheck: false,
        changedAt: new Date(at(3)).toISOString(),
      },
      metadata: meta(3),
    },
  ]);
  await store.appendToStream(key, [
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
        createdAt: new Date(at(4)).toISOString(),
      },
      metadata: meta(4),
    },
  ]);
  await directory(5, [entry('alice', 'key-user'), entry('bob', 'auditor'), entry('carol', 'admin')]);
  access = new AccessAsOf(store);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ops = async (day: number, name: string) => {
  const answer = await access.whoCould(KEY_ID, at(day));
  return Object.fromEntries(
    (answer.principals.find((p) => p.name === name)?.operations ?? []).map((o) => [o.action, o.decision]),
  );
};

describe('access as of a time', () => {
  it('before the policy change: the default policy and roles', async () => {
    const answer = await access.whoCould(KEY_ID, at(2.5));
    expect(JSON.parse(answer.policy).Id).toBe('key-default-1');
    expect((await ops(2.5, 'alice'))['kms:Decrypt']).toBe('ALLOWED');
    expect((await ops(2.5, 'bob'))['kms:Decrypt']).toBeUndefined();
    expect((await ops(2.5, 'bob'))['kms:DescribeKey']).toBe('ALLOWED');
  });

  it('after the policy change: only alice, named directly', async () => {
    const answer = await access.whoCould(KEY_ID, at(3.5));
    expect(answer.principals.find((p) => p.name === 'alice')?.operations[0].allowedBy).toEqual([
      [{ kind: 'statement', policy: 'key', sid: 'AliceOnly', index: 0, conditions: [] }],
    ]);
    expect(await ops(3.5, 'bob')).toEqual({});
  });

  it('after the grant: bob may decrypt under its constraint', async () => {
    expect(await ops(4.5, 'bob')).toEqual({ 'kms:Decrypt': 'CONDITIONAL' });
    expect((await access.whoCould(KEY_ID, at(4.5))).grants.map((g) => g.grantId)).toEqual(['g'.repeat(64)]);
  });

  it('the directory as of the time: carol appears only after its change', async () => {
    expect((await access.whoCould(KEY_ID, at(4.5))).principals.map((p) => p.name)).toEqual(['alice', 'bob']);
    expect((await access.whoCould(KEY_ID, at(5.5))).principals.map((p) => p.name)).toEqual(['alice', 'bob', 'carol']);
    // carol is an admin, but the key policy in force names only alice.
    expect(await ops(5.5, 'carol')).toEqual({});
  });

  it('simulate at three times', async () => {
    const ask = (day: number) =>
      access.simulate({
        principal: 'bob',
        action: 'Decrypt',
        keyId: KEY_ID,
        encryptionContext: { Dept: 'IT' },
        asOf: at(day),
      });
    const before = await ask(2.5);
    expect([before.decision, before.policyType]).toEqual(['IMPLICIT_DENY', 'identity-based']);
    const locked = await ask(3.5);
    expect([locked.decision, locked.policyType]).toEqual(['IMPLICIT_DENY', 'resource-based']);
    const granted = await ask(4.5);
    expect([granted.decision, granted.allowingGrants]).toEqual(['ALLOWED', ['g'.repeat(64)]]);
  });

  it('a key is unknown before its creation', async () => {
    const error = await access.whoCould(KEY_ID, at(0.5)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('NotFound');
  });

  it('the access-review CSV: every principal × key × operation, with what allows it', async () => {
    const csv = accessReviewCsv(await access.accessReview(at(4.5)));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('principal,principalArn,keyArn,operation,decision,allowedBy');
    expect(lines).toContain(`bob,${user('bob')},${ARN},kms:Decrypt,CONDITIONAL,grant:${'g'.repeat(64)}`);
    expect(lines).toContain(`alice,${user('alice')},${ARN},kms:PutKeyPolicy,ALLOWED,key:AliceOnly`);
    expect(lines.filter((l) => l.startsWith('bob,'))).toHaveLength(1);
    const before = accessReviewCsv(await access.accessReview(at(2.5)));
    expect(before).toContain(
      `alice,${user('alice')},${ARN},kms:Decrypt,ALLOWED,key:Enable IAM User Permissions + identity:KeyledgerKeyUser`,
    );
  });
});

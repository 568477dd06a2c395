import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '@keyledger/event-store';
import { integrityOf, PRINCIPALS_STREAM } from '@keyledger/ledger';
import { PrincipalDirectory, type Principal } from '@keyledger/kms-api';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { PrincipalDirectoryRecorder } from './principal-directory-recorder.js';

const SECRET = 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY';
const alice: Principal = { name: 'alice', accessKeyId: 'AKIAALICE0000001', secretAccessKey: SECRET, role: 'key-user' };
const bob: Principal = { name: 'bob', accessKeyId: 'AKIABOB000000001', secretAccessKey: SECRET, role: 'auditor' };
const config = { accountId: '111122223333' } as KeyledgerConfig;

let dir: string;
let store: SqliteEventStore;
let time = Date.parse('2026-03-01T00:00:00Z');
const recorder = (...principals: Principal[]) =>
  new PrincipalDirectoryRecorder(store, new PrincipalDirectory(principals), config, { now: () => new Date(time) });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-principals-'));
  store = new SqliteEventStore(join(dir, 'ledger.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('PrincipalDirectoryRecorder', () => {
  it('records the first directory, then nothing while it is unchanged', async () => {
    expect(await recorder(alice, bob).record()).toBe(true);
    expect(await recorder(bob, alice).record()).toBe(false);
    const events = await store.readStream(PRINCIPALS_STREAM);
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('PrincipalDirectoryChanged');
    expect(events[0].data).toEqual({
      principals: [
        {
          name: 'alice',
          arn: 'arn:aws:iam::111122223333:user/alice',
          accessKeyIds: ['AKIAALICE0000001'],
          role: 'key-user',
          policy: null,
        },
        {
          name: 'bob',
          arn: 'arn:aws:iam::111122223333:user/bob',
          accessKeyIds: ['AKIABOB000000001'],
          role: 'auditor',
          policy: null,
        },
      ],
      changedAt: '2026-03-01T00:00:00.000Z',
    });
    expect(events[0].metadata).toMatchObject({
      actor: { principal: 'keyledger:startup' },
      time: '2026-03-01T00:00:00.000Z',
    });
    expect(JSON.stringify(events.map((e) => [e.data, e.metadata]))).not.toContain(SECRET);
  });

  it('records a change, chained to the event before it', async () => {
    await recorder(alice, bob).record();
    time += 60_000;
    expect(await recorder(alice, { ...bob, role: 'admin' }).record()).toBe(true);
    const [first, second] = await store.readStream(PRINCIPALS_STREAM);
    expect(second.revision).toBe(1n);
    expect(integrityOf(second.metadata)?.previousHash).toBe(integrityOf(first.metadata)?.hash);
    expect((second.data.principals as Array<{ role: string }>)[1].role).toBe('admin');
  });
});

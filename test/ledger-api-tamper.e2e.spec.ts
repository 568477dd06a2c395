import {
  CreateAliasCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import Database from 'better-sqlite3';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRootKeyProvider } from '@keyledger/crypto';
import { LEDGER_FILE_NAME, SqliteEventStore } from '@keyledger/event-store';
import { checkpointKeyPurpose, verifyLedger, type VerifyResult } from '@keyledger/read-models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';
import { Sha256 } from './support/sha256.js';

// Each ledger-API answer has its own shape; the tests read the members they assert on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function signed(h: Harness, method: 'GET' | 'POST', path: string): Promise<{ status: number; json: any }> {
  const url = new URL(h.url);
  const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: ADMIN, sha256: Sha256 });
  const request = await signer.sign(
    {
      method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query: {},
      headers: { host: url.host },
    },
    { signingDate: h.clock.now() },
  );
  const res = await fetch(`${h.url}${path}`, { method, headers: request.headers as Record<string, string> });
  return { status: res.status, json: await res.json() };
}

/**
 * A ledger with a checkpoint, then stopped; each test tampers with its own copy
 * of the data directory, as someone with access to the disk would.
 */
describe('tamper evidence', () => {
  let h: Harness;
  let dataDir: string;
  const copies: string[] = [];
  const keys: string[] = [];
  let checkpointedVerify: VerifyResult;

  beforeAll(async () => {
    h = await startKeyledger();
    for (let i = 0; i < 3; i++)
      keys.push((await h.kms.send(new CreateKeyCommand({ Description: `tamper-${i}` }))).KeyMetadata!.KeyId!);
    await h.kms.send(new UpdateKeyDescriptionCommand({ KeyId: keys[0], Description: 'tamper-me' }));
    await h.kms.send(new DisableKeyCommand({ KeyId: keys[1] }));
    await h.kms.send(new EnableKeyCommand({ KeyId: keys[1] }));
    await h.kms.send(new CreateAliasCommand({ AliasName: 'alias/tamper', TargetKeyId: keys[2] }));
    expect((await signed(h, 'GET', '/v1/audit/verify')).json).toMatchObject({ ok: true });
    const checkpoint = await signed(h, 'POST', '/v1/audit/checkpoints');
    expect(checkpoint.status).toBe(200);
    expect(checkpoint.json.streams).toBe(4);
    h.clock.advance(60_000);
    // Appended after the checkpoint: chained, but not covered by it.
    await h.kms.send(new UpdateKeyDescriptionCommand({ KeyId: keys[2], Description: 'after the checkpoint' }));
    const verified = await signed(h, 'GET', '/v1/audit/verify');
    expect(verified.status).toBe(200);
    checkpointedVerify = verified.json;
    dataDir = h.dataDir;
    await h.stop();
  });
  afterAll(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  function copyOfData(): string {
    const copy = mkdtempSync(join(tmpdir(), 'keyledger-tamper-'));
    copies.push(copy);
    cpSync(dataDir, copy, { recursive: true });
    return copy;
  }

  /** A copy of the stopped server's data directory with `sql` applied to its ledger file. */
  function tampered(sql: string, ...params: unknown[]): string {
    const copy = copyOfData();
    const db = new Database(join(copy, LEDGER_FILE_NAME));
    const changed = db.prepare(sql).run(...params).changes;
    db.close();
    expect(changed).toBeGreaterThan(0);
    return copy;
  }

  async function verifyCopy(dir: string): Promise<VerifyResult> {
    const store = new SqliteEventStore(join(dir, LEDGER_FILE_NAME));
    try {
      return await verifyLedger(store, resolveRootKeyProvider({ dataDir: dir }).deriveKey(checkpointKeyPurpose));
    } finally {
      await store.close();
    }
  }

  it('verifies the untouched ledger, checkpoint included', async () => {
    expect(checkpointedVerify).toMatchObject({ ok: true, streamsChecked: 5, lastCheckpoint: { streams: 4 } });
    // 3 keys × 2, a description, a disable and an enable, an alias, the checkpoint, a description after it.
    expect(checkpointedVerify.eventsChecked).toBe(12);
    expect(await verifyCopy(copyOfData())).toMatchObject({ ok: true, eventsChecked: 12 });
  });

  it('an edited byte in one event: the restarted server reports that event', async () => {
    const dir = tampered(
      `UPDATE events SET data = replace(data, 'tamper-me', 'tamper-mE') WHERE stream = ? AND revision = 2`,
      `key-${keys[0]}`,
    );
    const restarted = await startKeyledger({ dataDir: dir, clock: h.clock });
    try {
      const result = await signed(restarted, 'GET', '/v1/audit/verify');
      expect(result.status).toBe(200);
      expect(result.json.ok).toBe(false);
      expect(result.json.firstBadEvent).toMatchObject({ streamName: `key-${keys[0]}`, revision: '2' });
      expect(result.json.firstBadEvent.problem).toMatch(/altered/);
    } finally {
      await restarted.stop();
    }
  });

  it('one deleted event in the middle of a stream', async () => {
    const dir = tampered('DELETE FROM events WHERE stream = ? AND revision = 2', `key-${keys[1]}`);
    const result = await verifyCopy(dir);
    expect(result.ok).toBe(false);
    expect(result.firstBadEvent).toMatchObject({ streamName: `key-${keys[1]}`, revision: '3' });
    expect(result.firstBadEvent!.problem).toMatch(/revision 2 is missing/);
  });

  it('the deleted last event of a stream the checkpoint covered', async () => {
    const dir = tampered('DELETE FROM events WHERE stream = ? AND revision = 3', `key-${keys[1]}`);
    const result = await verifyCopy(dir);
    expect(result.ok).toBe(false);
    expect(result.firstBadEvent).toMatchObject({ streamName: `key-${keys[1]}`, revision: '3' });
    expect(result.firstBadEvent!.problem).toMatch(/missing \(the stream ends at revision 2\)/);
  });

  it('every event of one stream deleted', async () => {
    const dir = tampered('DELETE FROM events WHERE stream = ?', 'alias-alias/tamper');
    const result = await verifyCopy(dir);
    expect(result.ok).toBe(false);
    expect(result.firstBadEvent).toMatchObject({ streamName: 'alias-alias/tamper', revision: '0' });
    expect(result.firstBadEvent!.problem).toMatch(/stream is missing/);
  });
});

import {
  CreateAliasCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import Database from 'better-sqlite3';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveRootKeyProvider } from '@keyledger/crypto';
import { LEDGER_FILE_NAME, SqliteEventStore } from '@keyledger/event-store';
import { integrityOf, withIntegrity, withoutIntegrity } from '@keyledger/ledger';
import { CheckpointKeys, verifyLedger, type VerifyResult } from '@keyledger/integrity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';
import { ledgerApi } from './support/ledger-api-request.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'apps/keyledger/bin/keyledger.js');

/** The CLI in its own process, with no root key in its environment. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } },
      (error, stdout, stderr) =>
        done({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

// Each ledger-API answer has its own shape; the tests read the members they assert on.
const signed = (h: Harness, method: 'GET' | 'POST', path: string) => ledgerApi(h, method, path);

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
  let publicKeyFile: string;
  let publicKeyId: string;
  let checkpointHash: string;

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
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
    // Three keys, one alias, and the principal directory recorded at start.
    expect(checkpoint.json.streams).toBe(5);
    checkpointHash = checkpoint.json.checkpointHash;
    const publicKey = await signed(h, 'GET', '/v1/audit/public-key');
    expect(publicKey.json).toMatchObject({ algorithm: 'Ed25519', keyId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    publicKeyId = publicKey.json.keyId;
    publicKeyFile = join(mkdtempSync(join(tmpdir(), 'keyledger-auditor-')), 'checkpoint-key.pem');
    copies.push(join(publicKeyFile, '..'));
    writeFileSync(publicKeyFile, publicKey.json.publicKeyPem);
    h.clock.advance(60_000);
    // Appended after the checkpoint: chained, but not covered by it.
    await h.kms.send(new UpdateKeyDescriptionCommand({ KeyId: keys[2], Description: 'after the checkpoint' }));
    const verified = await signed(h, 'GET', '/v1/audit/verify');
    expect(verified.status).toBe(200);
    checkpointedVerify = verified.json;
    dataDir = h.dataDir;
    await h.stop();
  }, 300_000);
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
      return await verifyLedger(store, CheckpointKeys.fromRootKey(resolveRootKeyProvider({ dataDir: dir })));
    } finally {
      await store.close();
    }
  }

  it('verifies the untouched ledger, checkpoint included', async () => {
    expect(checkpointedVerify).toMatchObject({ ok: true, streamsChecked: 6, lastCheckpoint: { streams: 5 } });
    // The genesis checkpoint, the principal directory, 3 keys × 2, a description, a disable and an enable, an
    // alias, the checkpoint, a description after it.
    expect(checkpointedVerify.eventsChecked).toBe(14);
    expect(checkpointedVerify.checkpoints).toBe(2);
    expect(await verifyCopy(copyOfData())).toMatchObject({ ok: true, eventsChecked: 14 });
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
    // The checkpoint's Merkle root commits to every head without naming them: the checkpoint is where it shows.
    expect(result.firstBadEvent).toMatchObject({ streamName: 'ledger-checkpoints', revision: '1' });
    expect(result.firstBadEvent!.problem).toMatch(/covered events were removed/);
  });

  it('every event of one stream deleted', async () => {
    const dir = tampered('DELETE FROM events WHERE stream = ?', 'alias-alias/tamper');
    const result = await verifyCopy(dir);
    expect(result.ok).toBe(false);
    expect(result.firstBadEvent).toMatchObject({ streamName: 'ledger-checkpoints', revision: '1' });
    expect(result.firstBadEvent!.problem).toMatch(/covered events were removed/);
  });

  /** An auditor with a copy of the data directory and the checkpoint public key, and no root key. */
  describe('verify with the public key alone', () => {
    const rootless = () => {
      const copy = copyOfData();
      rmSync(join(copy, 'root.key'), { force: true });
      return copy;
    };

    it('verifies a copy with no root key, and names the key it checked with', async () => {
      const run = await cli([
        'verify',
        '--data-dir',
        rootless(),
        '--public-key',
        publicKeyFile,
        '--expect',
        checkpointHash,
      ]);
      expect(run.stderr).toContain('ledger verified');
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result).toMatchObject({
        ok: true,
        checkpoints: 2,
        checkedWith: 'public key',
        publicKey: { keyId: publicKeyId },
      });
    });

    it('a rewrite re-chained with the public v1 hash: not ok, at the checkpoint that covered it', async () => {
      const copy = rootless();
      const db = new Database(join(copy, LEDGER_FILE_NAME));
      const rows = db
        .prepare('SELECT data, metadata, revision, type FROM events WHERE stream = ? ORDER BY revision')
        .all(`key-${keys[0]}`) as Array<{ data: string; metadata: string; revision: number; type: string }>;
      let previousHash: string | null = null;
      const update = db.prepare('UPDATE events SET data = ?, metadata = ? WHERE stream = ? AND revision = ?');
      for (const row of rows) {
        const data = JSON.parse(row.data) as Record<string, unknown>;
        if (data.description === 'tamper-me') data.description = 'rewritten';
        const metadata = withIntegrity(
          {
            streamName: `key-${keys[0]}`,
            revision: BigInt(row.revision),
            type: row.type,
            data,
            metadata: withoutIntegrity(JSON.parse(row.metadata) as Record<string, unknown>),
          },
          previousHash,
        );
        previousHash = integrityOf(metadata)!.hash;
        update.run(JSON.stringify(data), JSON.stringify(metadata), `key-${keys[0]}`, row.revision);
      }
      db.close();
      const run = await cli(['verify', '--data-dir', copy, '--public-key', publicKeyFile]);
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).firstBadEvent).toMatchObject({ streamName: 'ledger-checkpoints', revision: '1' });
    });

    it('--expect fails once the checkpoint kept elsewhere is gone; an export verifies like the directory', async () => {
      const copy = rootless();
      const exported = join(copy, 'ledger.jsonl');
      expect((await cli(['export', '--data-dir', copy, '--to', exported])).code).toBe(0);
      const fromExport = await cli([
        'verify',
        '--export',
        exported,
        '--public-key',
        publicKeyFile,
        '--expect',
        checkpointHash,
      ]);
      expect(fromExport.code).toBe(0);
      expect(JSON.parse(fromExport.stdout)).toMatchObject({ ok: true, eventsChecked: 14 });

      const db = new Database(join(copy, LEDGER_FILE_NAME));
      db.prepare('DELETE FROM events WHERE stream = ? AND revision = 1').run('ledger-checkpoints');
      db.close();
      const run = await cli(['verify', '--data-dir', copy, '--public-key', publicKeyFile, '--expect', checkpointHash]);
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).firstBadEvent.problem).toMatch(/expected checkpoint/);
    });
  });
});

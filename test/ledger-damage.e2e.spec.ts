import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

const running: Harness[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) await h.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A key with one ciphertext, the server stopped, then its KeyMaterialGenerated event damaged by `edit`. */
async function damagedKey(edit = 'substr(data, 2)') {
  const h = await startKeyledger();
  dirs.push(h.dataDir);
  const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const blob = (await h.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })))
    .CiphertextBlob!;
  await h.stop();
  const db = new Database(join(h.dataDir, 'ledger.db'));
  const { position } = db
    .prepare<[string], { position: number }>(
      "SELECT position FROM events WHERE stream = ? AND type = 'KeyMaterialGenerated'",
    )
    .get(`key-${key.KeyId}`)!;
  db.prepare(`UPDATE events SET data = ${edit} WHERE position = ?`).run(position);
  db.close();
  return { dataDir: h.dataDir, clock: h.clock, key, blob, position };
}

describe('a damaged ledger is reported well', () => {
  it('Decrypt on a key whose sealed material is damaged answers a 400 KMSInvalidStateException, never a retryable 500', async () => {
    // Still valid JSON, so the view starts; the sealed form no longer opens.
    const { dataDir, clock, blob } = await damagedKey(
      "json_set(data, '$.sealedMaterial', 'AAAA' || substr(json_extract(data, '$.sealedMaterial'), 5))",
    );
    const h = await startKeyledger({ dataDir, clock });
    running.push(h);
    const refused = await failure(h.kms.send(new DecryptCommand({ CiphertextBlob: blob })));
    expect(refused.name).toBe('KMSInvalidStateException');
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('Retrying will not help');
  });

  it('a start that must replay the damaged event names the file and the event position', async () => {
    const { dataDir, clock, key, position } = await damagedKey();
    rmSync(join(dataDir, 'ledger-view.snapshot'));
    await expect(startKeyledger({ dataDir, clock })).rejects.toThrow(
      `${join(dataDir, 'ledger.db')}: the event at position ${position} (stream key-${key.KeyId}, revision 1) is damaged and cannot be read`,
    );
  });
});

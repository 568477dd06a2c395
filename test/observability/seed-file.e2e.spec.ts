import { DecryptCommand, DescribeKeyCommand, EncryptCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@keyledger/app';
import { SignatureV4 } from '@smithy/signature-v4';
import { ADMIN, startKeyledger, type Harness } from '../support/keyledger-harness.js';
import { Sha256 } from '../support/sha256.js';

const MATERIAL = Buffer.alloc(32, 0x5a);

describe('KEYLEDGER_SEED_FILE (issue 17 point 5)', () => {
  let dir: string;
  let seedFile: string;
  let h: Harness;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-seed-'));
    seedFile = join(dir, 'seed.json');
    writeFileSync(
      seedFile,
      JSON.stringify({
        keys: [
          { alias: 'alias/seed/payments', description: 'payments', rotation: true },
          {
            alias: 'alias/seed/imported',
            description: 'test key with known material',
            importedMaterial: MATERIAL.toString('base64'),
          },
        ],
      }),
    );
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the keys and aliases at first start, through the ordinary request path, and nothing at the next', async () => {
    h = await startKeyledger({ dataDir: join(dir, 'data'), env: { KEYLEDGER_SEED_FILE: seedFile } });
    const payments = (await h.kms.send(new DescribeKeyCommand({ KeyId: 'alias/seed/payments' }))).KeyMetadata!;
    expect(payments.Description).toBe('payments');
    expect((await h.kms.send(new GetKeyRotationStatusCommand({ KeyId: payments.KeyId }))).KeyRotationEnabled).toBe(
      true,
    );
    const imported = (await h.kms.send(new DescribeKeyCommand({ KeyId: 'alias/seed/imported' }))).KeyMetadata!;
    expect(imported).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'Enabled' });
    const blob = (await h.kms.send(new EncryptCommand({ KeyId: 'alias/seed/imported', Plaintext: Buffer.from('x') })))
      .CiphertextBlob!;
    expect(Buffer.from((await h.kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe(
      'x',
    );

    // Ordinary ledger events, naming the seed as their actor.
    const history = await fetchHistory(h, payments.KeyId!);
    expect(history[0]).toMatchObject({ type: 'KeyCreated', actor: { principal: 'keyledger:seed' } });

    await h.stop();
    h = await startKeyledger({ dataDir: join(dir, 'data'), env: { KEYLEDGER_SEED_FILE: seedFile } });
    const again = (await h.kms.send(new DescribeKeyCommand({ KeyId: 'alias/seed/payments' }))).KeyMetadata!;
    expect(again.KeyId).toBe(payments.KeyId);
    expect(await fetchHistory(h, payments.KeyId!)).toHaveLength(history.length);
  });

  it('a seed file of the wrong shape is a one-line configuration error, before anything is written', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ keys: [{ alias: 'payments' }] }));
    expect(() => loadConfig({ KEYLEDGER_SEED_FILE: bad })).toThrow(
      `KEYLEDGER_SEED_FILE ${bad}: keys[0].alias must be an alias name (alias/...): a seed key is found again by it`,
    );
    writeFileSync(bad, '{"keys": [');
    expect(() => loadConfig({ KEYLEDGER_SEED_FILE: bad })).toThrow(/^KEYLEDGER_SEED_FILE .* is not JSON \(/);
    writeFileSync(bad, JSON.stringify({ keys: [{ alias: 'alias/x', importedMaterial: 'AAAA' }] }));
    expect(() => loadConfig({ KEYLEDGER_SEED_FILE: bad })).toThrow(
      'importedMaterial must be the base64 of exactly 32 bytes',
    );
  });
});

async function fetchHistory(h: Harness, keyId: string): Promise<Array<{ type: string; actor: unknown }>> {
  const url = new URL(h.url);
  const path = `/v1/keys/${keyId}/events`;
  const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: ADMIN, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      headers: { host: url.host },
    },
    { signingDate: h.clock.now() },
  );
  const res = await fetch(`${h.url}${path}`, { headers: signed.headers as Record<string, string> });
  return ((await res.json()) as { events: Array<{ type: string; actor: unknown }> }).events;
}

import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyledger } from './support/keyledger-harness.js';
import { cli, REPO_ROOT as ROOT } from './support/cli-process.js';

const PASSPHRASE = 'correct horse battery staple';

describe('keyledger backup / restore', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'keyledger-backup-'));
  beforeAll(() => execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' }), 120_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('a backup taken under write load restores elsewhere: every ciphertext acknowledged before it decrypts, verify ok', async () => {
    const h = await startKeyledger();
    const keyId = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const acknowledged: { blob: Uint8Array; plaintext: string }[] = [];
    let stop = false;
    let writes = 0;
    // The load: new keys and encryptions under them, acknowledged one after another.
    const load = (async () => {
      let current = keyId;
      while (!stop) {
        if (writes % 5 === 0) current = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
        const plaintext = `p${writes++}`;
        const out = await h.kms.send(new EncryptCommand({ KeyId: current, Plaintext: Buffer.from(plaintext) }));
        acknowledged.push({ blob: out.CiphertextBlob!, plaintext });
      }
    })();
    while (acknowledged.length < 10) await new Promise((r) => setImmediate(r));
    const before = acknowledged.slice();
    const file = join(scratch, 'backup.klb');
    const backup = await cli(['backup', '--data-dir', h.dataDir, '--to', file, '--include-root-key'], {
      KEYLEDGER_BACKUP_PASSPHRASE: PASSPHRASE,
    });
    const duringBackup = acknowledged.length - before.length;
    stop = true;
    await load;
    const rootKey = readFileSync(join(h.dataDir, 'root.key'));
    await h.close();
    // The root key is in the file only encrypted under the passphrase.
    expect(readFileSync(file).includes(rootKey)).toBe(false);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);

    const restoredDir = join(scratch, 'restored');
    const restore = await cli(['restore', '--from', file, '--data-dir', restoredDir], {
      KEYLEDGER_BACKUP_PASSPHRASE: PASSPHRASE,
    });
    expect(restore.code).toBe(0);
    expect(JSON.parse(restore.stdout).verify).toMatchObject({ ok: true });

    const restored = await startKeyledger({ dataDir: restoredDir, clock: h.clock });
    try {
      for (const { blob, plaintext } of before) {
        const out = await restored.kms.send(new DecryptCommand({ CiphertextBlob: blob }));
        expect(Buffer.from(out.Plaintext!).toString()).toBe(plaintext);
      }
    } finally {
      await restored.close();
    }
    // The load really ran while the backup was taken (else this test proves less than it says).
    expect(duringBackup).toBeGreaterThan(0);
  });

  it('restore refuses a data directory that is not empty, and a wrong passphrase', async () => {
    const h = await startKeyledger();
    const file = join(scratch, 'small.klb');
    expect(
      (
        await cli(['backup', '--data-dir', h.dataDir, '--to', file, '--include-root-key'], {
          KEYLEDGER_BACKUP_PASSPHRASE: PASSPHRASE,
        })
      ).code,
    ).toBe(0);
    const intoServed = await cli(['restore', '--from', file, '--data-dir', h.dataDir]);
    expect(intoServed.code).toBe(1);
    expect(intoServed.stderr).toMatch(/is not empty/);
    await h.close();
    const wrong = await cli(['restore', '--from', file, '--data-dir', join(scratch, 'wrong')], {
      KEYLEDGER_BACKUP_PASSPHRASE: 'not the passphrase at all',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('does not open with this passphrase');
  });
});

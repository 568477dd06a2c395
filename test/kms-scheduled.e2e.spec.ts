import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
  DeleteImportedKeyMaterialCommand,
} from '@aws-sdk/client-kms';
import Database from 'better-sqlite3';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileRootKeyProvider, openMaterial, ShredVault } from '@keyledger/crypto';
import { describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

const DAY = 86_400_000;

async function importMaterial(h: Harness, keyId: string, material: Buffer, validTo?: Date) {
  const params = await h.kms.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    }),
  );
  const key = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
  const wrapped = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
  return h.kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapped,
      ...(validTo
        ? { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo }
        : { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
    }),
  );
}

/** Every event of a stream as stored, read straight from the SQLite file. */
function rawEvents(dataDir: string, streamName: string): Array<{ type: string; data: string }> {
  const db = new Database(join(dataDir, 'ledger.db'), { readonly: true });
  try {
    const table = (
      db.prepare("select name from sqlite_master where type='table' and sql like '%stream%'").get() as { name: string }
    ).name;
    const columns = (db.prepare(`pragma table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
    const streamColumn = columns.find((c) => c.startsWith('stream'))!;
    const revisionColumn = columns.find((c) => c.includes('revision'))!;
    return db
      .prepare(`select type, data from ${table} where ${streamColumn} = ? order by ${revisionColumn}`)
      .all(streamName) as Array<{ type: string; data: string }>;
  } finally {
    db.close();
  }
}

type Sealed = { keyMaterialId: string; sealedMaterial: string; shredKeyId: string };
const sealedOf = (dataDir: string, keyId: string): Sealed[] =>
  rawEvents(dataDir, `key-${keyId}`)
    .filter((e) => e.type === 'KeyMaterialGenerated' || e.type === 'KeyMaterialImported')
    .map((e) => JSON.parse(e.data) as Sealed);

/** The vault's files as bytes, and a shred key's wrapped form as stored, read without the vault's code. */
function rawVault(dataDir: string): Buffer {
  return Buffer.concat(
    ['vault.db', 'vault.db-wal']
      .map((f) => join(dataDir, f))
      .filter(existsSync)
      .map((f) => readFileSync(f)),
  );
}
function storedWrapped(dataDir: string, shredKeyId: string): Buffer {
  const db = new Database(join(dataDir, 'vault.db'), { readonly: true });
  try {
    return Buffer.from(
      db.prepare<[string], Buffer>('SELECT wrapped FROM shred_key WHERE id = ?').pluck().get(shredKeyId)!,
    );
  } finally {
    db.close();
  }
}

describe('work that falls due by the clock', () => {
  it('automatic rotation happens when due, once, and NextRotationDate moves on by the period', async () => {
    const h = await startKeyledger();
    try {
      const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      await h.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
      const due = (await h.kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).NextRotationDate!;
      const before = await h.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('before') }));
      h.clock.set(due.getTime() - 1000);
      expect((await h.scheduler().sweep()).rotated).toBe(0);
      h.clock.set(due.getTime() + 1000);
      expect((await h.scheduler().sweep()).rotated).toBe(1);
      expect((await h.scheduler().sweep()).rotated).toBe(0);
      const status = await h.kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
      expect(status.NextRotationDate!.getTime()).toBe(due.getTime() + 90 * DAY);
      const rotations = (await h.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!;
      expect(rotations).toHaveLength(1);
      expect(rotations[0]).toMatchObject({ RotationType: 'AUTOMATIC', KeyMaterialState: 'CURRENT' });
      const dec = await h.kms.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }));
      expect(dec.KeyMaterialId).toBe(key.CurrentKeyMaterialId);
      expect((await h.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.CurrentKeyMaterialId).toBe(
        rotations[0]!.KeyMaterialId,
      );
    } finally {
      await h.close();
    }
  });

  it('completed deletion and expiry happen across a restart, record events, and really destroy the material', async () => {
    const first = await startKeyledger();
    const kms = first.kms;
    const doomed = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const blob = (await kms.send(new EncryptCommand({ KeyId: doomed.KeyId, Plaintext: Buffer.from('gone') })))
      .CiphertextBlob!;
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));

    const expiring = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    await importMaterial(first, expiring.KeyId!, randomBytes(32), new Date(first.clock.now().getTime() + 3 * DAY));
    const expiringBlob = (await kms.send(new EncryptCommand({ KeyId: expiring.KeyId, Plaintext: Buffer.from('x') })))
      .CiphertextBlob!;

    const byok = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    await importMaterial(first, byok.KeyId!, randomBytes(32));
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: byok.KeyId }));
    await first.stop();

    // Before: each doomed material opens with the shred key the vault holds for it, whose wrapped form is on disk.
    const wrappedBefore = new Map<string, Buffer>();
    const before = ShredVault.open(first.dataDir, FileRootKeyProvider.openOrCreate(first.dataDir));
    try {
      for (const keyId of [doomed.KeyId!, expiring.KeyId!]) {
        for (const s of sealedOf(first.dataDir, keyId)) {
          const shredKey = before.get(s.shredKeyId)!;
          expect(openMaterial(s.sealedMaterial, shredKey, { keyId, keyMaterialId: s.keyMaterialId })).toHaveLength(32);
          wrappedBefore.set(s.shredKeyId, storedWrapped(first.dataDir, s.shredKeyId));
        }
      }
    } finally {
      before.close();
    }
    expect(wrappedBefore.size).toBe(2);
    for (const wrapped of wrappedBefore.values()) expect(rawVault(first.dataDir).includes(wrapped)).toBe(true);

    // Time passes while the server is down; the restarted server catches up at start-up.
    first.clock.set(scheduled.DeletionDate!.getTime() + 1000);
    const second = await startKeyledger({ dataDir: first.dataDir, clock: first.clock });
    try {
      expect((await failure(second.kms.send(new DescribeKeyCommand({ KeyId: doomed.KeyId })))).name).toBe(
        'NotFoundException',
      );
      expect((await failure(second.kms.send(new DecryptCommand({ CiphertextBlob: blob })))).name).toBe(
        'NotFoundException',
      );
      const listed = (await second.kms.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId);
      expect(listed).not.toContain(doomed.KeyId);
      expect((await second.kms.send(new DescribeKeyCommand({ KeyId: expiring.KeyId }))).KeyMetadata!.KeyState).toBe(
        'PendingImport',
      );
      expect((await failure(second.kms.send(new DecryptCommand({ CiphertextBlob: expiringBlob })))).name).toBe(
        'KMSInvalidStateException',
      );
      expect((await second.scheduler().sweep()).deleted + (await second.scheduler().sweep()).expired).toBe(0);
    } finally {
      await second.stop();
    }

    // The proof: with the whole store, the vault and the root key in hand, the material cannot be opened.
    const rootKey = FileRootKeyProvider.openOrCreate(first.dataDir);
    const vault = ShredVault.open(first.dataDir, rootKey);
    try {
      for (const [keyId, doneBy] of [
        [doomed.KeyId!, 'KeyDeleted'],
        [expiring.KeyId!, 'KeyMaterialExpired'],
        [byok.KeyId!, 'KeyMaterialDeleted'],
      ] as const) {
        const events = rawEvents(first.dataDir, `key-${keyId}`);
        expect(events.map((e) => e.type)).toContain(doneBy);
        const sealed = events
          .filter((e) => e.type === 'KeyMaterialGenerated' || e.type === 'KeyMaterialImported')
          .map((e) => JSON.parse(e.data) as { keyMaterialId: string; sealedMaterial: string; shredKeyId: string });
        expect(sealed.length).toBeGreaterThan(0);
        for (const s of sealed) {
          expect(s.sealedMaterial.length).toBeGreaterThan(40);
          expect(vault.has(s.shredKeyId)).toBe(false);
          expect(vault.get(s.shredKeyId)).toBeUndefined();
          // The exact wrapped bytes seen before are in neither vault.db nor its WAL: nothing is left to unwrap.
          const wrapped = wrappedBefore.get(s.shredKeyId);
          if (wrapped !== undefined) expect(rawVault(first.dataDir).includes(wrapped)).toBe(false);
        }
      }
    } finally {
      vault.close();
      await first.close();
    }
  });

  it('two servers sweeping one store record each due rotation and deletion once', async () => {
    const a = await startKeyledger();
    const rotating = (await a.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await a.kms.send(new EnableKeyRotationCommand({ KeyId: rotating.KeyId, RotationPeriodInDays: 90 }));
    const deleting = (await a.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await a.kms.send(new ScheduleKeyDeletionCommand({ KeyId: deleting.KeyId, PendingWindowInDays: 7 }));
    const b = await startKeyledger({ dataDir: a.dataDir, clock: a.clock });
    try {
      a.clock.advanceDays(91);
      const [ra, rb] = await Promise.all([a.scheduler().sweep(), b.scheduler().sweep()]);
      expect(ra.rotated + rb.rotated).toBe(1);
      expect(ra.deleted + rb.deleted).toBe(1);
      await a.stop();
      await b.stop();
      const rotated = rawEvents(a.dataDir, `key-${rotating.KeyId}`).filter((e) => e.type === 'KeyRotated');
      const deleted = rawEvents(a.dataDir, `key-${deleting.KeyId}`).filter((e) => e.type === 'KeyDeleted');
      expect(rotated).toHaveLength(1);
      expect(deleted).toHaveLength(1);
    } finally {
      await a.close();
    }
  });
});

import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_STORE, SHRED_VAULT } from '@keyledger/app';
import type { ShredVault } from '@keyledger/crypto';
import type { EventStore } from '@keyledger/event-store';
import { failure } from './support/failure.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

const DAY = 86_400_000;
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});
const start = async (dataDir?: string, clock?: Harness['clock']) => {
  const h = await startKeyledger({ dataDir, clock });
  harnesses.push(h);
  return h;
};

async function parameters(kms: KMSClient, keyId: string) {
  return kms.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    }),
  );
}

function wrapped(publicKey: Uint8Array, material: Buffer): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
}

async function importInto(h: Harness, keyId: string, material: Buffer, validTo?: Date) {
  const params = await parameters(h.kms, keyId);
  return h.kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapped(params.PublicKey!, material),
      ...(validTo
        ? { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo }
        : { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
    }),
  );
}

/** Every sealed copy the key's events hold (material and wrapping keys), by the shred key that opens it. */
async function sealedCopies(h: Harness, keyId: string): Promise<{ type: string; shredKeyId: string }[]> {
  const store = h.app.get<EventStore>(EVENT_STORE);
  const events = await store.readStream(`key-${keyId}`);
  return events
    .filter((e) => 'sealedMaterial' in e.data || 'sealedPrivateKey' in e.data)
    .map((e) => ({ type: e.type, shredKeyId: (e.data as { shredKeyId: string }).shredKeyId }));
}

const openable = async (h: Harness, keyId: string) => {
  const vault = h.app.get<ShredVault>(SHRED_VAULT);
  return (await sealedCopies(h, keyId)).filter((c) => vault.has(c.shredKeyId));
};

const eventTypes = async (h: Harness, keyId: string) =>
  (await h.app.get<EventStore>(EVENT_STORE).readStream(`key-${keyId}`)).map((e) => e.type);

describe('crypto-shredding leaves no sealed copy that opens', () => {
  it('import, re-import live material (new ValidTo), then delete: no vault entry opens any sealed copy', async () => {
    const h = await start();
    const key = (await h.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    const material = randomBytes(32);
    await importInto(h, key.KeyId!, material, new Date(h.clock.now().getTime() + 10 * DAY));
    const blob = (await h.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })))
      .CiphertextBlob!;
    // The retry / ValidTo change AWS allows: the same material, still live, imported again.
    await importInto(h, key.KeyId!, material, new Date(h.clock.now().getTime() + 20 * DAY));
    expect((await sealedCopies(h, key.KeyId!)).filter((c) => c.type === 'KeyMaterialImported')).toHaveLength(2);
    // Only the newest sealing still opens, and it still decrypts what the first one encrypted.
    expect((await openable(h, key.KeyId!)).map((c) => c.type)).toEqual(['KeyMaterialImported']);
    const dec = await h.kms.send(new DecryptCommand({ CiphertextBlob: blob }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe('x');

    await h.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    expect(await openable(h, key.KeyId!)).toEqual([]);
    expect((await failure(h.kms.send(new DecryptCommand({ CiphertextBlob: blob })))).name).toBe(
      'KMSInvalidStateException',
    );
  });

  it('a wrapping key is destroyed after the import that used it; its token is then refused', async () => {
    const h = await start();
    const key = (await h.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    const params = await parameters(h.kms, key.KeyId!);
    const material = randomBytes(32);
    const request = {
      KeyId: key.KeyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapped(params.PublicKey!, material),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const,
    };
    await h.kms.send(new ImportKeyMaterialCommand(request));
    const copies = await openable(h, key.KeyId!);
    expect(copies.map((c) => c.type)).toEqual(['KeyMaterialImported']);
    // A captured EncryptedKeyMaterial cannot be replayed once the material is deleted.
    await h.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    const replay = await failure(h.kms.send(new ImportKeyMaterialCommand(request)));
    expect(replay).toMatchObject({
      name: 'InvalidImportTokenException',
      message: 'The import token was already used. Call GetParametersForImport for new import parameters.',
    });
    expect(await openable(h, key.KeyId!)).toEqual([]);
  });

  it('an unused wrapping key is destroyed at its ValidTo by the scheduler, recorded as an event', async () => {
    const h = await start();
    const key = (await h.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    await parameters(h.kms, key.KeyId!);
    expect((await openable(h, key.KeyId!)).map((c) => c.type)).toEqual(['KeyImportParametersIssued']);
    h.clock.advance(DAY - 1);
    await h.scheduler().sweep();
    expect(await openable(h, key.KeyId!)).toHaveLength(1);
    h.clock.advance(1);
    await h.scheduler().sweep();
    expect(await openable(h, key.KeyId!)).toEqual([]);
    expect(await eventTypes(h, key.KeyId!)).toContain('KeyImportParametersExpired');
  });

  it('a dead shred key still in the vault is destroyed at start, recorded as an event', async () => {
    const first = await start();
    const key = (await first.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    await importInto(first, key.KeyId!, randomBytes(32));
    await first.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    const dead = (await sealedCopies(first, key.KeyId!)).find((c) => c.type === 'KeyMaterialImported')!;
    // As a crash between the event and the destruction, or a ledger from before the fix, leaves it.
    first.app.get<ShredVault>(SHRED_VAULT).create(dead.shredKeyId);
    await first.stop();
    harnesses.splice(harnesses.indexOf(first), 1);

    const second = await start(first.dataDir, first.clock);
    expect(second.app.get<ShredVault>(SHRED_VAULT).has(dead.shredKeyId)).toBe(false);
    const types = await eventTypes(second, key.KeyId!);
    expect(types.at(-1)).toBe('OrphanShredKeysDestroyed');
    // Nothing left: the next pass records nothing more.
    await second.scheduler().sweep();
    expect(await eventTypes(second, key.KeyId!)).toEqual(types);
  });

  it('a deleted key leaves no shred key of any sealed copy, re-imports included', async () => {
    const h = await start();
    const key = (await h.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    const material = randomBytes(32);
    await importInto(h, key.KeyId!, material);
    await importInto(h, key.KeyId!, material);
    await parameters(h.kms, key.KeyId!);
    await h.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    h.clock.advance(7 * DAY);
    await h.scheduler().sweep();
    expect(await eventTypes(h, key.KeyId!)).toContain('KeyDeleted');
    expect(await openable(h, key.KeyId!)).toEqual([]);
  });
});

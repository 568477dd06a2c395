import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

/**
 * One file holding a data directory's parts: a magic line, a length-prefixed JSON
 * manifest (name, length, SHA-256 of each part), then the parts' bytes in order.
 * The root key, when included, is a part encrypted under a passphrase (scrypt,
 * then AES-256-GCM), never stored as is.
 */
const MAGIC = Buffer.from('KEYLEDGER-BACKUP-1\n', 'latin1');
export const ROOT_KEY_PART = 'root.key.encrypted';
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export interface BackupPart {
  name: string;
  bytes: Buffer;
}

interface Manifest {
  createdAt: string;
  parts: { name: string; length: number; sha256: string }[];
}

export class BackupArchiveError extends Error {
  override name = 'BackupArchiveError';
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export function writeBackupArchive(file: string, parts: BackupPart[]): void {
  const manifest: Manifest = {
    createdAt: new Date().toISOString(),
    parts: parts.map((p) => ({ name: p.name, length: p.bytes.length, sha256: sha256(p.bytes) })),
  };
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    for (const chunk of [MAGIC, length, json, ...parts.map((p) => p.bytes)]) writeSync(fd, chunk);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

export function readBackupArchive(file: string): BackupPart[] {
  const whole = readFileSync(file);
  if (!whole.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupArchiveError(`${file} is not a keyledger backup`);
  const jsonLength = whole.readUInt32LE(MAGIC.length);
  let offset = MAGIC.length + 4;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(whole.subarray(offset, offset + jsonLength).toString('utf8')) as Manifest;
  } catch {
    throw new BackupArchiveError(`${file}: its manifest is damaged`);
  }
  offset += jsonLength;
  return manifest.parts.map((part) => {
    const bytes = whole.subarray(offset, offset + part.length);
    offset += part.length;
    if (bytes.length !== part.length || sha256(bytes) !== part.sha256)
      throw new BackupArchiveError(`${file}: part ${part.name} is damaged or cut short`);
    return { name: part.name, bytes };
  });
}

export function encryptRootKey(rootKey: Buffer, passphrase: string): Buffer {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(passphrase, salt, 32, SCRYPT);
  try {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(ROOT_KEY_PART));
    const body = Buffer.concat([cipher.update(rootKey), cipher.final()]);
    return Buffer.from(
      JSON.stringify({
        kdf: 'scrypt',
        ...SCRYPT,
        salt: salt.toString('base64'),
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ciphertext: body.toString('base64'),
      }),
    );
  } finally {
    key.fill(0);
  }
}

export function decryptRootKey(encrypted: Buffer, passphrase: string): Buffer {
  const e = JSON.parse(encrypted.toString('utf8')) as Record<string, string | number>;
  const key = scryptSync(passphrase, Buffer.from(String(e.salt), 'base64'), 32, {
    N: Number(e.N),
    r: Number(e.r),
    p: Number(e.p),
    maxmem: SCRYPT.maxmem,
  });
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(String(e.iv), 'base64'));
    decipher.setAAD(Buffer.from(ROOT_KEY_PART));
    decipher.setAuthTag(Buffer.from(String(e.tag), 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(String(e.ciphertext), 'base64')), decipher.final()]);
  } catch {
    throw new BackupArchiveError('the root key in the backup does not open with this passphrase');
  } finally {
    key.fill(0);
  }
}

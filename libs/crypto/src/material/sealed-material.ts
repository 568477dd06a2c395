import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto';
import { isKeyId } from '../identifiers.js';
import { decodeStrictBase64 } from '../internal/strict-base64.js';
import { isWellFormedString } from '../internal/well-formed.js';

/**
 * What sealed material is bound to. `keyMaterialId` is normally the backing key's
 * KeyMaterialId; other sealed secrets of a key (e.g. an import-parameters private key)
 * pass their own non-empty identifier.
 */
export interface MaterialBinding {
  keyId: string;
  keyMaterialId: string;
}

export class SealedMaterialError extends Error {
  constructor() {
    super(
      'sealed key material cannot be opened: it is corrupt, bound to another key or material id, or its shred key is wrong',
    );
    this.name = 'SealedMaterialError';
  }
}

const SEAL_FORMAT_VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEAL_OVERHEAD = 1 + IV_BYTES + TAG_BYTES;
const SHRED_KEY_BYTES = 32;
const BACKING_KEY_BYTES = 32;
// Big enough for an RSA-4096 private key in PKCS#8 DER; anything larger is a bug.
const MAX_MATERIAL_BYTES = 16 * 1024;
const AAD_DOMAIN = Buffer.from('keyledger/sealed-material/v1\0', 'utf8');

/** 32 random bytes: a new AES-256 backing key. */
export function generateBackingKey(): Buffer {
  return randomBytes(BACKING_KEY_BYTES);
}

/**
 * AES-256-GCM under the shred key, returned as base64 for storage inside a ledger event:
 *   version 0x01 (1) || IV (12) || ciphertext || tag (16)
 * The binding is AAD, so an event's sealed material cannot be replayed as another key's.
 */
export function sealMaterial(material: Buffer, shredKey: Buffer, binding: MaterialBinding): string {
  if (!Buffer.isBuffer(material) || material.length === 0 || material.length > MAX_MATERIAL_BYTES) {
    throw new RangeError(`material must be 1 to ${MAX_MATERIAL_BYTES} bytes`);
  }
  assertShredKey(shredKey);
  const aad = bindingAad(binding);
  const out = Buffer.alloc(SEAL_OVERHEAD + material.length);
  out[0] = SEAL_FORMAT_VERSION;
  randomFillSync(out, 1, IV_BYTES);
  // Stryker disable next-line ObjectLiteral: 16 bytes is also node:crypto's default AES-GCM tag length
  const cipher = createCipheriv('aes-256-gcm', shredKey, out.subarray(1, 1 + IV_BYTES), { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(material), cipher.final()]);
  body.copy(out, 1 + IV_BYTES);
  cipher.getAuthTag().copy(out, 1 + IV_BYTES + body.length);
  return out.toString('base64');
}

/** Throws SealedMaterialError for any failure to authenticate; the message names no secret. */
export function openMaterial(sealed: string, shredKey: Buffer, binding: MaterialBinding): Buffer {
  assertShredKey(shredKey);
  const aad = bindingAad(binding);
  const blob = typeof sealed === 'string' ? decodeStrictBase64(sealed) : undefined;
  if (blob === undefined || blob.length <= SEAL_OVERHEAD || blob[0] !== SEAL_FORMAT_VERSION) {
    throw new SealedMaterialError();
  }
  // Stryker disable next-line ObjectLiteral: the tag passed is always the last 16 bytes, the default length anyway
  const decipher = createDecipheriv('aes-256-gcm', shredKey, blob.subarray(1, 1 + IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
  decipher.setAAD(aad);
  const material = decipher.update(blob.subarray(1 + IV_BYTES, blob.length - TAG_BYTES));
  try {
    decipher.final();
  } catch {
    material.fill(0);
    throw new SealedMaterialError();
  }
  return material;
}

// Length-prefixed fields: ("ab","c") and ("a","bc") must not produce the same AAD.
function bindingAad(binding: MaterialBinding): Buffer {
  if (binding === null || typeof binding !== 'object') throw new TypeError('a material binding is required');
  const { keyId, keyMaterialId } = binding;
  if (!isKeyId(keyId)) throw new TypeError('binding.keyId must be a lowercase UUID');
  if (!isWellFormedString(keyMaterialId) || keyMaterialId.length === 0) {
    throw new TypeError('binding.keyMaterialId must be a non-empty, well-formed string');
  }
  // Stryker disable next-line StringLiteral: Buffer.from reads the encoding '' as utf8
  const keyIdBytes = Buffer.from(keyId, 'utf8');
  // Stryker disable next-line StringLiteral: as above
  const materialIdBytes = Buffer.from(keyMaterialId, 'utf8');
  const aad = Buffer.allocUnsafe(1 + AAD_DOMAIN.length + 8 + keyIdBytes.length + materialIdBytes.length);
  let offset = aad.writeUInt8(SEAL_FORMAT_VERSION, 0);
  offset += AAD_DOMAIN.copy(aad, offset);
  offset = aad.writeUInt32BE(keyIdBytes.length, offset);
  offset += keyIdBytes.copy(aad, offset);
  offset = aad.writeUInt32BE(materialIdBytes.length, offset);
  materialIdBytes.copy(aad, offset);
  return aad;
}

function assertShredKey(shredKey: Buffer): void {
  if (!Buffer.isBuffer(shredKey) || shredKey.length !== SHRED_KEY_BYTES) {
    throw new RangeError(`shred key must be ${SHRED_KEY_BYTES} bytes`);
  }
}

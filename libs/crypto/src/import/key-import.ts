import {
  constants,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  privateDecrypt,
  timingSafeEqual,
} from 'node:crypto';
import { isMultiRegionKeyId } from '../identifiers.js';

/**
 * Bring-your-own-key wrapping, as AWS KMS defines it: the caller wraps 256-bit
 * material under an RSA public key we issue, either directly with RSA-OAEP or,
 * for RSA_AES_KEY_WRAP_*, as RSA-OAEP(ephemeral AES-256 key) || AES-KWP(material)
 * (RFC 5649), which is what `openssl pkeyutl` + `openssl enc -id-aes256-wrap-pad` produce.
 */
export type ImportWrappingAlgorithm =
  'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256';
export type ImportWrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096';

export const IMPORTED_MATERIAL_BYTES = 32;

/**
 * One text for "did not unwrap" and "unwrapped to the wrong length", for a
 * given key: told apart, they would be an oracle on the RSA decryption.
 */
const unwrapFailed = ({ min, max, what }: ImportedMaterialLength): string =>
  'The encrypted key material could not be unwrapped with these import parameters, ' +
  `or it is not ${min === max ? min : `${min} to ${max}`} bytes of key material for ${what}.`;

export class ImportUnwrapError extends Error {
  override name = 'ImportUnwrapError';
}

export class InvalidImportTokenError extends Error {
  override name = 'InvalidImportTokenError';
}

const MODULUS_BITS: Record<ImportWrappingKeySpec, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

export interface WrappingKeyPair {
  /** DER SubjectPublicKeyInfo, as AWS returns PublicKey. */
  publicKeyDer: Buffer;
  /** DER PKCS#8: seal it before it goes anywhere. */
  privateKeyDer: Buffer;
}

export function generateWrappingKeyPair(spec: ImportWrappingKeySpec): WrappingKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: MODULUS_BITS[spec] });
  return {
    publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }),
    privateKeyDer: privateKey.export({ type: 'pkcs8', format: 'der' }),
  };
}

export const publicKeySha256 = (publicKeyDer: Buffer): string =>
  createHash('sha256').update(publicKeyDer).digest('hex');

function oaep(privateKeyDer: Buffer, hash: 'sha1' | 'sha256', data: Buffer): Buffer {
  const key = createPrivateKey({ key: privateKeyDer, format: 'der', type: 'pkcs8' });
  return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
}

/** The lengths material may have once unwrapped, and what to call it when it has another. */
export interface ImportedMaterialLength {
  min: number;
  max: number;
  /** e.g. "a symmetric key", "an HMAC_256 key". */
  what: string;
}

const SYMMETRIC_MATERIAL: ImportedMaterialLength = {
  min: IMPORTED_MATERIAL_BYTES,
  max: IMPORTED_MATERIAL_BYTES,
  what: 'a symmetric key',
};

/**
 * The material (32 bytes for a symmetric key unless `length` says otherwise), or
 * ImportUnwrapError (never saying more: the failure must not become an oracle).
 */
export function unwrapImportedMaterial(
  algorithm: ImportWrappingAlgorithm,
  privateKeyDer: Buffer,
  encryptedKeyMaterial: Buffer,
  length: ImportedMaterialLength = SYMMETRIC_MATERIAL,
): Buffer {
  let material: Buffer;
  try {
    if (algorithm === 'RSAES_OAEP_SHA_1' || algorithm === 'RSAES_OAEP_SHA_256') {
      material = oaep(privateKeyDer, algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256', encryptedKeyMaterial);
    } else {
      const modulusBytes = privateKeyModulusBytes(privateKeyDer);
      // Without this check the input would be refused all the same: AES-KWP gets an empty tail, which never unwraps.
      // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: the same refusal either way
      if (encryptedKeyMaterial.length <= modulusBytes) throw new Error('short');
      const aesKey = oaep(
        privateKeyDer,
        algorithm === 'RSA_AES_KEY_WRAP_SHA_1' ? 'sha1' : 'sha256',
        encryptedKeyMaterial.subarray(0, modulusBytes),
      );
      // Stryker disable next-line ConditionalExpression,StringLiteral: AES-256 key wrap refuses another length anyway
      if (aesKey.length !== 32) throw new Error('aes key length');
      const decipher = createDecipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
      material = Buffer.concat([decipher.update(encryptedKeyMaterial.subarray(modulusBytes)), decipher.final()]);
      aesKey.fill(0);
    }
  } catch {
    throw new ImportUnwrapError(unwrapFailed(length));
  }
  if (material.length < length.min || material.length > length.max) {
    material.fill(0);
    throw new ImportUnwrapError(unwrapFailed(length));
  }
  return material;
}

function privateKeyModulusBytes(privateKeyDer: Buffer): number {
  // The modulus length is all we need; reading it from the JWK avoids parsing ASN.1 by hand.
  const jwk = createPrivateKey({ key: privateKeyDer, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
  return Buffer.from(jwk.n as string, 'base64url').length;
}

const TOKEN_MAGIC = Buffer.from('KLIT1', 'latin1');
/** A multi-Region key's token holds its id's 32 digits; its own magic keeps it from a UUID of the same digits. */
const MULTI_REGION_TOKEN_MAGIC = Buffer.from('KLIM1', 'latin1');
const magicOf = (keyId: string): Buffer => (isMultiRegionKeyId(keyId) ? MULTI_REGION_TOKEN_MAGIC : TOKEN_MAGIC);
const keyIdBytes = (keyId: string): Buffer => uuidBytes(isMultiRegionKeyId(keyId) ? keyId.slice('mrk-'.length) : keyId);
const UUID_HEX = /^[0-9a-f]{32}$/;

/**
 * An import token names the key and the import parameters it belongs to, with
 * an HMAC under a root-derived key so that it cannot be forged or moved to
 * another key. Its validity period lives in the ledger event, not the token.
 */
export function issueImportToken(tokenKey: Buffer, keyId: string, importTokenId: string): Buffer {
  const body = Buffer.concat([magicOf(keyId), keyIdBytes(keyId), uuidBytes(importTokenId)]);
  return Buffer.concat([body, createHmac('sha256', tokenKey).update(body).digest()]);
}

/** The import token id of a token issued for `keyId`, or InvalidImportTokenError. */
export function readImportToken(tokenKey: Buffer, token: Buffer, keyId: string): string {
  const bodyLength = TOKEN_MAGIC.length + 32;
  const magic = token.subarray(0, TOKEN_MAGIC.length);
  if (token.length !== bodyLength + 32 || !(magic.equals(TOKEN_MAGIC) || magic.equals(MULTI_REGION_TOKEN_MAGIC)))
    throw new InvalidImportTokenError('The import token is not valid.');
  const body = token.subarray(0, bodyLength);
  const mac = createHmac('sha256', tokenKey).update(body).digest();
  if (!timingSafeEqual(mac, token.subarray(bodyLength)))
    throw new InvalidImportTokenError('The import token is not valid.');
  const issuedFor = body.subarray(TOKEN_MAGIC.length, TOKEN_MAGIC.length + 16);
  if (!magic.equals(magicOf(keyId)) || !issuedFor.equals(keyIdBytes(keyId)))
    throw new InvalidImportTokenError('The import token was issued for another key.');
  return uuidString(body.subarray(TOKEN_MAGIC.length + 16, bodyLength));
}

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!UUID_HEX.test(hex)) throw new InvalidImportTokenError('Not a UUID.');
  return Buffer.from(hex, 'hex');
}

function uuidString(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const importTokenKeyPurpose = 'keyledger/import-token/v1';

import { importPrivateKey, type ImportedMaterialLength, type KeyPairSpec } from '@keyledger/crypto';
import {
  DomainError,
  HMAC_IMPORT_BYTES,
  isAsymmetricKeySpec,
  isHmacKeySpec,
  type ServedKeySpec,
} from '@keyledger/ledger';

/** Bound for a PKCS#8 private key: an RSA-4096 one is about 2.4 KB. */
const MAX_PRIVATE_KEY_BYTES = 8192;

/** AWS's import rules per spec: 32 bytes of AES key, HMAC bytes in the spec's range, or a PKCS#8 private key. */
export function importedMaterialLength(spec: ServedKeySpec): ImportedMaterialLength {
  if (isHmacKeySpec(spec)) return { ...HMAC_IMPORT_BYTES[spec], what: `an ${spec} key` };
  if (isAsymmetricKeySpec(spec)) return { min: 1, max: MAX_PRIVATE_KEY_BYTES, what: `an ${spec} key` };
  return { min: 32, max: 32, what: 'a symmetric key' };
}

/**
 * The material to seal for a key of this spec, and for a key pair the public key derived from
 * it (recorded in the clear at import). A private key must be PKCS#8 DER of exactly the spec.
 */
export function acceptImportedMaterial(
  spec: ServedKeySpec,
  material: Buffer,
): { material: Buffer; publicKey?: string } {
  if (!isAsymmetricKeySpec(spec)) return { material };
  const pair = importPrivateKey(material, spec as KeyPairSpec);
  material.fill(0);
  if (!pair)
    throw new DomainError(
      'IncorrectKeyMaterial',
      `The imported key material is not a PKCS#8 DER private key of key spec ${spec}.`,
    );
  return { material: pair.privateKeyDer, publicKey: pair.publicKeyDer.toString('base64') };
}

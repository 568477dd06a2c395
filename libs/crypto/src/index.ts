export { isKeyId, isKeyMaterialId, isMultiRegionKeyId } from './identifiers.js';

export type { RootKeyProvider } from './root-key/root-key-provider.js';
export { RootKeyError, RootKeyUnwrapError } from './root-key/root-key-provider.js';
export { LocalRootKeyProvider, ROOT_KEY_LENGTH } from './root-key/local-root-key-provider.js';
export { FileRootKeyProvider, ROOT_KEY_FILE_NAME } from './root-key/file-root-key-provider.js';
export { StaticRootKeyProvider } from './root-key/static-root-key-provider.js';
export { resolveRootKeyProvider } from './root-key/resolve-root-key-provider.js';
export { rootKeyCheckValue } from './root-key/root-key-check.js';

export { ShredVault, ShredVaultError, ShredKeyExistsError, SHRED_VAULT_FILE_NAME } from './vault/shred-vault.js';

export type { MaterialBinding } from './material/sealed-material.js';
export { generateBackingKey, sealMaterial, openMaterial, SealedMaterialError } from './material/sealed-material.js';
export { generatedKeyMaterialId, importedKeyMaterialId } from './material/key-material-id.js';

export type { EncryptionContext } from './ciphertext/encryption-context.js';
export { encodeEncryptionContext, InvalidEncryptionContextError } from './ciphertext/encryption-context.js';
export type { InvalidCiphertextReason } from './ciphertext/invalid-ciphertext-error.js';
export { InvalidCiphertextError } from './ciphertext/invalid-ciphertext-error.js';
export type {
  ParsedCiphertext,
  CiphertextHeaderFields,
  EncryptInput,
  DecryptInput,
  BackingKeyInput,
} from './ciphertext/ciphertext-codec.js';
export {
  CIPHERTEXT_MAGIC,
  CIPHERTEXT_VERSION,
  CIPHERTEXT_VERSION_MULTI_REGION,
  CIPHERTEXT_HEADER_LENGTH,
  CIPHERTEXT_OVERHEAD,
  encodeHeader,
  parseCiphertext,
  encrypt,
  decrypt,
  keyIdFromCiphertext,
} from './ciphertext/ciphertext-codec.js';
export * from './import/key-import.js';
export * from './asymmetric/index.js';

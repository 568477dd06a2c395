import { algorithmsOf, keyStateOf, findBackingKey, type KeyAggregate } from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';

/** The specs CustomerMasterKeySpec (deprecated) can name; newer specs leave it out. */
const CUSTOMER_MASTER_KEY_SPECS = new Set([
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
]);

/** AWS's KeyMetadata structure, with the algorithm lists of the key's spec and usage. */
export function keyMetadata(key: KeyAggregate, config: Pick<KeyledgerConfig, 'accountId'>): Record<string, unknown> {
  const state = keyStateOf(key);
  const current = key.currentKeyMaterialId ? findBackingKey(key, key.currentKeyMaterialId) : undefined;
  const symmetric = key.keySpec === 'SYMMETRIC_DEFAULT';
  return {
    AWSAccountId: config.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: new Date(key.createdAt),
    Enabled: state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: state,
    DeletionDate: key.deletionDate === null ? undefined : new Date(key.deletionDate),
    PendingDeletionWindowInDays: key.pendingWindowInDays ?? undefined,
    ValidTo: current?.validTo ? new Date(current.validTo) : undefined,
    Origin: key.origin,
    ExpirationModel: key.origin === 'EXTERNAL' ? (current?.expirationModel ?? undefined) : undefined,
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: CUSTOMER_MASTER_KEY_SPECS.has(key.keySpec) ? key.keySpec : undefined,
    KeySpec: key.keySpec,
    ...algorithmsOf(key.keySpec, key.keyUsage),
    MultiRegion: false,
    // AWS names the current material only of the keys it rotates: symmetric encryption keys.
    CurrentKeyMaterialId: symmetric ? (key.currentKeyMaterialId ?? undefined) : undefined,
  };
}

import { keyStateOf, findBackingKey, type KeyAggregate } from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';

/** AWS's KeyMetadata structure for a symmetric key. */
export function keyMetadata(key: KeyAggregate, config: Pick<KeyledgerConfig, 'accountId'>): Record<string, unknown> {
  const state = keyStateOf(key);
  const current = key.currentKeyMaterialId ? findBackingKey(key, key.currentKeyMaterialId) : undefined;
  return {
    AWSAccountId: config.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: new Date(key.createdAt),
    Enabled: state === 'Enabled',
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: state,
    DeletionDate: key.deletionDate === null ? undefined : new Date(key.deletionDate),
    PendingDeletionWindowInDays: key.pendingWindowInDays ?? undefined,
    ValidTo: current?.validTo ? new Date(current.validTo) : undefined,
    Origin: key.origin,
    ExpirationModel: key.origin === 'EXTERNAL' ? (current?.expirationModel ?? undefined) : undefined,
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    CurrentKeyMaterialId: key.currentKeyMaterialId ?? undefined,
  };
}

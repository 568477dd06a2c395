import {
  algorithmsOf,
  aliasArnOf,
  findBackingKey,
  keyArnOf,
  keyStateOf,
  multiRegionKeyTypeOf,
  type AliasAggregate,
  type KeyAggregate,
  type KmsScope,
} from '@keyledger/ledger';
import { CustomerMasterKeySpec } from '@keyledger/kms-api';
import type { Page } from '../ledger/paging.js';

/** The AWS response shapes Keyledger answers with, made from the ledger's state in one place. */

/** The specs CustomerMasterKeySpec (deprecated) can name, from the wire model; newer specs leave it out. */
const CUSTOMER_MASTER_KEY_SPECS: ReadonlySet<string> = new Set(CustomerMasterKeySpec.enum);

/** AWS's MultiRegionConfiguration: `replicaRegions` are every replica's, as the primary records them. */
function multiRegionConfiguration(key: KeyAggregate, accountId: string, replicaRegions: readonly string[]) {
  const member = (region: string) => ({ Arn: keyArnOf({ region, accountId }, key.keyId), Region: region });
  return {
    MultiRegionKeyType: multiRegionKeyTypeOf(key),
    PrimaryKey: member(key.multiRegion!.primaryRegion),
    ReplicaKeys: replicaRegions.map(member),
  };
}

/**
 * AWS's KeyMetadata structure, with the algorithm lists of the key's spec and usage. A multi-Region
 * replica does not keep its siblings: `replicaRegions` (from its primary) says which there are.
 */
export function keyMetadata(
  key: KeyAggregate,
  scope: Pick<KmsScope, 'accountId'>,
  replicaRegions: readonly string[] = key.multiRegion?.replicaRegions ?? [],
): Record<string, unknown> {
  const state = keyStateOf(key);
  const current = key.currentKeyMaterialId ? findBackingKey(key, key.currentKeyMaterialId) : undefined;
  const symmetric = key.keySpec === 'SYMMETRIC_DEFAULT';
  return {
    AWSAccountId: scope.accountId,
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
    MultiRegion: key.multiRegion !== null,
    MultiRegionConfiguration: key.multiRegion
      ? multiRegionConfiguration(key, scope.accountId, replicaRegions)
      : undefined,
    // AWS names the current material only of the keys it rotates: symmetric encryption keys.
    CurrentKeyMaterialId: symmetric ? (key.currentKeyMaterialId ?? undefined) : undefined,
  };
}

/** `Truncated` and `NextMarker` of every paged AWS list. */
export const pageFields = (page: Page<unknown>) => ({
  Truncated: page.nextMarker !== undefined,
  NextMarker: page.nextMarker,
});

/**
 * ListKeyRotations' entries. ROTATIONS_ONLY (the default) lists what rotation
 * brought, not the key's original material.
 */
export function rotationEntries(key: KeyAggregate, includeAllMaterial: boolean): Array<Record<string, unknown>> {
  return key.backingKeys
    .filter(
      (b) =>
        includeAllMaterial || b.rotationDate !== null || (key.origin === 'EXTERNAL' && b.state === 'PENDING_ROTATION'),
    )
    .map((b) => ({
      KeyId: key.arn,
      KeyMaterialId: b.keyMaterialId,
      KeyMaterialDescription: b.description ?? undefined,
      ImportState: b.importState ?? undefined,
      // Deleted or expired imported material keeps its place (ImportState says it is gone).
      KeyMaterialState:
        b.keyMaterialId === key.currentKeyMaterialId
          ? 'CURRENT'
          : b.state === 'PENDING_ROTATION'
            ? b.state
            : 'NON_CURRENT',
      ExpirationModel: b.expirationModel ?? undefined,
      ValidTo: b.validTo === null ? undefined : new Date(b.validTo),
      RotationDate: b.rotationDate === null ? undefined : new Date(b.rotationDate),
      RotationType: b.rotationType ?? undefined,
    }));
}

/** ListAliases' entry. */
export const aliasEntry = (alias: AliasAggregate, scope: KmsScope) => ({
  AliasName: alias.aliasName,
  AliasArn: aliasArnOf(scope, alias.aliasName),
  TargetKeyId: alias.targetKeyId ?? undefined,
  CreationDate: alias.createdAt === null ? undefined : new Date(alias.createdAt),
  LastUpdatedDate: alias.lastUpdatedAt === null ? undefined : new Date(alias.lastUpdatedAt),
});

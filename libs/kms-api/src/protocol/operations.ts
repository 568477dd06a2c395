import { KmsError } from './kms-error.js';
import * as grants from './grant-request-dtos.js';
import * as multiRegion from './multi-region-request-dtos.js';
import * as dto from './request-dtos.js';

/**
 * Every operation Keyledger serves, its request DTO, and the kind of access it
 * needs (the authorisation table in auth/ is built from `access`).
 *
 * `check` holds the few request rules AWS enforces outside the model, with the
 * texts recorded against AWS; it runs only when the model constraints pass.
 */
export type OperationAccess = 'cryptographic' | 'read' | 'admin';

interface OperationDef<T> {
  readonly request: new () => T;
  readonly access: OperationAccess;
  readonly check?: (input: T) => void;
}
const op = <T>(request: new () => T, access: OperationAccess, check?: (input: T) => void): OperationDef<T> => ({
  request,
  access,
  check,
});

export const OPERATIONS = {
  CreateKey: op(dto.CreateKeyRequest, 'admin'),
  DescribeKey: op(dto.DescribeKeyRequest, 'read'),
  ListKeys: op(dto.ListKeysRequest, 'read'),
  UpdateKeyDescription: op(dto.UpdateKeyDescriptionRequest, 'admin'),
  EnableKey: op(dto.EnableKeyRequest, 'admin'),
  DisableKey: op(dto.DisableKeyRequest, 'admin'),
  EnableKeyRotation: op(dto.EnableKeyRotationRequest, 'admin'),
  DisableKeyRotation: op(dto.DisableKeyRotationRequest, 'admin'),
  GetKeyRotationStatus: op(dto.GetKeyRotationStatusRequest, 'read'),
  RotateKeyOnDemand: op(dto.RotateKeyOnDemandRequest, 'admin'),
  GetKeyLastUsage: op(dto.GetKeyLastUsageRequest, 'read'),
  ListKeyRotations: op(dto.ListKeyRotationsRequest, 'read'),
  CreateAlias: op(dto.CreateAliasRequest, 'admin'),
  UpdateAlias: op(dto.UpdateAliasRequest, 'admin'),
  DeleteAlias: op(dto.DeleteAliasRequest, 'admin'),
  ListAliases: op(dto.ListAliasesRequest, 'read'),
  ScheduleKeyDeletion: op(dto.ScheduleKeyDeletionRequest, 'admin'),
  CancelKeyDeletion: op(dto.CancelKeyDeletionRequest, 'admin'),
  Encrypt: op(dto.EncryptRequest, 'cryptographic'),
  Decrypt: op(dto.DecryptRequest, 'cryptographic'),
  ReEncrypt: op(dto.ReEncryptRequest, 'cryptographic'),
  GenerateDataKey: op(dto.GenerateDataKeyRequest, 'cryptographic'),
  GenerateDataKeyWithoutPlaintext: op(dto.GenerateDataKeyWithoutPlaintextRequest, 'cryptographic'),
  GenerateRandom: op(dto.GenerateRandomRequest, 'cryptographic', (input) => {
    if (input.NumberOfBytes === undefined) throw KmsError.validation('NumberOfBytes is required.');
  }),
  TagResource: op(dto.TagResourceRequest, 'admin'),
  UntagResource: op(dto.UntagResourceRequest, 'admin'),
  ListResourceTags: op(dto.ListResourceTagsRequest, 'read'),
  GetParametersForImport: op(dto.GetParametersForImportRequest, 'admin'),
  ImportKeyMaterial: op(dto.ImportKeyMaterialRequest, 'admin', (input) => {
    if (input.ExpirationModel === 'KEY_MATERIAL_EXPIRES' && input.ValidTo === undefined) {
      throw KmsError.validation('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
    }
  }),
  DeleteImportedKeyMaterial: op(dto.DeleteImportedKeyMaterialRequest, 'admin'),
  Sign: op(dto.SignRequest, 'cryptographic'),
  Verify: op(dto.VerifyRequest, 'cryptographic'),
  GetPublicKey: op(dto.GetPublicKeyRequest, 'cryptographic'),
  GenerateMac: op(dto.GenerateMacRequest, 'cryptographic'),
  VerifyMac: op(dto.VerifyMacRequest, 'cryptographic'),
  GenerateDataKeyPair: op(dto.GenerateDataKeyPairRequest, 'cryptographic'),
  GenerateDataKeyPairWithoutPlaintext: op(dto.GenerateDataKeyPairWithoutPlaintextRequest, 'cryptographic'),
  DeriveSharedSecret: op(dto.DeriveSharedSecretRequest, 'cryptographic'),
  GetKeyPolicy: op(dto.GetKeyPolicyRequest, 'read'),
  PutKeyPolicy: op(dto.PutKeyPolicyRequest, 'admin'),
  ListKeyPolicies: op(grants.ListKeyPoliciesRequest, 'read'),
  CreateGrant: op(grants.CreateGrantRequest, 'admin'),
  ListGrants: op(grants.ListGrantsRequest, 'read'),
  ListRetirableGrants: op(grants.ListRetirableGrantsRequest, 'read'),
  RetireGrant: op(grants.RetireGrantRequest, 'admin'),
  RevokeGrant: op(grants.RevokeGrantRequest, 'admin'),
  ReplicateKey: op(multiRegion.ReplicateKeyRequest, 'admin'),
  UpdatePrimaryRegion: op(multiRegion.UpdatePrimaryRegionRequest, 'admin'),
} as const;

export type OperationName = keyof typeof OPERATIONS;
export type OperationInput<O extends OperationName> = InstanceType<(typeof OPERATIONS)[O]['request']>;

export const OPERATION_NAMES = Object.freeze(Object.keys(OPERATIONS) as OperationName[]);

export function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(OPERATIONS, name);
}

/** The service prefix of `X-Amz-Target` for KMS (the 2014-11-01 API's internal name). */
export const KMS_TARGET_PREFIX = 'TrentService.';

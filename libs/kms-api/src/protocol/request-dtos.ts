import {
  AlgorithmSpec,
  AliasNameType,
  AttestationDocumentType,
  BackingKeyIdType,
  BooleanType,
  CiphertextType,
  CustomerMasterKeySpec,
  CustomKeyStoreIdType,
  DataKeyPairSpec,
  DataKeySpec,
  DateType,
  DescriptionType,
  DryRunModifierList,
  EncryptionAlgorithmSpec,
  EncryptionContextType,
  ExpirationModelType,
  GrantTokenList,
  ImportType,
  IncludeKeyMaterial,
  KeyAgreementAlgorithmSpec,
  KeyEncryptionMechanism,
  KeyIdType,
  KeyMaterialDescriptionType,
  KeySpec,
  KeyUsageType,
  LimitType,
  MacAlgorithmSpec,
  MarkerType,
  MessageType,
  NullableBooleanType,
  NumberOfBytesType,
  OriginType,
  PendingWindowInDaysType,
  PlaintextType,
  PolicyNameType,
  PolicyType,
  PublicKeyType,
  RotationPeriodInDaysType,
  SigningAlgorithmSpec,
  TagKeyList,
  TagKeyType,
  TagValueType,
  WrappingKeySpec,
  XksKeyIdType,
} from './model-shapes.js';
import { listOf, Member, structure } from './shapes.js';

/*
 * One class per request, one property per member of kms-operations.txt, named as
 * on the wire. `required: true` is the model's '*'. A parsed request is a plain
 * object of this shape: blobs are Buffers, timestamps Dates.
 */

export type EncryptionContext = Record<string, string>;

export class Tag {
  @Member(TagKeyType, { required: true }) TagKey!: string;
  @Member(TagValueType, { required: true }) TagValue!: string;
}
export class RecipientInfo {
  @Member(KeyEncryptionMechanism) KeyEncryptionAlgorithm?: string;
  @Member(AttestationDocumentType) AttestationDocument?: Buffer;
}
const TagShape = structure('Tag', () => Tag);
export const TagList = listOf('TagList', TagShape);
const RecipientInfoShape = structure('RecipientInfo', () => RecipientInfo);

export class CreateKeyRequest {
  @Member(PolicyType) Policy?: string;
  @Member(DescriptionType) Description?: string;
  @Member(KeyUsageType) KeyUsage?: string;
  @Member(CustomerMasterKeySpec) CustomerMasterKeySpec?: string;
  @Member(KeySpec) KeySpec?: string;
  @Member(OriginType) Origin?: string;
  @Member(CustomKeyStoreIdType) CustomKeyStoreId?: string;
  @Member(BooleanType) BypassPolicyLockoutSafetyCheck?: boolean;
  @Member(TagList) Tags?: Tag[];
  @Member(NullableBooleanType) MultiRegion?: boolean;
  @Member(XksKeyIdType) XksKeyId?: string;
}

export class DescribeKeyRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(GrantTokenList) GrantTokens?: string[];
}

export class ListKeysRequest {
  @Member(LimitType) Limit?: number;
  @Member(MarkerType) Marker?: string;
}

export class UpdateKeyDescriptionRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(DescriptionType, { required: true }) Description!: string;
}

export class EnableKeyRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
}
export class DisableKeyRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
}
export class EnableKeyRotationRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(RotationPeriodInDaysType) RotationPeriodInDays?: number;
}
export class DisableKeyRotationRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
}
export class GetKeyRotationStatusRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
}
export class GetKeyLastUsageRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
}
export class RotateKeyOnDemandRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
}
export class ListKeyRotationsRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(IncludeKeyMaterial) IncludeKeyMaterial?: string;
  @Member(LimitType) Limit?: number;
  @Member(MarkerType) Marker?: string;
}

export class CreateAliasRequest {
  @Member(AliasNameType, { required: true }) AliasName!: string;
  @Member(KeyIdType, { required: true }) TargetKeyId!: string;
}
export class UpdateAliasRequest {
  @Member(AliasNameType, { required: true }) AliasName!: string;
  @Member(KeyIdType, { required: true }) TargetKeyId!: string;
}
export class DeleteAliasRequest {
  @Member(AliasNameType, { required: true }) AliasName!: string;
}
export class ListAliasesRequest {
  @Member(KeyIdType) KeyId?: string;
  @Member(LimitType) Limit?: number;
  @Member(MarkerType) Marker?: string;
}

export class ScheduleKeyDeletionRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(PendingWindowInDaysType) PendingWindowInDays?: number;
}
export class CancelKeyDeletionRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
}

export class EncryptRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(PlaintextType, { required: true }) Plaintext!: Buffer;
  @Member(EncryptionContextType) EncryptionContext?: EncryptionContext;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(EncryptionAlgorithmSpec) EncryptionAlgorithm?: string;
  @Member(NullableBooleanType) DryRun?: boolean;
}
export class DecryptRequest {
  // Not required in the model (asymmetric Decrypt with a Recipient); the domain decides.
  @Member(CiphertextType) CiphertextBlob?: Buffer;
  @Member(EncryptionContextType) EncryptionContext?: EncryptionContext;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(KeyIdType) KeyId?: string;
  @Member(EncryptionAlgorithmSpec) EncryptionAlgorithm?: string;
  @Member(RecipientInfoShape) Recipient?: RecipientInfo;
  @Member(NullableBooleanType) DryRun?: boolean;
  @Member(DryRunModifierList) DryRunModifiers?: string[];
}
export class ReEncryptRequest {
  @Member(CiphertextType) CiphertextBlob?: Buffer;
  @Member(EncryptionContextType) SourceEncryptionContext?: EncryptionContext;
  @Member(KeyIdType) SourceKeyId?: string;
  @Member(KeyIdType, { required: true }) DestinationKeyId!: string;
  @Member(EncryptionContextType) DestinationEncryptionContext?: EncryptionContext;
  @Member(EncryptionAlgorithmSpec) SourceEncryptionAlgorithm?: string;
  @Member(EncryptionAlgorithmSpec) DestinationEncryptionAlgorithm?: string;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(NullableBooleanType) DryRun?: boolean;
  @Member(DryRunModifierList) DryRunModifiers?: string[];
}
export class GenerateDataKeyRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(EncryptionContextType) EncryptionContext?: EncryptionContext;
  @Member(NumberOfBytesType) NumberOfBytes?: number;
  @Member(DataKeySpec) KeySpec?: string;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(RecipientInfoShape) Recipient?: RecipientInfo;
  @Member(NullableBooleanType) DryRun?: boolean;
}
export class GenerateDataKeyWithoutPlaintextRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(EncryptionContextType) EncryptionContext?: EncryptionContext;
  @Member(DataKeySpec) KeySpec?: string;
  @Member(NumberOfBytesType) NumberOfBytes?: number;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(NullableBooleanType) DryRun?: boolean;
}
export class GenerateRandomRequest {
  // Optional in the model; AWS answers "NumberOfBytes is required." itself (see operations.ts).
  @Member(NumberOfBytesType) NumberOfBytes?: number;
  @Member(CustomKeyStoreIdType) CustomKeyStoreId?: string;
  @Member(RecipientInfoShape) Recipient?: RecipientInfo;
}

export class TagResourceRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(TagList, { required: true }) Tags!: Tag[];
}
export class UntagResourceRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(TagKeyList, { required: true }) TagKeys!: string[];
}
export class ListResourceTagsRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(LimitType) Limit?: number;
  @Member(MarkerType) Marker?: string;
}

export class GetParametersForImportRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(AlgorithmSpec, { required: true }) WrappingAlgorithm!: string;
  @Member(WrappingKeySpec, { required: true }) WrappingKeySpec!: string;
}
export class ImportKeyMaterialRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(CiphertextType, { required: true }) ImportToken!: Buffer;
  @Member(CiphertextType, { required: true }) EncryptedKeyMaterial!: Buffer;
  @Member(DateType) ValidTo?: Date;
  @Member(ExpirationModelType) ExpirationModel?: string;
  @Member(ImportType) ImportType?: string;
  @Member(KeyMaterialDescriptionType) KeyMaterialDescription?: string;
  @Member(BackingKeyIdType) KeyMaterialId?: string;
}
export class DeleteImportedKeyMaterialRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(BackingKeyIdType) KeyMaterialId?: string;
}

export class GetKeyPolicyRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(PolicyNameType) PolicyName?: string;
}
export class PutKeyPolicyRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(PolicyNameType) PolicyName?: string;
  @Member(PolicyType, { required: true }) Policy!: string;
  @Member(BooleanType) BypassPolicyLockoutSafetyCheck?: boolean;
}

export class SignRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(PlaintextType, { required: true }) Message!: Buffer;
  @Member(MessageType) MessageType?: string;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(SigningAlgorithmSpec, { required: true }) SigningAlgorithm!: string;
  @Member(NullableBooleanType) DryRun?: boolean;
}
export class VerifyRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(PlaintextType, { required: true }) Message!: Buffer;
  @Member(MessageType) MessageType?: string;
  @Member(CiphertextType, { required: true }) Signature!: Buffer;
  @Member(SigningAlgorithmSpec, { required: true }) SigningAlgorithm!: string;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(NullableBooleanType) DryRun?: boolean;
}
export class GetPublicKeyRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(GrantTokenList) GrantTokens?: string[];
}
export class GenerateMacRequest {
  @Member(PlaintextType, { required: true }) Message!: Buffer;
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(MacAlgorithmSpec, { required: true }) MacAlgorithm!: string;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(NullableBooleanType) DryRun?: boolean;
}
export class VerifyMacRequest {
  @Member(PlaintextType, { required: true }) Message!: Buffer;
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(MacAlgorithmSpec, { required: true }) MacAlgorithm!: string;
  @Member(CiphertextType, { required: true }) Mac!: Buffer;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(NullableBooleanType) DryRun?: boolean;
}
export class GenerateDataKeyPairRequest {
  @Member(EncryptionContextType) EncryptionContext?: EncryptionContext;
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(DataKeyPairSpec, { required: true }) KeyPairSpec!: string;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(RecipientInfoShape) Recipient?: RecipientInfo;
  @Member(NullableBooleanType) DryRun?: boolean;
}
export class GenerateDataKeyPairWithoutPlaintextRequest {
  @Member(EncryptionContextType) EncryptionContext?: EncryptionContext;
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(DataKeyPairSpec, { required: true }) KeyPairSpec!: string;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(NullableBooleanType) DryRun?: boolean;
}
export class DeriveSharedSecretRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(KeyAgreementAlgorithmSpec, { required: true }) KeyAgreementAlgorithm!: string;
  @Member(PublicKeyType, { required: true }) PublicKey!: Buffer;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(NullableBooleanType) DryRun?: boolean;
  @Member(RecipientInfoShape) Recipient?: RecipientInfo;
}

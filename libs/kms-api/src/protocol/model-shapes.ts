import { GRANT_OPERATIONS, MAX_GRANT_TOKENS_PER_REQUEST } from '@keyledger/ledger';
import type {
  BlobShape,
  BooleanShape,
  IntegerShape,
  ListShape,
  MapShape,
  StringShape,
  TimestampShape,
} from './shapes.js';

/** The AWS model's named shapes used by the operations Keyledger serves (kms-operations.txt). */

const str = (name: string, rest: Omit<StringShape, 'kind' | 'name'> = {}): StringShape => ({
  kind: 'string',
  name,
  ...rest,
});
const int = (name: string, min: number, max: number): IntegerShape => ({ kind: 'integer', name, min, max });
const blob = (name: string, min: number, max: number): BlobShape => ({ kind: 'blob', name, min, max });
const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;

export const KeyIdType = str('KeyIdType', { min: 1, max: 2048 });
export const AliasNameType = str('AliasNameType', { min: 1, max: 256, pattern: '^[a-zA-Z0-9:/_-]+$' });
export const DescriptionType = str('DescriptionType', { min: 0, max: 8192 });
export const RegionType = str('RegionType', { min: 1, max: 32, pattern: '^([a-z]+-){2,3}\\d+$' });
export const PolicyType = str('PolicyType', {
  min: 1,
  max: 131072,
  pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
});
export const PolicyNameType = str('PolicyNameType', { min: 1, max: 128, pattern: '[\\w]+' });
export const MarkerType = str('MarkerType', { min: 1, max: 1024, pattern: '[\\u0020-\\u00FF]*' });
export const CustomKeyStoreIdType = str('CustomKeyStoreIdType', { min: 1, max: 64 });
export const XksKeyIdType = str('XksKeyIdType', { min: 1, max: 128, pattern: '^[a-zA-Z0-9-_.]+$' });
export const GrantTokenType = str('GrantTokenType', { min: 1, max: 8192 });
export const TagKeyType = str('TagKeyType', { min: 1, max: 128 });
export const PrincipalIdType = str('PrincipalIdType', { min: 1, max: 256, pattern: '^[\\w+=,.@:/-]+$' });
export const ServicePrincipalType = str('ServicePrincipalType', {
  min: 1,
  max: 128,
  pattern: '^([A-Za-z0-9\\-]+)\\.([A-Za-z0-9\\-]+)(\\.[A-Za-z0-9\\-]+)+$',
});
export const GrantNameType = str('GrantNameType', { min: 1, max: 256, pattern: '^[a-zA-Z0-9:/_-]+$' });
export const GrantIdType = str('GrantIdType', { min: 1, max: 128 });
export const GrantConstraintSourceArnType = str('GrantConstraintSourceArnType', {
  min: 20,
  max: 512,
  pattern: '^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$',
});
// The grant operations the evaluator knows are the model's enum: one list for both.
export const GrantOperation = str('GrantOperation', { enum: GRANT_OPERATIONS });
export const TagValueType = str('TagValueType', { min: 0, max: 256 });
export const BackingKeyIdType = str('BackingKeyIdType', { min: 64, max: 64, pattern: '^[a-f0-9]+$' });
export const KeyMaterialDescriptionType = str('KeyMaterialDescriptionType', {
  min: 0,
  max: 256,
  pattern: '^[a-zA-Z0-9:/_\\s.-]+$',
});
export const EncryptionContextKey = str('EncryptionContextKey');
export const EncryptionContextValue = str('EncryptionContextValue');

// The order is the one AWS prints (aws-recorded-behaviour.md: KeyUsage RANDOM), with KEY_AGREEMENT,
// added to the model after that recording, last: Keyledger serves key agreement keys.
export const KeyUsageType = str('KeyUsageType', {
  enum: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'],
});
export const CustomerMasterKeySpec = str('CustomerMasterKeySpec', {
  enum: [
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
    'SM2',
  ],
});
export const KeySpec = str('KeySpec', {
  enum: [
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
    'SM2',
    'ML_DSA_44',
    'ML_DSA_65',
    'ML_DSA_87',
    'ECC_NIST_EDWARDS25519',
  ],
});
export const OriginType = str('OriginType', { enum: ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] });
export const EncryptionAlgorithmSpec = str('EncryptionAlgorithmSpec', { enum: ENCRYPTION_ALGORITHMS });
export const DataKeySpec = str('DataKeySpec', { enum: ['AES_256', 'AES_128'] });
export const DryRunModifierType = str('DryRunModifierType', { enum: ['IGNORE_CIPHERTEXT'] });
export const IncludeKeyMaterial = str('IncludeKeyMaterial', { enum: ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] });
export const AlgorithmSpec = str('AlgorithmSpec', {
  enum: [
    'RSAES_PKCS1_V1_5',
    'RSAES_OAEP_SHA_1',
    'RSAES_OAEP_SHA_256',
    'RSA_AES_KEY_WRAP_SHA_1',
    'RSA_AES_KEY_WRAP_SHA_256',
    'SM2PKE',
  ],
});
export const WrappingKeySpec = str('WrappingKeySpec', { enum: ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'] });
export const ExpirationModelType = str('ExpirationModelType', {
  enum: ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'],
});
export const ImportType = str('ImportType', { enum: ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] });
export const KeyEncryptionMechanism = str('KeyEncryptionMechanism', { enum: ['RSAES_OAEP_SHA_256'] });
export const SigningAlgorithmSpec = str('SigningAlgorithmSpec', {
  enum: [
    'RSASSA_PSS_SHA_256',
    'RSASSA_PSS_SHA_384',
    'RSASSA_PSS_SHA_512',
    'RSASSA_PKCS1_V1_5_SHA_256',
    'RSASSA_PKCS1_V1_5_SHA_384',
    'RSASSA_PKCS1_V1_5_SHA_512',
    'ECDSA_SHA_256',
    'ECDSA_SHA_384',
    'ECDSA_SHA_512',
    'SM2DSA',
    'ML_DSA_SHAKE_256',
    'ED25519_SHA_512',
    'ED25519_PH_SHA_512',
  ],
});
export const MessageType = str('MessageType', { enum: ['RAW', 'DIGEST', 'EXTERNAL_MU'] });
// The order AWS prints (recorded: GenerateMac with MacAlgorithm INVALID).
export const MacAlgorithmSpec = str('MacAlgorithmSpec', {
  enum: ['HMAC_SHA_384', 'HMAC_SHA_256', 'HMAC_SHA_224', 'HMAC_SHA_512'],
});
export const KeyAgreementAlgorithmSpec = str('KeyAgreementAlgorithmSpec', { enum: ['ECDH'] });
export const DataKeyPairSpec = str('DataKeyPairSpec', {
  enum: [
    'RSA_2048',
    'RSA_3072',
    'RSA_4096',
    'ECC_NIST_P256',
    'ECC_NIST_P384',
    'ECC_NIST_P521',
    'ECC_SECG_P256K1',
    'SM2',
    'ECC_NIST_EDWARDS25519',
  ],
});

export const LimitType = int('LimitType', 1, 1000);
export const RotationPeriodInDaysType = int('RotationPeriodInDaysType', 90, 2560);
export const PendingWindowInDaysType = int('PendingWindowInDaysType', 1, 365);
export const NumberOfBytesType = int('NumberOfBytesType', 1, 1024);

export const BooleanType: BooleanShape = { kind: 'boolean', name: 'BooleanType' };
export const NullableBooleanType: BooleanShape = { kind: 'boolean', name: 'NullableBooleanType' };
export const DateType: TimestampShape = { kind: 'timestamp', name: 'DateType' };

export const PlaintextType = blob('PlaintextType', 1, 4096);
export const CiphertextType = blob('CiphertextType', 1, 6144);
export const PublicKeyType = blob('PublicKeyType', 1, 8192);
export const AttestationDocumentType = blob('AttestationDocumentType', 1, 262144);

export const EncryptionContextType: MapShape = {
  kind: 'map',
  name: 'EncryptionContextType',
  key: EncryptionContextKey,
  value: EncryptionContextValue,
};
export const GrantTokenList: ListShape = {
  kind: 'list',
  name: 'GrantTokenList',
  member: GrantTokenType,
  min: 0,
  max: MAX_GRANT_TOKENS_PER_REQUEST,
};
export const TagKeyList: ListShape = { kind: 'list', name: 'TagKeyList', member: TagKeyType };
export const DryRunModifierList: ListShape = { kind: 'list', name: 'DryRunModifierList', member: DryRunModifierType };

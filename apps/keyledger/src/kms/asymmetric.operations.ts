import { Injectable } from '@nestjs/common';
import {
  deriveSharedSecret,
  generateKeyPairFor,
  generateMac,
  signMessage,
  verifyMac,
  verifySignature,
  type HmacAlgorithm,
  type SignatureAlgorithm,
} from '@keyledger/crypto';
import {
  algorithmsOf,
  backingKeyForEncrypt,
  checkDataKeyPairSpec,
  checkSigningMessage,
  DomainError,
  isAsymmetricKeySpec,
  requireAlgorithm,
  requireKeyUsage,
  type BackingKey,
  type KeyAggregate,
  type KeyUsage,
  type SigningAlgorithm,
} from '@keyledger/ledger';
import type { OperationInput } from '@keyledger/kms-api';
import { BackingKeys } from '../cryptography/backing-keys.js';
import { CryptoOperations } from '../cryptography/crypto-operations.js';
import { KeyResolver } from '../keys/key-resolver.js';
import type { OperationFamily } from './operation-table.js';

export type AsymmetricOperation =
  | 'Sign'
  | 'Verify'
  | 'GetPublicKey'
  | 'GenerateMac'
  | 'VerifyMac'
  | 'DeriveSharedSecret'
  | 'GenerateDataKeyPair'
  | 'GenerateDataKeyPairWithoutPlaintext';

const dryRunSucceeded = () =>
  new DomainError('DryRun', 'The request would have succeeded, but the DryRun option is set.');

interface UsableKey {
  keyId: string;
  key: KeyAggregate;
  backing: BackingKey;
}

/**
 * Sign/Verify, GetPublicKey, GenerateMac/VerifyMac, DeriveSharedSecret and the data key pairs:
 * the operations of keys that are not symmetric encryption keys (data key pairs are sealed
 * under one). Each loads its key once, checks usage, algorithm and state as AWS does, and
 * answers. Verification and GetPublicKey use the public key recorded in the clear.
 */
@Injectable()
export class AsymmetricOperations {
  constructor(
    private readonly keys: KeyResolver,
    private readonly backingKeys: BackingKeys,
    private readonly crypto: CryptoOperations,
  ) {}

  /** The key, enabled and of this usage, and its current material. */
  private async usable(keyIdInput: string, usage: KeyUsage, operation: string, region: string): Promise<UsableKey> {
    // The ledger id, not the bare key id: material is opened from the key's stream in its region.
    const { ref: keyId, state } = await this.keys.resolve(keyIdInput, { allowAlias: true, region });
    const wrongUsage = requireKeyUsage(state, usage, operation);
    if (wrongUsage) throw wrongUsage;
    const backing = backingKeyForEncrypt(state);
    if (backing instanceof DomainError) throw backing;
    return { keyId, key: state, backing };
  }

  private async signing(
    input: OperationInput<'Sign'> | OperationInput<'Verify'>,
    operation: 'Sign' | 'Verify',
    region: string,
  ) {
    const usable = await this.usable(input.KeyId, 'SIGN_VERIFY', operation, region);
    const refused = requireAlgorithm(usable.key.keySpec, 'SIGN_VERIFY', input.SigningAlgorithm);
    if (refused) throw refused;
    const algorithm = input.SigningAlgorithm as SigningAlgorithm;
    const messageType = checkSigningMessage(algorithm, input.MessageType, input.Message.length);
    if (messageType instanceof DomainError) throw messageType;
    if (input.DryRun === true) throw dryRunSucceeded();
    return {
      ...usable,
      signingInput: { algorithm: algorithm as SignatureAlgorithm, messageType, message: input.Message },
    };
  }

  private async mac(
    input: OperationInput<'GenerateMac'> | OperationInput<'VerifyMac'>,
    operation: string,
    region: string,
  ) {
    const usable = await this.usable(input.KeyId, 'GENERATE_VERIFY_MAC', operation, region);
    const refused = requireAlgorithm(usable.key.keySpec, 'GENERATE_VERIFY_MAC', input.MacAlgorithm);
    if (refused) throw refused;
    if (input.DryRun === true) throw dryRunSucceeded();
    return { material: await this.backingKeys.open(usable.keyId, usable.backing), arn: usable.key.arn };
  }

  private async dataKeyPair(
    input: OperationInput<'GenerateDataKeyPair'> | OperationInput<'GenerateDataKeyPairWithoutPlaintext'>,
    operation: string,
    region: string,
  ) {
    const spec = checkDataKeyPairSpec(input.KeyPairSpec);
    if (spec instanceof DomainError) throw spec;
    // The symmetric key's checks (usage, state, DryRun) come first, from an empty encryption, so a
    // refused request does not pay for an RSA-4096 key pair.
    await this.crypto
      .encrypt({
        region,
        keyId: input.KeyId,
        plaintext: Buffer.alloc(1),
        encryptionContext: input.EncryptionContext,
        dryRun: true,
        operation,
      })
      .catch((error: unknown) => {
        if (error instanceof DomainError && error.code === 'DryRun' && input.DryRun !== true) return;
        throw error;
      });
    const pair = await generateKeyPairFor(spec);
    try {
      const sealed = await this.crypto.encrypt({
        region,
        keyId: input.KeyId,
        plaintext: pair.privateKeyDer,
        encryptionContext: input.EncryptionContext,
        dryRun: false,
        operation,
      });
      return { pair, sealed, spec };
    } catch (error) {
      pair.privateKeyDer.fill(0);
      throw error;
    }
  }

  readonly handlers: OperationFamily<AsymmetricOperation> = {
    Sign: async (input, { region }) => {
      const { keyId, key, backing, signingInput } = await this.signing(input, 'Sign', region);
      const privateKey = await this.backingKeys.open(keyId, backing, 'private');
      return {
        KeyId: key.arn,
        Signature: signMessage(privateKey, signingInput),
        SigningAlgorithm: signingInput.algorithm,
      };
    },
    Verify: async (input, { region }) => {
      const { keyId, key, backing, signingInput } = await this.signing(input, 'Verify', region);
      const publicKey = await this.backingKeys.publicKey(keyId, backing);
      // AWS refuses a signature that does not verify with an empty message.
      if (!verifySignature(publicKey, signingInput, input.Signature)) throw new DomainError('InvalidSignature', '');
      return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: signingInput.algorithm };
    },
    GetPublicKey: async (input, { region }) => {
      const { ref: keyId, state } = await this.keys.resolve(input.KeyId, { allowAlias: true, region });
      if (!isAsymmetricKeySpec(state.keySpec))
        throw new DomainError(
          'Unsupported',
          `${state.arn} key spec is ${state.keySpec} which is not valid for GetPublicKey.`,
        );
      const backing = backingKeyForEncrypt(state);
      if (backing instanceof DomainError) throw backing;
      const publicKey = await this.backingKeys.publicKey(keyId, backing);
      return {
        KeyId: state.arn,
        PublicKey: publicKey.export({ type: 'spki', format: 'der' }),
        CustomerMasterKeySpec: state.keySpec === 'ECC_NIST_EDWARDS25519' ? undefined : state.keySpec,
        KeySpec: state.keySpec,
        KeyUsage: state.keyUsage,
        ...algorithmsOf(state.keySpec, state.keyUsage),
      };
    },
    GenerateMac: async (input, { region }) => {
      const { material, arn } = await this.mac(input, 'GenerateMac', region);
      const mac = generateMac(material, input.MacAlgorithm as HmacAlgorithm, input.Message);
      return { Mac: mac, MacAlgorithm: input.MacAlgorithm, KeyId: arn };
    },
    VerifyMac: async (input, { region }) => {
      const { material, arn } = await this.mac(input, 'VerifyMac', region);
      if (!verifyMac(material, input.MacAlgorithm as HmacAlgorithm, input.Message, input.Mac))
        throw new DomainError('InvalidMac', '');
      return { KeyId: arn, MacValid: true, MacAlgorithm: input.MacAlgorithm };
    },
    DeriveSharedSecret: async (input, { region }) => {
      const { keyId, key, backing } = await this.usable(input.KeyId, 'KEY_AGREEMENT', 'DeriveSharedSecret', region);
      if (input.DryRun === true) throw dryRunSucceeded();
      const secret = deriveSharedSecret(await this.backingKeys.open(keyId, backing, 'private'), input.PublicKey);
      // Recorded against AWS: a public key it cannot use is a ValidationException with no message.
      if (!secret) throw new DomainError('Validation', '');
      return { KeyId: key.arn, SharedSecret: secret, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: key.origin };
    },
    GenerateDataKeyPair: async (input, { region }) => {
      const { pair, sealed, spec } = await this.dataKeyPair(input, 'GenerateDataKeyPair', region);
      return {
        PrivateKeyCiphertextBlob: sealed.ciphertextBlob,
        PrivateKeyPlaintext: pair.privateKeyDer,
        PublicKey: pair.publicKeyDer,
        KeyId: sealed.keyArn,
        KeyPairSpec: spec,
        KeyMaterialId: sealed.keyMaterialId,
      };
    },
    GenerateDataKeyPairWithoutPlaintext: async (input, { region }) => {
      const { pair, sealed, spec } = await this.dataKeyPair(input, 'GenerateDataKeyPairWithoutPlaintext', region);
      pair.privateKeyDer.fill(0);
      return {
        PrivateKeyCiphertextBlob: sealed.ciphertextBlob,
        PublicKey: pair.publicKeyDer,
        KeyId: sealed.keyArn,
        KeyPairSpec: spec,
        KeyMaterialId: sealed.keyMaterialId,
      };
    },
  };
}

import { Injectable } from '@nestjs/common';
import { DomainError } from '@keyledger/ledger';
import { CryptoOperations } from '../cryptography/crypto-operations.js';
import type { OperationFamily } from './operation-table.js';

export type CryptographicOperation =
  'Encrypt' | 'Decrypt' | 'ReEncrypt' | 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext' | 'GenerateRandom';

const SYMMETRIC_DEFAULT = 'SYMMETRIC_DEFAULT';

function requireSymmetric(algorithm: string | undefined): void {
  if (algorithm !== undefined && algorithm !== SYMMETRIC_DEFAULT)
    throw new DomainError('InvalidKeyUsage', `The encryption algorithm ${algorithm} is not valid for a symmetric key.`);
}

function dataKeyLength(input: { NumberOfBytes?: number; KeySpec?: string }): number {
  if (input.NumberOfBytes !== undefined && input.KeySpec !== undefined)
    throw new DomainError('Validation', 'Please specify either number of bytes or key spec, not both.');
  if (input.KeySpec === 'AES_256') return 32;
  if (input.KeySpec === 'AES_128') return 16;
  if (input.NumberOfBytes !== undefined) return input.NumberOfBytes;
  throw new DomainError('Validation', 'Please specify either number of bytes or key spec.');
}

/** Operations that use a key and record nothing: called directly, the fast path has no bus on it. */
@Injectable()
export class CryptographicOperations {
  constructor(private readonly crypto: CryptoOperations) {}

  readonly handlers: OperationFamily<CryptographicOperation> = {
    Encrypt: async (input) => {
      requireSymmetric(input.EncryptionAlgorithm);
      const sealed = await this.crypto.encrypt({
        keyId: input.KeyId,
        plaintext: input.Plaintext,
        encryptionContext: input.EncryptionContext,
        dryRun: input.DryRun === true,
      });
      return {
        CiphertextBlob: sealed.ciphertextBlob,
        KeyId: sealed.keyArn,
        EncryptionAlgorithm: SYMMETRIC_DEFAULT,
        KeyMaterialId: sealed.keyMaterialId,
      };
    },
    Decrypt: async (input) => {
      requireSymmetric(input.EncryptionAlgorithm);
      if (input.CiphertextBlob === undefined) throw new DomainError('Validation', 'CiphertextBlob is required.');
      const opened = await this.crypto.decrypt({
        ciphertextBlob: input.CiphertextBlob,
        encryptionContext: input.EncryptionContext,
        keyId: input.KeyId,
        dryRun: input.DryRun === true,
      });
      return {
        Plaintext: opened.plaintext,
        KeyId: opened.keyArn,
        EncryptionAlgorithm: SYMMETRIC_DEFAULT,
        KeyMaterialId: opened.keyMaterialId,
      };
    },
    ReEncrypt: async (input) => {
      requireSymmetric(input.SourceEncryptionAlgorithm);
      requireSymmetric(input.DestinationEncryptionAlgorithm);
      if (input.CiphertextBlob === undefined) throw new DomainError('Validation', 'CiphertextBlob is required.');
      const opened = await this.crypto.decrypt({
        ciphertextBlob: input.CiphertextBlob,
        encryptionContext: input.SourceEncryptionContext,
        keyId: input.SourceKeyId,
        dryRun: false,
      });
      try {
        const sealed = await this.crypto.encrypt({
          keyId: input.DestinationKeyId,
          plaintext: opened.plaintext,
          encryptionContext: input.DestinationEncryptionContext,
          dryRun: input.DryRun === true,
        });
        return {
          CiphertextBlob: sealed.ciphertextBlob,
          SourceKeyId: opened.keyArn,
          KeyId: sealed.keyArn,
          SourceEncryptionAlgorithm: SYMMETRIC_DEFAULT,
          DestinationEncryptionAlgorithm: SYMMETRIC_DEFAULT,
          SourceKeyMaterialId: opened.keyMaterialId,
          DestinationKeyMaterialId: sealed.keyMaterialId,
        };
      } finally {
        opened.plaintext.fill(0);
      }
    },
    GenerateDataKey: async (input) => {
      const plaintext = this.crypto.generateRandom(dataKeyLength(input));
      const sealed = await this.crypto.encrypt({
        keyId: input.KeyId,
        plaintext,
        encryptionContext: input.EncryptionContext,
        dryRun: input.DryRun === true,
      });
      return {
        CiphertextBlob: sealed.ciphertextBlob,
        Plaintext: plaintext,
        KeyId: sealed.keyArn,
        KeyMaterialId: sealed.keyMaterialId,
      };
    },
    GenerateDataKeyWithoutPlaintext: async (input) => {
      const plaintext = this.crypto.generateRandom(dataKeyLength(input));
      try {
        const sealed = await this.crypto.encrypt({
          keyId: input.KeyId,
          plaintext,
          encryptionContext: input.EncryptionContext,
          dryRun: input.DryRun === true,
        });
        return { CiphertextBlob: sealed.ciphertextBlob, KeyId: sealed.keyArn, KeyMaterialId: sealed.keyMaterialId };
      } finally {
        plaintext.fill(0);
      }
    },
    GenerateRandom: async (input) => {
      if (input.CustomKeyStoreId !== undefined)
        throw new DomainError('Unsupported', 'Custom key stores are not supported.');
      return { Plaintext: this.crypto.generateRandom(input.NumberOfBytes!) };
    },
  };
}

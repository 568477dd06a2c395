import { Injectable } from '@nestjs/common';
import { DomainError } from '@keyledger/ledger';
import { CryptoOperations } from '../cryptography/crypto-operations.js';
import { dataKeyLength } from './key-request-rules.js';
import type { OperationFamily } from './operation-table.js';

export type CryptographicOperation =
  'Encrypt' | 'Decrypt' | 'ReEncrypt' | 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext' | 'GenerateRandom';

/** Operations that use a key and record nothing: called directly, the fast path has no bus on it. */
@Injectable()
export class CryptographicOperations {
  constructor(private readonly crypto: CryptoOperations) {}

  readonly handlers: OperationFamily<CryptographicOperation> = {
    Encrypt: async (input, { region }) => {
      const sealed = await this.crypto.encrypt({
        region,
        keyId: input.KeyId,
        plaintext: input.Plaintext,
        encryptionContext: input.EncryptionContext,
        dryRun: input.DryRun === true,
        encryptionAlgorithm: input.EncryptionAlgorithm,
      });
      return {
        CiphertextBlob: sealed.ciphertextBlob,
        KeyId: sealed.keyArn,
        EncryptionAlgorithm: sealed.encryptionAlgorithm,
        KeyMaterialId: sealed.keyMaterialId,
      };
    },
    Decrypt: async (input, { region }) => {
      if (input.CiphertextBlob === undefined) throw new DomainError('Validation', 'CiphertextBlob is required.');
      const opened = await this.crypto.decrypt({
        region,
        ciphertextBlob: input.CiphertextBlob,
        encryptionContext: input.EncryptionContext,
        keyId: input.KeyId,
        dryRun: input.DryRun === true,
        encryptionAlgorithm: input.EncryptionAlgorithm,
      });
      return {
        Plaintext: opened.plaintext,
        KeyId: opened.keyArn,
        EncryptionAlgorithm: opened.encryptionAlgorithm,
        KeyMaterialId: opened.keyMaterialId,
      };
    },
    ReEncrypt: async (input, { region }) => {
      if (input.CiphertextBlob === undefined) throw new DomainError('Validation', 'CiphertextBlob is required.');
      const opened = await this.crypto.decrypt({
        region,
        ciphertextBlob: input.CiphertextBlob,
        encryptionContext: input.SourceEncryptionContext,
        keyId: input.SourceKeyId,
        dryRun: false,
        encryptionAlgorithm: input.SourceEncryptionAlgorithm,
      });
      try {
        const sealed = await this.crypto.encrypt({
          region,
          keyId: input.DestinationKeyId,
          plaintext: opened.plaintext,
          encryptionContext: input.DestinationEncryptionContext,
          dryRun: input.DryRun === true,
          encryptionAlgorithm: input.DestinationEncryptionAlgorithm,
        });
        return {
          CiphertextBlob: sealed.ciphertextBlob,
          SourceKeyId: opened.keyArn,
          KeyId: sealed.keyArn,
          SourceEncryptionAlgorithm: opened.encryptionAlgorithm,
          DestinationEncryptionAlgorithm: sealed.encryptionAlgorithm,
          SourceKeyMaterialId: opened.keyMaterialId,
          DestinationKeyMaterialId: sealed.keyMaterialId,
        };
      } finally {
        opened.plaintext.fill(0);
      }
    },
    GenerateDataKey: async (input, { region }) => {
      const plaintext = this.crypto.generateRandom(dataKeyLength(input));
      const sealed = await this.crypto.encrypt({
        region,
        keyId: input.KeyId,
        plaintext,
        encryptionContext: input.EncryptionContext,
        dryRun: input.DryRun === true,
        operation: 'GenerateDataKey',
      });
      return {
        CiphertextBlob: sealed.ciphertextBlob,
        Plaintext: plaintext,
        KeyId: sealed.keyArn,
        KeyMaterialId: sealed.keyMaterialId,
      };
    },
    GenerateDataKeyWithoutPlaintext: async (input, { region }) => {
      const plaintext = this.crypto.generateRandom(dataKeyLength(input));
      try {
        const sealed = await this.crypto.encrypt({
          region,
          keyId: input.KeyId,
          plaintext,
          encryptionContext: input.EncryptionContext,
          dryRun: input.DryRun === true,
          operation: 'GenerateDataKeyWithoutPlaintext',
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

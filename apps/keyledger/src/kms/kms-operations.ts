import { Inject, Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { OperationInput, OperationName } from '@keyledger/kms-api';
import {
  DomainError,
  keyStateOf,
  type AliasAggregate,
  type ExpirationModel,
  type KeyAggregate,
  type Tag,
  type WrappingAlgorithm,
  type WrappingKeySpec,
  aliasArnOf,
} from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { ChangeAliasCommand } from '../aliases/alias-commands.js';
import { DecryptQuery, EncryptQuery, GenerateRandomQuery } from '../cryptography/crypto-queries.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { ChangeKeyCommand, CreateKeyCommand, type KeyChange } from '../keys/key-commands.js';
import { GetParametersForImportCommand, ImportKeyMaterialCommand } from '../keys/key-import-commands.js';
import { keyMetadata } from '../keys/key-metadata.js';
import { GetKeyQuery, ListAliasesQuery, ListKeysQuery, encodeMarker, decodeMarker } from '../keys/key-queries.js';
import type { RequestContext } from '../ledger/request-context.js';
import { checkCreateKey, dataKeyLength } from './key-request-rules.js';
import { KeyPairOperations } from './key-pair-operations.js';

type Output = Record<string, unknown>;
type Handler<O extends OperationName> = (input: OperationInput<O>, context: RequestContext) => Promise<Output>;
export type OperationTable = { [O in OperationName]: Handler<O> };

const DEFAULT_LIMIT = 100;
const SYMMETRIC_DEFAULT = 'SYMMETRIC_DEFAULT';

/** Every KMS operation Keyledger serves, from validated input to AWS-shaped output. */
@Injectable()
export class KmsOperations {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
    private readonly keyPairs: KeyPairOperations,
  ) {}

  readonly table: OperationTable = {
    ...this.keyPairs.table,
    CreateKey: async (input, context) => {
      const { keySpec, keyUsage } = checkCreateKey(input);
      const key = await this.commands.execute(
        new CreateKeyCommand(
          {
            description: input.Description ?? '',
            origin: (input.Origin ?? 'AWS_KMS') as 'AWS_KMS' | 'EXTERNAL',
            tags: (input.Tags ?? []).map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })),
            keySpec,
            keyUsage,
          },
          context,
        ),
      );
      return { KeyMetadata: keyMetadata(key, this.config) };
    },
    DescribeKey: async (input) => ({ KeyMetadata: keyMetadata(await this.key(input.KeyId, true), this.config) }),
    ListKeys: async (input) => {
      const page = await this.queries.execute(new ListKeysQuery(input.Limit ?? DEFAULT_LIMIT, input.Marker));
      return {
        Keys: page.items.map((k) => ({ KeyId: k.keyId, KeyArn: k.state.arn })),
        Truncated: page.nextMarker !== undefined,
        NextMarker: page.nextMarker,
      };
    },
    UpdateKeyDescription: (input, context) =>
      this.change(input.KeyId, { type: 'UpdateKeyDescription', description: input.Description }, context),
    EnableKey: (input, context) => this.change(input.KeyId, { type: 'EnableKey' }, context),
    DisableKey: (input, context) => this.change(input.KeyId, { type: 'DisableKey' }, context),
    EnableKeyRotation: (input, context) =>
      this.change(
        input.KeyId,
        { type: 'EnableKeyRotation', rotationPeriodInDays: input.RotationPeriodInDays },
        context,
      ),
    DisableKeyRotation: (input, context) => this.change(input.KeyId, { type: 'DisableKeyRotation' }, context),
    GetKeyRotationStatus: async (input) => {
      const key = await this.key(input.KeyId, false);
      // AWS rotates symmetric encryption keys only, and says so for the others.
      if (key.keySpec !== SYMMETRIC_DEFAULT)
        throw new DomainError(
          'Unsupported',
          `${key.arn} key spec is ${key.keySpec} which is not valid for this operation.`,
        );
      return {
        KeyId: key.arn,
        KeyRotationEnabled: key.rotationEnabled,
        RotationPeriodInDays: key.rotationEnabled ? (key.rotationPeriodInDays ?? undefined) : undefined,
        NextRotationDate:
          key.rotationEnabled && key.nextRotationDate !== null ? new Date(key.nextRotationDate) : undefined,
      };
    },
    RotateKeyOnDemand: async (input, context) => {
      const key = await this.changed(input.KeyId, { type: 'RotateKeyOnDemand' }, context);
      return { KeyId: key.arn };
    },
    ListKeyRotations: async (input) => {
      const key = await this.key(input.KeyId, false);
      const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
      // ROTATIONS_ONLY (the default) lists what rotation brought, not the key's original material.
      const entries = key.backingKeys
        .filter((b) => all || b.rotationDate !== null || (key.origin === 'EXTERNAL' && b.state === 'PENDING_ROTATION'))
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
      const offset = decodeMarker(input.Marker);
      const limit = input.Limit ?? DEFAULT_LIMIT;
      const more = offset + limit < entries.length;
      return {
        Rotations: entries.slice(offset, offset + limit),
        Truncated: more,
        NextMarker: more ? encodeMarker(offset + limit) : undefined,
      };
    },
    CreateAlias: async (input, context) => {
      await this.commands.execute(
        new ChangeAliasCommand(
          { type: 'CreateAlias', aliasName: input.AliasName, targetKeyId: input.TargetKeyId },
          context,
        ),
      );
      return {};
    },
    UpdateAlias: async (input, context) => {
      await this.commands.execute(
        new ChangeAliasCommand(
          { type: 'UpdateAlias', aliasName: input.AliasName, targetKeyId: input.TargetKeyId },
          context,
        ),
      );
      return {};
    },
    DeleteAlias: async (input, context) => {
      await this.commands.execute(new ChangeAliasCommand({ type: 'DeleteAlias', aliasName: input.AliasName }, context));
      return {};
    },
    ListAliases: async (input) => {
      const page = await this.queries.execute(
        new ListAliasesQuery(input.KeyId, input.Limit ?? DEFAULT_LIMIT, input.Marker),
      );
      return {
        Aliases: page.items.map((a: AliasAggregate) => ({
          AliasName: a.aliasName,
          AliasArn: aliasArnOf(this.config, a.aliasName),
          TargetKeyId: a.targetKeyId ?? undefined,
          CreationDate: a.createdAt === null ? undefined : new Date(a.createdAt),
          LastUpdatedDate: a.lastUpdatedAt === null ? undefined : new Date(a.lastUpdatedAt),
        })),
        Truncated: page.nextMarker !== undefined,
        NextMarker: page.nextMarker,
      };
    },
    ScheduleKeyDeletion: async (input, context) => {
      const key = await this.changed(
        input.KeyId,
        { type: 'ScheduleKeyDeletion', pendingWindowInDays: input.PendingWindowInDays },
        context,
      );
      return {
        KeyId: key.arn,
        DeletionDate: key.deletionDate === null ? undefined : new Date(key.deletionDate),
        KeyState: keyStateOf(key),
        PendingWindowInDays: key.pendingWindowInDays ?? undefined,
      };
    },
    CancelKeyDeletion: async (input, context) => {
      const key = await this.changed(input.KeyId, { type: 'CancelKeyDeletion' }, context);
      return { KeyId: key.arn };
    },
    Encrypt: async (input) => {
      const sealed = await this.queries.execute(
        new EncryptQuery(
          input.KeyId,
          input.Plaintext,
          input.EncryptionContext,
          input.DryRun === true,
          input.EncryptionAlgorithm,
        ),
      );
      return {
        CiphertextBlob: sealed.ciphertextBlob,
        KeyId: sealed.keyArn,
        EncryptionAlgorithm: sealed.encryptionAlgorithm,
        KeyMaterialId: sealed.keyMaterialId,
      };
    },
    Decrypt: async (input) => {
      if (input.CiphertextBlob === undefined) throw new DomainError('Validation', 'CiphertextBlob is required.');
      const opened = await this.queries.execute(
        new DecryptQuery(
          input.CiphertextBlob,
          input.EncryptionContext,
          input.KeyId,
          input.DryRun === true,
          input.EncryptionAlgorithm,
        ),
      );
      return {
        Plaintext: opened.plaintext,
        KeyId: opened.keyArn,
        EncryptionAlgorithm: opened.encryptionAlgorithm,
        KeyMaterialId: opened.keyMaterialId,
      };
    },
    ReEncrypt: async (input) => {
      if (input.CiphertextBlob === undefined) throw new DomainError('Validation', 'CiphertextBlob is required.');
      const opened = await this.queries.execute(
        new DecryptQuery(
          input.CiphertextBlob,
          input.SourceEncryptionContext,
          input.SourceKeyId,
          false,
          input.SourceEncryptionAlgorithm,
        ),
      );
      try {
        const sealed = await this.queries.execute(
          new EncryptQuery(
            input.DestinationKeyId,
            opened.plaintext,
            input.DestinationEncryptionContext,
            input.DryRun === true,
            input.DestinationEncryptionAlgorithm,
          ),
        );
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
    GenerateDataKey: async (input) => {
      const plaintext = await this.queries.execute(new GenerateRandomQuery(dataKeyLength(input)));
      const sealed = await this.sealDataKey(input, plaintext, 'GenerateDataKey');
      return {
        CiphertextBlob: sealed.ciphertextBlob,
        Plaintext: plaintext,
        KeyId: sealed.keyArn,
        KeyMaterialId: sealed.keyMaterialId,
      };
    },
    GenerateDataKeyWithoutPlaintext: async (input) => {
      const plaintext = await this.queries.execute(new GenerateRandomQuery(dataKeyLength(input)));
      try {
        const sealed = await this.sealDataKey(input, plaintext, 'GenerateDataKeyWithoutPlaintext');
        return { CiphertextBlob: sealed.ciphertextBlob, KeyId: sealed.keyArn, KeyMaterialId: sealed.keyMaterialId };
      } finally {
        plaintext.fill(0);
      }
    },
    GenerateRandom: async (input) => {
      if (input.CustomKeyStoreId !== undefined)
        throw new DomainError('Unsupported', 'Custom key stores are not supported.');
      return { Plaintext: await this.queries.execute(new GenerateRandomQuery(input.NumberOfBytes!)) };
    },
    TagResource: async (input, context) =>
      this.change(
        input.KeyId,
        { type: 'TagResource', tags: input.Tags.map((t: Tag) => ({ TagKey: t.TagKey, TagValue: t.TagValue })) },
        context,
      ),
    UntagResource: (input, context) =>
      this.change(input.KeyId, { type: 'UntagResource', tagKeys: input.TagKeys }, context),
    ListResourceTags: async (input) => {
      const key = await this.key(input.KeyId, false);
      const offset = decodeMarker(input.Marker);
      const limit = input.Limit ?? DEFAULT_LIMIT;
      const more = offset + limit < key.tags.length;
      return {
        Tags: key.tags.slice(offset, offset + limit),
        Truncated: more,
        NextMarker: more ? encodeMarker(offset + limit) : undefined,
      };
    },
    GetParametersForImport: async (input, context) => {
      const { keyId } = await this.queries.execute(new GetKeyQuery(input.KeyId, false));
      const issued = await this.commands.execute(
        new GetParametersForImportCommand(
          keyId,
          input.WrappingAlgorithm as WrappingAlgorithm,
          input.WrappingKeySpec as WrappingKeySpec,
          context,
        ),
      );
      return {
        KeyId: issued.keyArn,
        ImportToken: issued.importToken,
        PublicKey: issued.publicKey,
        ParametersValidTo: issued.parametersValidTo,
      };
    },
    ImportKeyMaterial: async (input, context) => {
      const { keyId } = await this.queries.execute(new GetKeyQuery(input.KeyId, false));
      const imported = await this.commands.execute(
        new ImportKeyMaterialCommand(
          keyId,
          {
            importToken: input.ImportToken,
            encryptedKeyMaterial: input.EncryptedKeyMaterial,
            importType: input.ImportType as 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL' | undefined,
            keyMaterialId: input.KeyMaterialId,
            expirationModel: input.ExpirationModel as ExpirationModel | undefined,
            validTo: input.ValidTo,
            keyMaterialDescription: input.KeyMaterialDescription,
          },
          context,
        ),
      );
      return { KeyId: imported.keyArn, KeyMaterialId: imported.keyMaterialId };
    },
    DeleteImportedKeyMaterial: async (input, context) => {
      // The decider refuses keys of origin AWS_KMS, with AWS's text.
      const before = await this.key(input.KeyId, false);
      const keyMaterialId = input.KeyMaterialId ?? before.currentKeyMaterialId ?? undefined;
      await this.changed(input.KeyId, { type: 'DeleteImportedKeyMaterial', keyMaterialId }, context);
      return { KeyId: before.arn, KeyMaterialId: keyMaterialId };
    },
    GetKeyPolicy: async (input) => {
      const key = await this.key(input.KeyId, false);
      return { Policy: defaultPolicy(this.config.accountId, key.arn), PolicyName: 'default' };
    },
    PutKeyPolicy: async (input) => {
      await this.key(input.KeyId, false);
      throw new DomainError(
        'Unsupported',
        'Keyledger authorises by principal role (admin, key-user, auditor), not by key policy; PutKeyPolicy is not supported.',
      );
    },
  };

  private sealDataKey(
    input: { KeyId: string; EncryptionContext?: Record<string, string>; DryRun?: boolean },
    plaintext: Buffer,
    operation: string,
  ) {
    return this.queries.execute(
      new EncryptQuery(input.KeyId, plaintext, input.EncryptionContext, input.DryRun === true, undefined, operation),
    );
  }

  private async key(keyId: string, allowAlias: boolean): Promise<KeyAggregate> {
    return (await this.queries.execute(new GetKeyQuery(keyId, allowAlias))).state;
  }

  private async changed(keyIdInput: string, change: KeyChange, context: RequestContext): Promise<KeyAggregate> {
    const { keyId } = await this.queries.execute(new GetKeyQuery(keyIdInput, false));
    return (await this.commands.execute(new ChangeKeyCommand(keyId, change, context))).state;
  }

  private async change(keyIdInput: string, change: KeyChange, context: RequestContext): Promise<Output> {
    await this.changed(keyIdInput, change, context);
    return {};
  }
}

function defaultPolicy(accountId: string, keyArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'keyledger-default',
    Statement: [
      {
        Sid: 'Keyledger authorises by principal role; this document is informational',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: keyArn,
      },
    ],
  });
}

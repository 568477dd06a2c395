import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { ExpirationModel, WrappingAlgorithm, WrappingKeySpec } from '@keyledger/ledger';
import { ChangeKeyCommand } from '../keys/key-commands.js';
import { GetParametersForImportCommand, ImportKeyMaterialCommand } from '../keys/key-import-commands.js';
import type { OperationFamily } from './operation-table.js';

export type ImportOperation = 'GetParametersForImport' | 'ImportKeyMaterial' | 'DeleteImportedKeyMaterial';

/** Bring-your-own-key: import parameters, imported material and its deletion. */
@Injectable()
export class ImportOperations {
  constructor(private readonly commands: CommandBus) {}

  readonly handlers: OperationFamily<ImportOperation> = {
    GetParametersForImport: async (input, context) => {
      const issued = await this.commands.execute(
        new GetParametersForImportCommand(
          input.KeyId,
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
      const imported = await this.commands.execute(
        new ImportKeyMaterialCommand(
          input.KeyId,
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
      // The decider refuses keys of origin AWS_KMS, with AWS's text; absent an id, it deletes the current material.
      const { state } = await this.commands.execute(
        new ChangeKeyCommand(
          input.KeyId,
          { type: 'DeleteImportedKeyMaterial', keyMaterialId: input.KeyMaterialId },
          context,
        ),
      );
      return { KeyId: state.arn, KeyMaterialId: input.KeyMaterialId ?? state.currentKeyMaterialId ?? undefined };
    },
  };
}

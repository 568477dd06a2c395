import { Injectable } from '@nestjs/common';
import { KmsError, toKmsError, type OperationInput, type OperationName } from '@keyledger/kms-api';
import { isTrackedOperation } from '@keyledger/ledger';
import type { RequestContext } from '../ledger/request-context.js';
import { AliasOperations } from './alias.operations.js';
import { AsymmetricOperations } from './asymmetric.operations.js';
import { CryptographicOperations } from './cryptographic.operations.js';
import { ImportOperations } from './import.operations.js';
import { KeyAccessOperations } from './key-access.operations.js';
import { KeyManagementOperations } from './key-management.operations.js';
import { MultiRegionOperations } from './multi-region.operations.js';
import type { Output, OperationTable } from './operation-table.js';
import { UsageOperations } from '../usage/usage.operations.js';
import { UsageRecorder } from '../usage/usage-recorder.js';

export type { OperationTable } from './operation-table.js';

/** Every KMS operation Keyledger serves, by family, from validated input to AWS-shaped output. */
@Injectable()
export class KmsOperations {
  readonly table: OperationTable;

  constructor(
    keyManagement: KeyManagementOperations,
    cryptographic: CryptographicOperations,
    aliases: AliasOperations,
    imports: ImportOperations,
    asymmetric: AsymmetricOperations,
    keyAccess: KeyAccessOperations,
    usage: UsageOperations,
    multiRegion: MultiRegionOperations,
    private readonly recorder: UsageRecorder,
  ) {
    this.table = {
      ...keyManagement.handlers,
      ...cryptographic.handlers,
      ...aliases.handlers,
      ...imports.handlers,
      ...asymmetric.handlers,
      ...keyAccess.handlers,
      ...usage.handlers,
      ...multiRegion.handlers,
    };
  }

  /** The operation's own handler, typed by the operation: no cast stands between the edge and the table. */
  dispatch<O extends OperationName>(operation: O, input: OperationInput<O>, context: RequestContext): Promise<Output> {
    const handler: (input: OperationInput<O>, context: RequestContext) => Promise<Output> = this.table[operation];
    if (!isTrackedOperation(operation)) return handler(input, context);
    return this.tracked(operation, handler(input, context), input, context);
  }

  /** A cryptographic operation's outcome goes to the usage ledger: one count in memory, never a wait. */
  private async tracked(
    operation: string,
    answer: Promise<Output>,
    input: object,
    context: RequestContext,
  ): Promise<Output> {
    try {
      const output = await answer;
      if ((input as { DryRun?: boolean }).DryRun !== true) this.recorder.succeeded(operation, output, context);
      return output;
    } catch (error) {
      const refusal = toKmsError(error);
      if (KmsError.is(refusal) && refusal.type !== 'DryRunOperationException')
        this.recorder.refused(operation, input as Record<string, unknown>, refusal.type, context);
      throw error;
    }
  }
}

import { Injectable } from '@nestjs/common';
import type { OperationInput, OperationName } from '@keyledger/kms-api';
import type { RequestContext } from '../ledger/request-context.js';
import { AliasOperations } from './alias.operations.js';
import { CryptographicOperations } from './cryptographic.operations.js';
import { ImportOperations } from './import.operations.js';
import { KeyManagementOperations } from './key-management.operations.js';
import type { Output, OperationTable } from './operation-table.js';

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
  ) {
    this.table = { ...keyManagement.handlers, ...cryptographic.handlers, ...aliases.handlers, ...imports.handlers };
  }

  /** The operation's own handler, typed by the operation: no cast stands between the edge and the table. */
  dispatch<O extends OperationName>(operation: O, input: OperationInput<O>, context: RequestContext): Promise<Output> {
    const handler: (input: OperationInput<O>, context: RequestContext) => Promise<Output> = this.table[operation];
    return handler(input, context);
  }
}

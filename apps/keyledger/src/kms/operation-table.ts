import type { OperationInput, OperationName } from '@keyledger/kms-api';
import type { RequestContext } from '../ledger/request-context.js';

export type Output = Record<string, unknown>;
export type Handler<O extends OperationName> = (input: OperationInput<O>, context: RequestContext) => Promise<Output>;
/** Every operation has its handler: the compiler refuses a table that misses one. */
export type OperationTable = { [O in OperationName]: Handler<O> };
/** The handlers of one family of operations. */
export type OperationFamily<O extends OperationName> = { [P in O]: Handler<P> };

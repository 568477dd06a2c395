export { decodeBase64Strict, encodeBase64 } from './blob.js';
export { INTERNAL_ERROR_MESSAGE, KmsError, toWireError, type WireError } from './kms-error.js';
export {
  isOperationName,
  KMS_TARGET_PREFIX,
  OPERATION_NAMES,
  OPERATIONS,
  type OperationAccess,
  type OperationInput,
  type OperationName,
} from './operations.js';
export * from './request-dtos.js';
export * from './grant-request-dtos.js';
export * from './multi-region-request-dtos.js';
export { serializeResponse } from './serialize.js';
export { CustomerMasterKeySpec } from './model-shapes.js';
export { fieldsOf, type FieldSpec, type Shape } from './shapes.js';
export { formatViolations, parseRequest, parseTarget, type ParsedRequest } from './validation.js';

import type { OperationInput } from '@keyledger/kms-api';
import { DomainError, resolveKeySpecAndUsage } from '@keyledger/ledger';

export function dataKeyLength(input: { NumberOfBytes?: number; KeySpec?: string }): number {
  if (input.NumberOfBytes !== undefined && input.KeySpec !== undefined)
    throw new DomainError('Validation', 'Please specify either number of bytes or key spec, not both.');
  if (input.KeySpec === 'AES_256') return 32;
  if (input.KeySpec === 'AES_128') return 16;
  if (input.NumberOfBytes !== undefined) return input.NumberOfBytes;
  throw new DomainError('Validation', 'Please specify either number of bytes or key spec.');
}

/** Spec and usage as AWS checks them (libs/ledger key-specs); what Keyledger does not serve is refused. */
export function checkCreateKey(input: OperationInput<'CreateKey'>) {
  const resolved = resolveKeySpecAndUsage({
    keySpec: input.KeySpec,
    customerMasterKeySpec: input.CustomerMasterKeySpec,
    keyUsage: input.KeyUsage,
  });
  if (resolved instanceof DomainError) throw resolved;
  const origin = input.Origin ?? 'AWS_KMS';
  if (origin !== 'AWS_KMS' && origin !== 'EXTERNAL')
    throw new DomainError('Unsupported', `Origin ${origin} is not supported: use AWS_KMS or EXTERNAL.`);
  if (input.CustomKeyStoreId !== undefined || input.XksKeyId !== undefined)
    throw new DomainError('Unsupported', 'Custom key stores are not supported.');
  return resolved;
}

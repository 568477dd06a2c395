import type { KMS, KMSClient } from '@aws-sdk/client-kms';

/**
 * Records the KMS operations a client sends (e.g. 'GenerateDataKey', 'Encrypt'), in order, so a test can
 * show which calls a third-party library made on Keyledger. Both the bare KMSClient and the aggregated KMS
 * class share the same middleware stack.
 */
export function recordOperations(client: KMS | KMSClient, log: string[]): void {
  client.middlewareStack.add(
    (next, context) => (args) => {
      log.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'keyledgerCompatOperationLog' },
  );
}

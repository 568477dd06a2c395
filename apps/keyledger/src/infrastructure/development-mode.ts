import type { Principal } from '@keyledger/kms-api';

/** The credentials LocalStack and local-kms accept, and the AWS CLI's examples use. */
export const DEV_PRINCIPAL: Principal = { name: 'test', accessKeyId: 'test', secretAccessKey: 'test', role: 'admin' };

export const DEV_BANNER =
  'DEVELOPMENT MODE (KEYLEDGER_DEV=1): the well-known credentials test/test are accepted as an admin, ' +
  'on loopback only. Never keep real keys in this data directory.';

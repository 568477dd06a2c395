import { resolve } from 'node:path';
import { DEFAULT_MAX_ON_DEMAND_ROTATIONS } from '@keyledger/ledger';

/** The runtime contract (DESIGN.md), read once from the environment. */
export interface KeyledgerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** esdb:// or kurrentdb://; undefined selects the embedded store. */
  eventStoreUrl: string | undefined;
  region: string;
  accountId: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  principalsFile: string | undefined;
  /** Base64 of a 32-byte root key; undefined: the key file in the data directory. */
  rootKey: string | undefined;
  schedulerIntervalMs: number;
  /** How often a signed checkpoint over every stream head is written; 0: never by itself. */
  checkpointIntervalMs: number;
  maxOnDemandRotations: number;
  /** Largest accepted request body; AWS's largest KMS request is far below it. */
  bodyLimitBytes: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  return value;
}

/** 0 turns the periodic checkpoint off; otherwise 1 s to 7 days. */
function checkpointInterval(env: NodeJS.ProcessEnv): number {
  const value = integer(env, 'KEYLEDGER_CHECKPOINT_INTERVAL_MS', 3_600_000, 0, 7 * 86_400_000);
  if (value !== 0 && value < 1000)
    throw new ConfigError(`KEYLEDGER_CHECKPOINT_INTERVAL_MS must be 0 (off) or from 1000 to 604800000, got '${value}'`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): KeyledgerConfig {
  const region = env.KEYLEDGER_REGION || 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
    throw new ConfigError(`KEYLEDGER_REGION '${region}' is not a region name`);
  const accountId = env.KEYLEDGER_ACCOUNT_ID || '111122223333';
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError('KEYLEDGER_ACCOUNT_ID must be 12 digits');
  if (Boolean(env.KEYLEDGER_ACCESS_KEY_ID) !== Boolean(env.KEYLEDGER_SECRET_ACCESS_KEY))
    throw new ConfigError('Set both KEYLEDGER_ACCESS_KEY_ID and KEYLEDGER_SECRET_ACCESS_KEY, or neither');
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.KEYLEDGER_DATA_DIR || './data'),
    eventStoreUrl: env.KEYLEDGER_EVENTSTORE_URL || undefined,
    region,
    accountId,
    accessKeyId: env.KEYLEDGER_ACCESS_KEY_ID || undefined,
    secretAccessKey: env.KEYLEDGER_SECRET_ACCESS_KEY || undefined,
    principalsFile: env.KEYLEDGER_PRINCIPALS_FILE || undefined,
    rootKey: env.KEYLEDGER_ROOT_KEY || undefined,
    schedulerIntervalMs: integer(env, 'KEYLEDGER_SCHEDULER_INTERVAL_MS', 60_000, 1_000, 86_400_000),
    checkpointIntervalMs: checkpointInterval(env),
    maxOnDemandRotations: integer(
      env,
      'KEYLEDGER_MAX_ON_DEMAND_ROTATIONS',
      DEFAULT_MAX_ON_DEMAND_ROTATIONS,
      1,
      1_000_000,
    ),
    bodyLimitBytes: 1024 * 1024,
  };
}

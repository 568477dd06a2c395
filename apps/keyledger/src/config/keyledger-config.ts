import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { DEFAULT_MAX_ON_DEMAND_ROTATIONS, isRegionName, type RegionScope } from '@keyledger/ledger';
import {
  observabilityConfig,
  ObservabilityConfigError,
  type ObservabilityConfig,
} from '../observability/observability-config.js';
import { readSeedFile, SeedFileError } from '../seed/seed-file.js';

/** The runtime contract (DESIGN.md), read once from the environment. */
export interface KeyledgerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** esdb:// or kurrentdb://; undefined selects the embedded store. */
  eventStoreUrl: string | undefined;
  /** The home region: ARNs of keys created before regions existed, and of unqualified streams. */
  region: string;
  /** The regions requests may act in (KEYLEDGER_REGIONS); the home region is always one. */
  regions: RegionScope;
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
  /** The HTTP edge's limits (README, Security): what a slow or greedy client can hold. */
  limits: EdgeLimits;
  /** How often counted key usage is appended to the ledger (and at shutdown); 0 keeps it in memory only. */
  usageFlushMs: number;
  /** False (KEYLEDGER_USAGE_RECORDING=off) counts nothing: exists to measure what recording costs a request. */
  usageRecording: boolean;
  /** PEM certificate chain and private key: set, the server speaks HTTPS only. */
  tls: { cert: Buffer; key: Buffer } | undefined;
  /** Logs, metrics and the store's time bounds (observability/observability-config.ts). */
  observability: ObservabilityConfig;
  /** KEYLEDGER_DEV=1: the well-known test/test credentials are an admin too; loopback only. */
  dev: boolean;
  /** Keys and aliases created at start when missing (seed/seed-file.ts); checked here, before anything is written. */
  seedFile: string | undefined;
}

export interface EdgeLimits {
  /** Deadline for receiving a whole request, headers and body, from its first byte. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept. */
  keepAliveTimeoutMs: number;
  /** Open connections in total; one more is answered 503 and closed before anything is read. */
  maxConnections: number;
  /** Open connections from one source address; one more is answered 429 and closed. */
  maxConnectionsPerAddress: number;
  /** Requests being served at once; one more is answered 503 ThrottlingException at once. */
  maxInFlight: number;
  /** Milliseconds one event-loop turn spends on requests; the rest wait for a later turn (turn-pacing.ts). 0: off. */
  turnBudgetMs: number;
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

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`${name} must be on or off, got '${raw}'`);
  return raw === 'on';
}

/** 0 turns the periodic checkpoint off; otherwise 1 s to 7 days. */
function checkpointInterval(env: NodeJS.ProcessEnv): number {
  const value = integer(env, 'KEYLEDGER_CHECKPOINT_INTERVAL_MS', 3_600_000, 0, 7 * 86_400_000);
  if (value !== 0 && value < 1000)
    throw new ConfigError(`KEYLEDGER_CHECKPOINT_INTERVAL_MS must be 0 (off) or from 1000 to 604800000, got '${value}'`);
  return value;
}

function edgeLimits(env: NodeJS.ProcessEnv): EdgeLimits {
  const maxConnections = integer(env, 'KEYLEDGER_MAX_CONNECTIONS', 512, 1, 1_000_000);
  return {
    requestTimeoutMs: integer(env, 'KEYLEDGER_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    keepAliveTimeoutMs: integer(env, 'KEYLEDGER_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    maxConnections,
    // A lower total makes the per-address default follow it, rather than a limit that can never be reached.
    maxConnectionsPerAddress: integer(
      env,
      'KEYLEDGER_MAX_CONNECTIONS_PER_ADDRESS',
      Math.min(128, maxConnections),
      1,
      maxConnections,
    ),
    maxInFlight: integer(env, 'KEYLEDGER_MAX_IN_FLIGHT', 256, 1, 1_000_000),
    turnBudgetMs: integer(env, 'KEYLEDGER_TURN_BUDGET_MS', 25, 0, 10_000),
  };
}

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

function readPem(env: NodeJS.ProcessEnv, name: string): Buffer {
  try {
    return readFileSync(env[name] ?? '');
  } catch (error) {
    throw new ConfigError(`${name} '${env[name]}' cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
}

/**
 * Responses carry data keys and plaintext, and a signed request can be replayed for 15 minutes:
 * off loopback, plain HTTP is refused unless the operator says a proxy terminates TLS in front.
 */
function tlsOf(env: NodeJS.ProcessEnv, host: string): KeyledgerConfig['tls'] {
  if (Boolean(env.KEYLEDGER_TLS_CERT) !== Boolean(env.KEYLEDGER_TLS_KEY))
    throw new ConfigError('Set both KEYLEDGER_TLS_CERT and KEYLEDGER_TLS_KEY, or neither');
  if (env.KEYLEDGER_TLS_CERT)
    return { cert: readPem(env, 'KEYLEDGER_TLS_CERT'), key: readPem(env, 'KEYLEDGER_TLS_KEY') };
  const allow = env.KEYLEDGER_ALLOW_PLAINTEXT_HTTP;
  if (allow !== undefined && allow !== '' && allow !== '0' && allow !== '1')
    throw new ConfigError(`KEYLEDGER_ALLOW_PLAINTEXT_HTTP must be 0 or 1, got '${allow}'`);
  if (!isLoopback(host) && allow !== '1')
    throw new ConfigError(
      `HOST ${host} is not loopback: set KEYLEDGER_TLS_CERT and KEYLEDGER_TLS_KEY, ` +
        'or KEYLEDGER_ALLOW_PLAINTEXT_HTTP=1 behind a proxy that terminates TLS',
    );
  return undefined;
}

/**
 * KEYLEDGER_REGIONS: a comma list or `*`; unset, the home region alone (one region, as before regions).
 * The home region must be served: unqualified streams (every ledger written before regions) are its.
 */
function servedRegions(env: NodeJS.ProcessEnv, homeRegion: string): RegionScope {
  if (!isRegionName(homeRegion)) throw new ConfigError(`KEYLEDGER_REGION '${homeRegion}' is not a region name`);
  const raw = (env.KEYLEDGER_REGIONS ?? '').trim();
  if (raw === '') return { homeRegion, served: [homeRegion] };
  if (raw === '*') return { homeRegion, served: '*' };
  const served = [...new Set(raw.split(',').map((r) => r.trim()))];
  const bad = served.find((r) => !isRegionName(r));
  if (bad !== undefined) throw new ConfigError(`KEYLEDGER_REGIONS: '${bad}' is not a region name`);
  if (!served.includes(homeRegion))
    throw new ConfigError(`KEYLEDGER_REGIONS must include KEYLEDGER_REGION '${homeRegion}', the home region`);
  return { homeRegion, served };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): KeyledgerConfig {
  const region = env.KEYLEDGER_REGION || 'us-east-1';
  const regions = servedRegions(env, region);
  const accountId = env.KEYLEDGER_ACCOUNT_ID || '111122223333';
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError('KEYLEDGER_ACCOUNT_ID must be 12 digits');
  if (Boolean(env.KEYLEDGER_ACCESS_KEY_ID) !== Boolean(env.KEYLEDGER_SECRET_ACCESS_KEY))
    throw new ConfigError('Set both KEYLEDGER_ACCESS_KEY_ID and KEYLEDGER_SECRET_ACCESS_KEY, or neither');
  const host = env.HOST || '127.0.0.1';
  const dev = devMode(env, host);
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host,
    dataDir: resolve(env.KEYLEDGER_DATA_DIR || './data'),
    eventStoreUrl: env.KEYLEDGER_EVENTSTORE_URL || undefined,
    region,
    regions,
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
    bodyLimitBytes: integer(env, 'KEYLEDGER_BODY_LIMIT_BYTES', 1024 * 1024, 512 * 1024, 64 * 1024 * 1024),
    limits: edgeLimits(env),
    usageFlushMs: integer(env, 'KEYLEDGER_USAGE_FLUSH_MS', 10_000, 0, 3_600_000),
    usageRecording: onOff(env, 'KEYLEDGER_USAGE_RECORDING', true),
    tls: tlsOf(env, host),
    observability: observability(env),
    dev,
    seedFile: seedFileOf(env),
  };
}

function seedFileOf(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.KEYLEDGER_SEED_FILE;
  if (!file) return undefined;
  try {
    readSeedFile(file);
  } catch (error) {
    if (error instanceof SeedFileError) throw new ConfigError(error.message);
    throw error;
  }
  return resolve(file);
}

/**
 * Development mode, as LocalStack and local-kms users expect: the well-known test/test
 * credentials work. Anyone who can reach the port can then do anything, so it is refused
 * on any address but loopback, whatever else is configured.
 */
function devMode(env: NodeJS.ProcessEnv, host: string): boolean {
  const raw = env.KEYLEDGER_DEV;
  if (raw === undefined || raw === '' || raw === '0') return false;
  if (raw !== '1') throw new ConfigError(`KEYLEDGER_DEV must be 0 or 1, got '${raw}'`);
  if (!isLoopback(host))
    throw new ConfigError(
      `KEYLEDGER_DEV=1 accepts the well-known test/test credentials, so it serves loopback only: HOST ${host} is not loopback`,
    );
  return true;
}

function observability(env: NodeJS.ProcessEnv): ObservabilityConfig {
  try {
    return observabilityConfig(env);
  } catch (error) {
    if (error instanceof ObservabilityConfigError) throw new ConfigError(error.message);
    throw error;
  }
}

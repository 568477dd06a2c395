import { resolve } from 'node:path';
import { DEFAULT_MAX_ON_DEMAND_ROTATIONS } from '@keyledger/ledger';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './keyledger-config.js';

const refusal = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('given an empty environment, uses the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: resolve('./data'),
      eventStoreUrl: undefined,
      region: 'us-east-1',
      regions: { homeRegion: 'us-east-1', served: ['us-east-1'] },
      accountId: '111122223333',
      accessKeyId: undefined,
      secretAccessKey: undefined,
      principalsFile: undefined,
      rootKey: undefined,
      schedulerIntervalMs: 60_000,
      checkpointIntervalMs: 3_600_000,
      maxOnDemandRotations: DEFAULT_MAX_ON_DEMAND_ROTATIONS,
      bodyLimitBytes: 1024 * 1024,
      limits: {
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
        maxConnections: 512,
        maxConnectionsPerAddress: 128,
        maxInFlight: 256,
        turnBudgetMs: 25,
      },
      usageFlushMs: 10_000,
      usageRecording: true,
      tls: undefined,
      observability: {
        logFormat: 'json',
        logLevel: 'info',
        metricsPublic: false,
        startupTimeoutMs: 30_000,
        storeTimeoutMs: 5_000,
      },
      dev: false,
      seedFile: undefined,
    });
  });

  it('treats empty strings as unset', () => {
    const empty = Object.fromEntries(
      [
        'PORT',
        'HOST',
        'KEYLEDGER_DATA_DIR',
        'KEYLEDGER_EVENTSTORE_URL',
        'KEYLEDGER_REGION',
        'KEYLEDGER_REGIONS',
        'KEYLEDGER_ACCOUNT_ID',
        'KEYLEDGER_ACCESS_KEY_ID',
        'KEYLEDGER_SECRET_ACCESS_KEY',
        'KEYLEDGER_PRINCIPALS_FILE',
        'KEYLEDGER_ROOT_KEY',
        'KEYLEDGER_SCHEDULER_INTERVAL_MS',
        'KEYLEDGER_CHECKPOINT_INTERVAL_MS',
        'KEYLEDGER_MAX_ON_DEMAND_ROTATIONS',
        'KEYLEDGER_USAGE_RECORDING',
        'KEYLEDGER_LOG_FORMAT',
        'KEYLEDGER_LOG_LEVEL',
        'KEYLEDGER_METRICS_PUBLIC',
        'KEYLEDGER_STARTUP_TIMEOUT_MS',
        'KEYLEDGER_STORE_TIMEOUT_MS',
        'KEYLEDGER_DEV',
        'KEYLEDGER_SEED_FILE',
      ].map((name) => [name, '']),
    );
    expect(loadConfig(empty)).toEqual(loadConfig({}));
  });

  it('given every variable, reads each into its field', () => {
    expect(
      loadConfig({
        PORT: '0',
        HOST: '0.0.0.0',
        KEYLEDGER_DATA_DIR: '/var/lib/keyledger',
        KEYLEDGER_EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
        KEYLEDGER_REGION: 'eu-central-1',
        KEYLEDGER_REGIONS: 'eu-central-1,eu-west-1',
        KEYLEDGER_ACCOUNT_ID: '000000000001',
        KEYLEDGER_ACCESS_KEY_ID: 'AKIA1',
        KEYLEDGER_SECRET_ACCESS_KEY: 'secret',
        KEYLEDGER_PRINCIPALS_FILE: '/etc/keyledger/principals.json',
        KEYLEDGER_ROOT_KEY: 'cm9vdA==',
        KEYLEDGER_SCHEDULER_INTERVAL_MS: '1000',
        KEYLEDGER_CHECKPOINT_INTERVAL_MS: '0',
        KEYLEDGER_MAX_ON_DEMAND_ROTATIONS: '1',
        KEYLEDGER_ALLOW_PLAINTEXT_HTTP: '1',
        KEYLEDGER_USAGE_FLUSH_MS: '0',
        KEYLEDGER_USAGE_RECORDING: 'off',
        KEYLEDGER_LOG_FORMAT: 'text',
        KEYLEDGER_LOG_LEVEL: 'debug',
        KEYLEDGER_METRICS_PUBLIC: '1',
        KEYLEDGER_STARTUP_TIMEOUT_MS: '1000',
        KEYLEDGER_STORE_TIMEOUT_MS: '100',
      }),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      dataDir: '/var/lib/keyledger',
      eventStoreUrl: 'esdb://localhost:2113?tls=false',
      region: 'eu-central-1',
      regions: { homeRegion: 'eu-central-1', served: ['eu-central-1', 'eu-west-1'] },
      accountId: '000000000001',
      accessKeyId: 'AKIA1',
      secretAccessKey: 'secret',
      principalsFile: '/etc/keyledger/principals.json',
      rootKey: 'cm9vdA==',
      schedulerIntervalMs: 1000,
      checkpointIntervalMs: 0,
      maxOnDemandRotations: 1,
      bodyLimitBytes: 1024 * 1024,
      limits: {
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
        maxConnections: 512,
        maxConnectionsPerAddress: 128,
        maxInFlight: 256,
        turnBudgetMs: 25,
      },
      usageFlushMs: 0,
      usageRecording: false,
      tls: undefined,
      observability: {
        logFormat: 'text',
        logLevel: 'debug',
        metricsPublic: true,
        startupTimeoutMs: 1000,
        storeTimeoutMs: 100,
      },
      dev: false,
      seedFile: undefined,
    });
  });

  it.each([
    ['PORT', '65535', 65535],
    ['KEYLEDGER_SCHEDULER_INTERVAL_MS', '86400000', 86_400_000],
    ['KEYLEDGER_CHECKPOINT_INTERVAL_MS', '1000', 1000],
    ['KEYLEDGER_CHECKPOINT_INTERVAL_MS', '604800000', 604_800_000],
    ['KEYLEDGER_MAX_ON_DEMAND_ROTATIONS', '1000000', 1_000_000],
  ])('accepts %s at its bound %s', (name, raw, value) => {
    const field = {
      PORT: 'port',
      KEYLEDGER_SCHEDULER_INTERVAL_MS: 'schedulerIntervalMs',
      KEYLEDGER_CHECKPOINT_INTERVAL_MS: 'checkpointIntervalMs',
      KEYLEDGER_MAX_ON_DEMAND_ROTATIONS: 'maxOnDemandRotations',
    }[name] as keyof ReturnType<typeof loadConfig>;
    expect(loadConfig({ [name]: raw })[field]).toBe(value);
  });

  it.each([
    ['PORT', '-1', "PORT must be an integer from 0 to 65535, got '-1'"],
    ['PORT', '65536', "PORT must be an integer from 0 to 65535, got '65536'"],
    ['PORT', '80.5', "PORT must be an integer from 0 to 65535, got '80.5'"],
    ['PORT', 'http', "PORT must be an integer from 0 to 65535, got 'http'"],
    [
      'KEYLEDGER_SCHEDULER_INTERVAL_MS',
      '999',
      "KEYLEDGER_SCHEDULER_INTERVAL_MS must be an integer from 1000 to 86400000, got '999'",
    ],
    [
      'KEYLEDGER_SCHEDULER_INTERVAL_MS',
      '86400001',
      "KEYLEDGER_SCHEDULER_INTERVAL_MS must be an integer from 1000 to 86400000, got '86400001'",
    ],
    [
      'KEYLEDGER_CHECKPOINT_INTERVAL_MS',
      '999',
      "KEYLEDGER_CHECKPOINT_INTERVAL_MS must be 0 (off) or from 1000 to 604800000, got '999'",
    ],
    [
      'KEYLEDGER_CHECKPOINT_INTERVAL_MS',
      '1',
      "KEYLEDGER_CHECKPOINT_INTERVAL_MS must be 0 (off) or from 1000 to 604800000, got '1'",
    ],
    [
      'KEYLEDGER_CHECKPOINT_INTERVAL_MS',
      '604800001',
      "KEYLEDGER_CHECKPOINT_INTERVAL_MS must be an integer from 0 to 604800000, got '604800001'",
    ],
    [
      'KEYLEDGER_MAX_ON_DEMAND_ROTATIONS',
      '0',
      "KEYLEDGER_MAX_ON_DEMAND_ROTATIONS must be an integer from 1 to 1000000, got '0'",
    ],
    ['KEYLEDGER_LOG_FORMAT', 'yaml', "KEYLEDGER_LOG_FORMAT must be one of json, text, got 'yaml'"],
    ['KEYLEDGER_LOG_LEVEL', 'trace', "KEYLEDGER_LOG_LEVEL must be one of error, warn, info, debug, got 'trace'"],
    ['KEYLEDGER_METRICS_PUBLIC', 'yes', "KEYLEDGER_METRICS_PUBLIC must be one of 0, 1, got 'yes'"],
    [
      'KEYLEDGER_STARTUP_TIMEOUT_MS',
      '999',
      "KEYLEDGER_STARTUP_TIMEOUT_MS must be an integer from 1000 to 3600000, got '999'",
    ],
    ['KEYLEDGER_STORE_TIMEOUT_MS', '99', "KEYLEDGER_STORE_TIMEOUT_MS must be an integer from 100 to 600000, got '99'"],
    [
      'KEYLEDGER_MAX_ON_DEMAND_ROTATIONS',
      '1000001',
      "KEYLEDGER_MAX_ON_DEMAND_ROTATIONS must be an integer from 1 to 1000000, got '1000001'",
    ],
    ['KEYLEDGER_USAGE_RECORDING', '0', "KEYLEDGER_USAGE_RECORDING must be on or off, got '0'"],
  ])('refuses %s=%s in one line naming it', (name, raw, message) => {
    expect(refusal({ [name]: raw })).toBe(message);
  });

  it.each(['us-east-1', 'eu-central-1', 'us-gov-west-1', 'ap-southeast-2'])('accepts the region %s', (region) => {
    expect(loadConfig({ KEYLEDGER_REGION: region }).region).toBe(region);
  });

  it.each(['US-EAST-1', 'us-east', 'useast1', 'x-us-east-1', 'us-east-1x', 'us-east-1 ', 'u-east-1'])(
    'refuses the region %j',
    (region) => {
      expect(refusal({ KEYLEDGER_REGION: region })).toBe(`KEYLEDGER_REGION '${region}' is not a region name`);
    },
  );

  it('KEYLEDGER_REGIONS: a comma list (spaces and repeats forgiven) or * for any region name', () => {
    expect(loadConfig({ KEYLEDGER_REGIONS: 'eu-west-1, us-east-1,eu-west-1' }).regions).toEqual({
      homeRegion: 'us-east-1',
      served: ['eu-west-1', 'us-east-1'],
    });
    expect(loadConfig({ KEYLEDGER_REGIONS: '*', KEYLEDGER_REGION: 'eu-west-1' }).regions).toEqual({
      homeRegion: 'eu-west-1',
      served: '*',
    });
  });

  it('KEYLEDGER_REGIONS refuses a malformed name, and a list without the home region', () => {
    expect(refusal({ KEYLEDGER_REGIONS: 'us-east-1,EU-WEST-1' })).toBe(
      "KEYLEDGER_REGIONS: 'EU-WEST-1' is not a region name",
    );
    expect(refusal({ KEYLEDGER_REGIONS: 'us-east-1,' })).toBe("KEYLEDGER_REGIONS: '' is not a region name");
    expect(refusal({ KEYLEDGER_REGIONS: 'eu-west-1,ap-south-1' })).toBe(
      "KEYLEDGER_REGIONS must include KEYLEDGER_REGION 'us-east-1', the home region",
    );
  });

  it.each(['11112222333', '1111222233334', '11112222333a', ' 111122223333'])('refuses the account id %j', (id) => {
    expect(refusal({ KEYLEDGER_ACCOUNT_ID: id })).toBe('KEYLEDGER_ACCOUNT_ID must be 12 digits');
  });

  it('needs both halves of the admin credentials, or neither', () => {
    const message = 'Set both KEYLEDGER_ACCESS_KEY_ID and KEYLEDGER_SECRET_ACCESS_KEY, or neither';
    expect(refusal({ KEYLEDGER_ACCESS_KEY_ID: 'AKIA1' })).toBe(message);
    expect(refusal({ KEYLEDGER_SECRET_ACCESS_KEY: 'secret' })).toBe(message);
    expect(refusal({ KEYLEDGER_ACCESS_KEY_ID: 'AKIA1', KEYLEDGER_SECRET_ACCESS_KEY: '' })).toBe(message);
  });

  it('never puts a secret in its refusal', () => {
    const message = refusal({ KEYLEDGER_SECRET_ACCESS_KEY: 'do-not-print-me', KEYLEDGER_ROOT_KEY: 'nor-me' });
    expect(message).not.toContain('do-not-print-me');
    expect(message).not.toContain('nor-me');
  });

  it('development mode: on loopback only, and only 0 or 1', () => {
    expect(loadConfig({ KEYLEDGER_DEV: '1' }).dev).toBe(true);
    expect(loadConfig({ KEYLEDGER_DEV: '1', HOST: '::1' }).dev).toBe(true);
    expect(loadConfig({ KEYLEDGER_DEV: '0' }).dev).toBe(false);
    expect(refusal({ KEYLEDGER_DEV: '1', HOST: '0.0.0.0', KEYLEDGER_ALLOW_PLAINTEXT_HTTP: '1' })).toBe(
      'KEYLEDGER_DEV=1 accepts the well-known test/test credentials, so it serves loopback only: HOST 0.0.0.0 is not loopback',
    );
    expect(refusal({ KEYLEDGER_DEV: 'yes' })).toBe("KEYLEDGER_DEV must be 0 or 1, got 'yes'");
  });
});

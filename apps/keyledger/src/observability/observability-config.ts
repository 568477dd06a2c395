/** What the operator sees: logs, metrics, and how long the server waits on its store. */
export interface ObservabilityConfig {
  /** One JSON object per line (default), or `time LEVEL message key=value …` for a person at a terminal. */
  logFormat: 'json' | 'text';
  /** The least severe level written; the access log is written at `info`. */
  logLevel: LogLevelName;
  /** `/metrics` answers without a signature (for a Prometheus scraper, which cannot sign SigV4). */
  metricsPublic: boolean;
  /** How long a start waits for the event store to answer before it gives up with one line. */
  startupTimeoutMs: number;
  /** How long a request waits on the event store before it gets DependencyTimeoutException. */
  storeTimeoutMs: number;
}

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Thrown for a value the operator must correct; loadConfig turns it into its own ConfigError. */
export class ObservabilityConfigError extends Error {}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.toLowerCase();
  if (!(allowed as readonly string[]).includes(value))
    throw new ObservabilityConfigError(`${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
  return value as T;
}

function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ObservabilityConfigError(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  return value;
}

export function observabilityConfig(env: NodeJS.ProcessEnv): ObservabilityConfig {
  return {
    logFormat: oneOf(env, 'KEYLEDGER_LOG_FORMAT', ['json', 'text'], 'json'),
    logLevel: oneOf(env, 'KEYLEDGER_LOG_LEVEL', LOG_LEVELS, 'info'),
    metricsPublic: oneOf(env, 'KEYLEDGER_METRICS_PUBLIC', ['0', '1'], '0') === '1',
    startupTimeoutMs: milliseconds(env, 'KEYLEDGER_STARTUP_TIMEOUT_MS', 30_000, 1_000, 3_600_000),
    storeTimeoutMs: milliseconds(env, 'KEYLEDGER_STORE_TIMEOUT_MS', 5_000, 100, 600_000),
  };
}

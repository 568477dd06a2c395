import type { EventStore } from '@keyledger/event-store';
import type { Clock } from '@keyledger/ledger';
import { CliFailure } from './cli-errors.js';

/**
 * The read side the direct-mode commands run on (libs/read-models/src/ledger),
 * the same code the server's /v1 API answers from.
 */
export interface LedgerQueriesApi {
  keyHistory(keyId: string): Promise<unknown>;
  keyStateAsOf(keyId: string, asOf: Date): Promise<unknown>;
  decryptability(blob: Buffer, asOf: Date): Promise<unknown>;
  inventory(asOf: Date): Promise<unknown>;
  rotationCompliance(asOf: Date, maxAgeDays: number): Promise<unknown>;
}

export interface VerifyLedgerResult {
  ok: boolean;
  eventsChecked: number;
  streamsChecked: number;
  firstBadEvent?: unknown;
  lastCheckpoint?: unknown;
  [key: string]: unknown;
}

export interface LedgerLibrary {
  createQueries(store: EventStore, options: { region: string; accountId: string; clock: Clock }): LedgerQueriesApi;
  toCsv(rows: Array<Record<string, unknown>>, columns: string[]): string;
  verifyLedger(
    store: EventStore,
    checkpointKey: Buffer,
    options?: { onProgress?(eventsChecked: number): void },
  ): Promise<VerifyLedgerResult>;
  checkpointKeyPurpose: string;
}

type ReadModelsModule = Record<string, unknown>;

/**
 * Loaded by name rather than imported, so this build of the CLI still compiles
 * and its store-only commands (export, migrate) still work with a read-models
 * library that predates the ledger queries; the commands that need them then
 * say so instead of crashing.
 */
export async function loadLedgerLibrary(): Promise<LedgerLibrary | undefined> {
  const module = (await import('@keyledger/read-models')) as ReadModelsModule;
  const LedgerQueries = module.LedgerQueries as
    | (new (store: EventStore, options: { region: string; accountId: string; clock: Clock }) => LedgerQueriesApi)
    | undefined;
  const { toCsv, verifyLedger, checkpointKeyPurpose } = module as {
    toCsv?: LedgerLibrary['toCsv'];
    verifyLedger?: LedgerLibrary['verifyLedger'];
    checkpointKeyPurpose?: string;
  };
  if (typeof LedgerQueries !== 'function' || typeof toCsv !== 'function' || typeof verifyLedger !== 'function' || !checkpointKeyPurpose) {
    return undefined;
  }
  return {
    createQueries: (store, options) => new LedgerQueries(store, options),
    toCsv,
    verifyLedger,
    checkpointKeyPurpose,
  };
}

export async function requireLedgerLibrary(command: string): Promise<LedgerLibrary> {
  const library = await loadLedgerLibrary();
  if (!library) {
    throw new CliFailure(
      `'${command}' in direct mode is not available in this build: @keyledger/read-models has no ledger queries yet. ` +
        'Use --url to ask a running server instead.',
    );
  }
  return library;
}

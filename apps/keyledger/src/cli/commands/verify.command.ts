import { readFileSync } from 'node:fs';
import { CheckpointKeys, verifyLedger, type LedgerLog } from '@keyledger/integrity';
import { parseJson } from '../api/ledger-api-client.js';
import type { Command, CommandInput } from '../cli-command.js';
import { CliFailure, UsageError } from '../cli-errors.js';
import { formatCount, toJsonText, writeOut } from '../cli-output.js';
import {
  API_OPTIONS_HELP,
  STORE_OPTIONS_HELP,
  apiClientOf,
  apiOptions,
  dataDirOf,
  openDirectStore,
  storeOptions,
} from '../connection.js';
import { openRootKey } from '../direct-store.js';
import { ExportFileLog } from '../export-file-log.js';
import { ProgressBar } from '../progress-bar.js';

const EXPECT = /^([0-9a-f]{64}|\d{1,20})$/;

export const verifyCommand: Command = {
  name: 'verify',
  summary: "check every stream's hash chain and the signed checkpoints (exit 1 when not ok)",
  positionals: { min: 0, max: 0, names: '' },
  options: {
    ...storeOptions,
    ...apiOptions,
    'public-key': { type: 'string' },
    export: { type: 'string' },
    expect: { type: 'string' },
  },
  help: `Usage: keyledger verify [--data-dir <dir> | --export <file.jsonl> | --url <url>]
                       [--public-key <file.pem>] [--expect <checkpoint hash | position>]

Recomputes the hash chain of every stream and holds every signed checkpoint
to it: a removed, edited or re-chained event that a checkpoint covers is
found. Prints the result as JSON, with the checkpoint public key; exit 0 when
the ledger verifies, 1 when it does not.

Direct mode checks checkpoints with the root key (<data dir>/root.key or
$KEYLEDGER_ROOT_KEY), or, with --public-key, with the checkpoint public key
alone (GET /v1/audit/public-key, or this command's output): no root key is
needed, and checkpoints written before Ed25519 signatures are reported as
unverified rather than checked.

  --export <file.jsonl>    verify a \`keyledger export\` file instead of a data directory
  --public-key <file.pem>  the checkpoint public key (PEM); no root key is read
  --expect <hash | pos>    a checkpoint kept elsewhere (its checkpointHash, or the
                           position it covers) that must still be in the ledger

${STORE_OPTIONS_HELP}

${API_OPTIONS_HELP}`,
  async run(input) {
    const { values, io } = input;
    const expect = values.expect as string | undefined;
    if (expect !== undefined && !EXPECT.test(expect))
      throw new UsageError('--expect takes a checkpoint hash (64 hex digits) or a position', 'verify');
    const api = apiClientOf(values, io.env, 'verify');
    let result: Record<string, unknown>;
    if (api) {
      if (values['public-key'] !== undefined || values.export !== undefined)
        throw new UsageError('--public-key and --export apply to direct mode only', 'verify');
      result = parseJson(await api.get(['v1', 'audit', 'verify'])) as Record<string, unknown>;
    } else {
      result = await verifyDirect(input, expect);
    }
    await writeOut(io.stdout, `${toJsonText(result)}\n`);
    if (result.ok !== true) {
      io.stderr.write('ledger verification FAILED\n');
      return 1;
    }
    const checked = (result as { eventsChecked?: number }).eventsChecked;
    io.stderr.write(`ledger verified${typeof checked === 'number' ? `: ${formatCount(checked)} event(s)` : ''}\n`);
    return 0;
  },
};

async function verifyDirect(input: CommandInput, expect: string | undefined): Promise<Record<string, unknown>> {
  const { values, io } = input;
  const exportFile = values.export as string | undefined;
  if (exportFile !== undefined && (values['data-dir'] !== undefined || values['eventstore-url'] !== undefined))
    throw new UsageError('--export cannot be combined with --data-dir or --eventstore-url', 'verify');
  const keys = checkpointKeysOf(input);
  const store = exportFile === undefined ? openDirectStore(values, io.env) : undefined;
  const log: LedgerLog = store ?? new ExportFileLog(exportFile!);
  try {
    const bar = new ProgressBar(io.stderr, undefined, 'events checked');
    const result = await verifyLedger(log, keys, {
      onProgress: (n) => bar.update(n),
      requireCheckpoint: true,
      expect: expect === undefined ? undefined : [expect],
    });
    if (io.stderr.isTTY) bar.finish(result.eventsChecked);
    return {
      ...result,
      publicKey: { algorithm: 'Ed25519', keyId: keys.keyId, publicKeyPem: keys.publicKeyPem() },
      checkedWith: keys.macKey === undefined ? 'public key' : 'root key',
    };
  } finally {
    await store?.close();
  }
}

function checkpointKeysOf({ values, io }: CommandInput): CheckpointKeys {
  const file = values['public-key'] as string | undefined;
  if (file === undefined)
    return CheckpointKeys.fromRootKey(openRootKey(dataDirOf(values, io.env), io.env.KEYLEDGER_ROOT_KEY));
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  // GET /v1/audit/public-key answers JSON; the PEM inside it is accepted as it is.
  const fromJson = /^\s*\{/.test(pem) ? (JSON.parse(pem) as { publicKeyPem?: unknown }).publicKeyPem : undefined;
  try {
    return CheckpointKeys.fromPublicKeyPem(typeof fromJson === 'string' ? fromJson : pem);
  } catch (error) {
    throw new CliFailure(`${file}: ${(error as Error).message}`);
  }
}

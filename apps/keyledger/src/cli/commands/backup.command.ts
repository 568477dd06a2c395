import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ROOT_KEY_FILE_NAME, SHRED_VAULT_FILE_NAME } from '@keyledger/crypto';
import { LEDGER_FILE_NAME } from '@keyledger/event-store';
import { IDENTITY_FILE_NAME } from '../../infrastructure/data-directory.js';
import { encryptRootKey, ROOT_KEY_PART, writeBackupArchive, type BackupPart } from '../backup/backup-archive.js';
import type { Command } from '../cli-command.js';
import { CliFailure, UsageError } from '../cli-errors.js';
import { toJsonText, writeOut } from '../cli-output.js';
import { dataDirOf } from '../connection.js';

export const MIN_PASSPHRASE_LENGTH = 12;

export const backupCommand: Command = {
  name: 'backup',
  summary: 'a consistent online copy of the ledger and the vault (and, if asked, the root key) in one file',
  positionals: { min: 0, max: 0, names: '' },
  options: { 'data-dir': { type: 'string' }, to: { type: 'string' }, 'include-root-key': { type: 'boolean' } },
  help: `Usage: keyledger backup --to <file> [--data-dir <dir>] [--include-root-key]

Copies the embedded ledger (ledger.db) and the key vault (vault.db) with SQLite's
online backup API, while the server keeps serving: each copy is a consistent
state of its database. The ledger is copied first, then the vault, so every key
the copied ledger names has its shred key in the copied vault (unless it was
destroyed in between). The data directory's record (keyledger-data-dir.json) is
included. Like Vault's 'operator raft snapshot save'.

The root key is included only with --include-root-key, and then encrypted under
the passphrase in KEYLEDGER_BACKUP_PASSPHRASE (at least ${MIN_PASSPHRASE_LENGTH} characters; scrypt,
then AES-256-GCM). Without it, keep root.key (or KEYLEDGER_ROOT_KEY) safe
elsewhere: the backup is useless without it.

A vault backup keeps every key destroyed after it was made: keep vault backups
short-lived (see the README). With EventStoreDB, back the store up with its own
tools; this copies the vault and the record only if there is no ledger.db.

  --to <file>            the backup file (written whole, then renamed into place)
  --data-dir <dir>       the data directory (default: $KEYLEDGER_DATA_DIR or ./data)
  --include-root-key     include the root key, encrypted under KEYLEDGER_BACKUP_PASSPHRASE`,
  async run({ values, io }) {
    const to = values.to as string | undefined;
    if (!to) throw new UsageError('missing --to <file>', 'backup');
    const dataDir = dataDirOf(values, io.env);
    const vaultPath = join(dataDir, SHRED_VAULT_FILE_NAME);
    if (!existsSync(vaultPath))
      throw new CliFailure(`no key vault at ${vaultPath}: is --data-dir the server's data directory?`);
    const passphrase = io.env.KEYLEDGER_BACKUP_PASSPHRASE;
    if (values['include-root-key'] && (!passphrase || passphrase.length < MIN_PASSPHRASE_LENGTH))
      throw new CliFailure(
        `--include-root-key needs KEYLEDGER_BACKUP_PASSPHRASE of at least ${MIN_PASSPHRASE_LENGTH} characters`,
      );

    const scratch = mkdtempSync(join(dirname(resolve(to)), '.keyledger-backup-'));
    try {
      const parts: BackupPart[] = [];
      const ledgerPath = join(dataDir, LEDGER_FILE_NAME);
      if (existsSync(ledgerPath)) parts.push({ name: LEDGER_FILE_NAME, bytes: await onlineCopy(ledgerPath, scratch) });
      parts.push({ name: SHRED_VAULT_FILE_NAME, bytes: await onlineCopy(vaultPath, scratch) });
      const identity = join(dataDir, IDENTITY_FILE_NAME);
      if (existsSync(identity)) parts.push({ name: IDENTITY_FILE_NAME, bytes: readFileSync(identity) });
      if (values['include-root-key']) {
        const rootKey = rawRootKey(dataDir, io.env.KEYLEDGER_ROOT_KEY);
        try {
          parts.push({ name: ROOT_KEY_PART, bytes: encryptRootKey(rootKey, passphrase!) });
        } finally {
          rootKey.fill(0);
        }
      }
      writeBackupArchive(resolve(to), parts);
      await writeOut(
        io.stdout,
        `${toJsonText({ to: resolve(to), parts: parts.map((p) => ({ name: p.name, bytes: p.bytes.length })) })}\n`,
      );
      return 0;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};

/** SQLite's online backup: a consistent copy while other connections write. */
async function onlineCopy(path: string, scratch: string): Promise<Buffer> {
  const target = join(scratch, `${Math.random().toString(36).slice(2)}.db`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
  return readFileSync(target);
}

function rawRootKey(dataDir: string, configured: string | undefined): Buffer {
  if (configured && configured.trim() !== '') return Buffer.from(configured.trim(), 'base64');
  const path = join(dataDir, ROOT_KEY_FILE_NAME);
  if (!existsSync(path)) throw new CliFailure(`no root key: ${path} does not exist and KEYLEDGER_ROOT_KEY is not set`);
  return readFileSync(path);
}

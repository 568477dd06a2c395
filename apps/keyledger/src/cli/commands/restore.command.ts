import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT_KEY_FILE_NAME, rootKeyCheckValue } from '@keyledger/crypto';
import { createEventStore } from '@keyledger/event-store';
import { CheckpointKeys, verifyLedger } from '@keyledger/integrity';
import { IDENTITY_FILE_NAME, type DataDirIdentity } from '../../infrastructure/data-directory.js';
import { decryptRootKey, readBackupArchive, ROOT_KEY_PART } from '../backup/backup-archive.js';
import type { Command } from '../cli-command.js';
import { CliFailure, UsageError } from '../cli-errors.js';
import { toJsonText, writeOut } from '../cli-output.js';
import { dataDirOf } from '../connection.js';
import { lockDataDir, openRootKey } from '../direct-store.js';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'restore a backup into an empty data directory, then verify the ledger',
  positionals: { min: 0, max: 0, names: '' },
  options: { 'data-dir': { type: 'string' }, from: { type: 'string' } },
  help: `Usage: keyledger restore --from <file> [--data-dir <dir>]

Writes the ledger, the key vault and the data directory's record from a backup
made by 'keyledger backup' into --data-dir, which must be empty or not exist
(like Vault's 'operator raft snapshot restore', but never over live data). The
root key comes from the backup if it holds one (KEYLEDGER_BACKUP_PASSPHRASE opens
it), else from KEYLEDGER_ROOT_KEY or a root.key you put there first. Then the
root key is checked against the record and the ledger is verified (hash chains,
signed checkpoints); exit 0 only if all holds.

  --from <file>          the backup file
  --data-dir <dir>       the data directory to restore into (default: $KEYLEDGER_DATA_DIR or ./data)`,
  async run({ values, io }) {
    const from = values.from as string | undefined;
    if (!from) throw new UsageError('missing --from <file>', 'restore');
    const dataDir = dataDirOf(values, io.env);
    const present = existsSync(dataDir) ? readdirSync(dataDir).filter((n) => n !== ROOT_KEY_FILE_NAME) : [];
    if (present.length > 0)
      throw new CliFailure(
        `${dataDir} is not empty (${present.join(', ')}): restore only into an empty data directory`,
      );
    const parts = readBackupArchive(resolve(from));
    const lock = lockDataDir(dataDir, 'keyledger restore');
    try {
      for (const part of parts) {
        if (part.name === ROOT_KEY_PART) {
          const passphrase = io.env.KEYLEDGER_BACKUP_PASSPHRASE;
          if (!passphrase)
            throw new CliFailure('the backup holds the root key: set KEYLEDGER_BACKUP_PASSPHRASE to open it');
          const key = decryptRootKey(part.bytes, passphrase);
          try {
            writeFileSync(join(dataDir, ROOT_KEY_FILE_NAME), key, { mode: 0o600, flag: 'wx' });
          } finally {
            key.fill(0);
          }
        } else {
          writeFileSync(join(dataDir, part.name), part.bytes, { mode: 0o600, flag: 'wx' });
        }
      }
      const rootKey = openRootKey(dataDir, io.env.KEYLEDGER_ROOT_KEY);
      const identityPart = parts.find((p) => p.name === IDENTITY_FILE_NAME);
      const identity = identityPart && (JSON.parse(identityPart.bytes.toString('utf8')) as DataDirIdentity);
      if (identity && identity.rootKeyCheck !== rootKeyCheckValue(rootKey))
        throw new CliFailure(`the root key is not the one ${IDENTITY_FILE_NAME} in the backup records`);
      const store = createEventStore({ dataDir });
      try {
        const verify = await verifyLedger(store, CheckpointKeys.fromRootKey(rootKey));
        await writeOut(io.stdout, `${toJsonText({ restoredTo: dataDir, parts: parts.map((p) => p.name), verify })}\n`);
        return verify.ok ? 0 : 1;
      } finally {
        await store.close();
      }
    } finally {
      lock.release();
    }
  },
};

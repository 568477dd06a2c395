import {
  closeSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LocalRootKeyProvider, ROOT_KEY_LENGTH } from './local-root-key-provider.js';
import { RootKeyError } from './root-key-provider.js';

export const ROOT_KEY_FILE_NAME = 'root.key';

/** The default root key: 32 raw bytes in `<dataDir>/root.key`, mode 0600, created on first start. */
export class FileRootKeyProvider extends LocalRootKeyProvider {
  private constructor(
    key: Buffer,
    readonly path: string,
    /** True when this call generated the key (worth a log line at start-up). */
    readonly created: boolean,
  ) {
    super(key);
  }

  /**
   * `refuseToCreate`: why a missing key file must not be replaced by a new key (the
   * data directory already holds what the old one wrapped); the error says it.
   */
  static openOrCreate(dataDir: string, options: { refuseToCreate?: string } = {}): FileRootKeyProvider {
    const path = join(dataDir, ROOT_KEY_FILE_NAME);
    let created = false;
    let key = readRootKeyFile(path);
    if (key === undefined && options.refuseToCreate !== undefined)
      throw new RootKeyError(
        `root key file ${path} is missing, but ${options.refuseToCreate}; refusing to make a new one (it could read none of it): restore root.key from your backup`,
      );
    if (key === undefined) {
      created = createRootKeyFile(dataDir, path);
      key = readRootKeyFile(path);
      if (key === undefined) throw new RootKeyError(`root key file ${path} disappeared while it was being created`);
    }
    try {
      // A `next-line` marker does not reach the finally below, so this pair fences its block alone.
      // Stryker disable BlockStatement: the bytes read never leave this function (the constructor copies)
      return new FileRootKeyProvider(key, path, created);
    } finally {
      // Stryker restore BlockStatement
      key.fill(0);
    }
  }
}

/** undefined when the file does not exist; throws when it exists but cannot be trusted. */
function readRootKeyFile(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RootKeyError(`cannot open root key file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    // fstat on the open descriptor, so the checks apply to exactly the file we read.
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new RootKeyError(`root key file ${path} is not a regular file`);
    // Group/other write access would let someone substitute the key, read access would leak it (Windows has no modes).
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: the specs run on one platform
    const posixModes = process.platform !== 'win32';
    if (posixModes && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
      throw new RootKeyError(
        `root key file ${path} is accessible by group or others (mode 0${mode}); refusing to start. Restrict it with: chmod 600 ${path}`,
      );
    }
    if (stat.size !== ROOT_KEY_LENGTH) {
      throw new RootKeyError(
        `root key file ${path} must contain exactly ${ROOT_KEY_LENGTH} raw bytes but has ${stat.size}; refusing to start (restore it from backup — a new key cannot read existing data)`,
      );
    }
    const key = Buffer.alloc(ROOT_KEY_LENGTH);
    let read = 0;
    // Stryker disable next-line EqualityOperator: one more pass at read = 32 asks for 0 bytes, gets 0 and breaks
    while (read < ROOT_KEY_LENGTH) {
      const n = readSync(fd, key, read, ROOT_KEY_LENGTH - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read !== ROOT_KEY_LENGTH) {
      key.fill(0);
      throw new RootKeyError(`root key file ${path} changed size while being read`);
    }
    return key;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a fresh key to a private temp file, fsyncs it, then hard-links it into place.
 * link(2), unlike rename(2), fails if root.key already exists, so two processes starting
 * together can never replace a key the other one has already used; and a crash can
 * never leave a partial root.key behind. Returns whether this call's key won.
 */
function createRootKeyFile(dataDir: string, path: string): boolean {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tempPath = join(dataDir, `.${ROOT_KEY_FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const key = randomBytes(ROOT_KEY_LENGTH);
  try {
    const fd = openSync(tempPath, 'wx', 0o600);
    try {
      let written = 0;
      while (written < key.length) written += writeSync(fd, key, written, key.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    let won = true;
    try {
      linkSync(tempPath, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new RootKeyError(`cannot create root key file ${path}: ${(error as Error).message}`, { cause: error });
      }
      won = false;
    }
    syncDirectory(dataDir);
    return won;
  } finally {
    key.fill(0);
    try {
      unlinkSync(tempPath);
    } catch {
      // Already gone or never created: nothing to clean up.
    }
  }
}

// Without this the new directory entry may not survive a power loss even though the data did.
// Stryker disable next-line BlockStatement: what it adds shows only after a power loss
function syncDirectory(dir: string): void {
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral,BlockStatement: as above
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

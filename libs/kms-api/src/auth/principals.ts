import { randomBytes } from 'node:crypto';
import { DomainError, parsePolicyDocument } from '@keyledger/ledger';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KmsError } from '../protocol/kms-error.js';

/**
 * Who may call Keyledger. A bootstrap admin (from the environment, or generated
 * on first start into `<dataDir>/admin-credentials.json`, mode 0600) plus the
 * principals of `KEYLEDGER_PRINCIPALS_FILE`. Secrets are never put in an error
 * message: the server logs the credentials file's PATH, never its content.
 */

export type Role = 'admin' | 'key-user' | 'auditor';
export const ROLES: readonly Role[] = ['admin', 'key-user', 'auditor'];

export interface Principal {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Null for a principal the principals file gives only an identity policy. */
  role: Role | null;
  /** An IAM identity policy document (JSON text) in place of the role's, or beside it. */
  policy?: string;
}

export const ADMIN_CREDENTIALS_FILE = 'admin-credentials.json';
export const BOOTSTRAP_ADMIN_NAME = 'admin';

const ACCESS_KEY_ID_RE = /^[A-Za-z0-9]{16,128}$/;
// Printable ASCII without spaces: the secret is typed into ~/.aws/credentials.
const SECRET_RE = /^[\x21-\x7e]{16,128}$/;
// IAM user-name characters: the name appears in ARNs and audit metadata.
const NAME_RE = /^[A-Za-z0-9+=,.@_-]{1,64}$/;

export class PrincipalConfigError extends Error {
  override name = 'PrincipalConfigError';
}

export class PrincipalDirectory {
  private readonly byAccessKey = new Map<string, Principal>();

  constructor(principals: readonly Principal[]) {
    const names = new Set<string>();
    for (const p of principals) {
      if (this.byAccessKey.has(p.accessKeyId)) {
        throw new PrincipalConfigError(`Access key id ${p.accessKeyId} is given to more than one principal.`);
      }
      if (names.has(p.name)) throw new PrincipalConfigError(`Principal name '${p.name}' is used more than once.`);
      names.add(p.name);
      this.byAccessKey.set(p.accessKeyId, Object.freeze({ ...p }));
    }
  }

  lookup(accessKeyId: string): Principal | undefined {
    return this.byAccessKey.get(accessKeyId);
  }

  /** Shaped for `verifySigV4`'s `lookupSecret`. */
  readonly lookupSecret = (accessKeyId: string): string | undefined =>
    this.byAccessKey.get(accessKeyId)?.secretAccessKey;

  /** Safe to log or return: no secrets. */
  list(): Array<Omit<Principal, 'secretAccessKey'>> {
    return [...this.byAccessKey.values()].map(({ name, accessKeyId, role, policy }) =>
      policy === undefined ? { name, accessKeyId, role } : { name, accessKeyId, role, policy },
    );
  }
}

export interface BootstrapInfo {
  source: 'env' | 'file' | 'generated';
  /** The credentials file, when the admin came from one or was just written to one. */
  path?: string;
  generated: boolean;
}

export interface LoadedPrincipals {
  directory: PrincipalDirectory;
  principals: Principal[];
  bootstrap: BootstrapInfo;
  /** Non-fatal findings for the log (e.g. a credentials file readable by others). */
  warnings: string[];
}

export interface LoadPrincipalsOptions {
  dataDir: string;
  env: Record<string, string | undefined>;
}

// ---------------------------------------------------------------------------

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function generateAccessKeyId(): string {
  const bytes = randomBytes(16);
  let id = 'AKIA';
  for (const b of bytes) id += BASE32[b & 31];
  return id;
}

export function generateSecretAccessKey(): string {
  return randomBytes(30).toString('base64'); // 40 characters
}

function checkCredentials(accessKeyId: unknown, secret: unknown, where: string): void {
  if (typeof accessKeyId !== 'string' || !ACCESS_KEY_ID_RE.test(accessKeyId)) {
    throw new PrincipalConfigError(`${where}: accessKeyId must be 16 to 128 letters and digits.`);
  }
  if (typeof secret !== 'string' || !SECRET_RE.test(secret)) {
    throw new PrincipalConfigError(
      `${where}: secretAccessKey must be 16 to 128 printable ASCII characters without spaces.`,
    );
  }
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    // Stryker disable next-line StringLiteral: JSON.parse reads a Buffer through its UTF-8 text as well
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    // Stryker disable next-line StringLiteral: readFileSync's errors always carry a code; the fallback is for the type
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new PrincipalConfigError(`Cannot read ${what} ${file}: ${code}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message may quote the file's text, secrets included.
    throw new PrincipalConfigError(`${what} ${file} is not valid JSON.`);
  }
}

function modeWarning(file: string): string | undefined {
  try {
    const mode = fs.statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0)
      return `${file} is accessible by group or others (mode ${mode.toString(8)}); it holds secrets, use 0600.`;
  } catch {
    /* unreadable stat: the read itself reports */
  }
  return undefined;
}

function parseAdminFile(file: string): Principal {
  const data = readJson(file, 'Admin credentials file');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new PrincipalConfigError(`Admin credentials file ${file} must hold a JSON object.`);
  }
  const { accessKeyId, secretAccessKey } = data as Record<string, unknown>;
  checkCredentials(accessKeyId, secretAccessKey, `Admin credentials file ${file}`);
  return {
    name: BOOTSTRAP_ADMIN_NAME,
    accessKeyId: accessKeyId as string,
    secretAccessKey: secretAccessKey as string,
    role: 'admin',
  };
}

/**
 * Creates the file with its whole content or not at all: written to a private
 * temporary file, flushed, then hard-linked into place (link fails if the name
 * exists, so two servers starting together cannot overwrite each other).
 */
function createFileAtomically(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  try {
    fs.fchmodSync(fd, 0o600); // whatever the umask
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: the temporary always exists here (created above)
    fs.rmSync(tmp, { force: true });
    // Stryker disable next-line BlockStatement: the directory fsync only shows after a power loss; failures are ignored
    try {
      // Stryker disable next-line StringLiteral: a bad flag throws, and a failed directory fsync is ignored by design
      const dirFd = fs.openSync(path.dirname(file), 'r');
      // Stryker disable next-line BlockStatement: the directory's fsync only shows after a power loss
      try {
        fs.fsyncSync(dirFd);
      } finally {
        fs.closeSync(dirFd);
      }
    } catch {
      /* directory fsync is not supported everywhere */
    }
  }
}

function bootstrapAdmin(
  dataDir: string,
  env: LoadPrincipalsOptions['env'],
  warnings: string[],
): { admin: Principal; bootstrap: BootstrapInfo } {
  const envId = env.KEYLEDGER_ACCESS_KEY_ID;
  const envSecret = env.KEYLEDGER_SECRET_ACCESS_KEY;
  if (envId !== undefined || envSecret !== undefined) {
    if (envId === undefined || envSecret === undefined) {
      throw new PrincipalConfigError('KEYLEDGER_ACCESS_KEY_ID and KEYLEDGER_SECRET_ACCESS_KEY must be set together.');
    }
    checkCredentials(envId, envSecret, 'KEYLEDGER_ACCESS_KEY_ID/KEYLEDGER_SECRET_ACCESS_KEY');
    return {
      admin: { name: BOOTSTRAP_ADMIN_NAME, accessKeyId: envId, secretAccessKey: envSecret, role: 'admin' },
      bootstrap: { source: 'env', generated: false },
    };
  }

  const file = path.join(dataDir, ADMIN_CREDENTIALS_FILE);
  // Stryker disable next-line ConditionalExpression: an existing file fails link(2) with EEXIST, then is read below too
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const admin: Principal = {
      name: BOOTSTRAP_ADMIN_NAME,
      accessKeyId: generateAccessKeyId(),
      secretAccessKey: generateSecretAccessKey(),
      role: 'admin',
    };
    const content = `${JSON.stringify(
      { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey, createdAt: new Date().toISOString() },
      null,
      2,
    )}\n`;
    if (createFileAtomically(file, content))
      return { admin, bootstrap: { source: 'generated', path: file, generated: true } };
    // Another process created it first: use theirs.
  }
  const warning = modeWarning(file);
  if (warning !== undefined) warnings.push(warning);
  return { admin: parseAdminFile(file), bootstrap: { source: 'file', path: file, generated: false } };
}

const PRINCIPAL_KEYS = new Set(['name', 'accessKeyId', 'secretAccessKey', 'role', 'policy']);

/** A `policy` as the file gives it (a JSON object, or its text), checked as an IAM identity policy. */
function identityPolicyText(value: unknown, at: string): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if ((typeof value !== 'string' && (typeof value !== 'object' || value === null)) || text === undefined)
    throw new PrincipalConfigError(`${at}: policy must be an IAM identity policy (a JSON object or its text).`);
  const parsed = parsePolicyDocument(text, 'identity');
  if (parsed instanceof DomainError) throw new PrincipalConfigError(`${at}: policy is not valid: ${parsed.message}`);
  return text;
}

/** Validates the content of a principals file. Errors name the entry and field, never a secret. */
export function parsePrincipalsFile(data: unknown, file = 'principals file'): Principal[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new PrincipalConfigError(`${file}: expected a JSON object { "principals": [ … ] }.`);
  }
  const extraTop = Object.keys(data).filter((k) => k !== 'principals');
  if (extraTop.length > 0)
    throw new PrincipalConfigError(`${file}: unknown top-level field(s) ${extraTop.map((k) => `'${k}'`).join(', ')}.`);
  const list = (data as Record<string, unknown>).principals;
  if (!Array.isArray(list)) throw new PrincipalConfigError(`${file}: "principals" must be an array.`);
  return list.map((entry, i) => {
    const where = `${file}: principals[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new PrincipalConfigError(`${where} must be an object.`);
    const e = entry as Record<string, unknown>;
    const unknownKeys = Object.keys(e).filter((k) => !PRINCIPAL_KEYS.has(k));
    if (unknownKeys.length > 0) {
      throw new PrincipalConfigError(
        `${where}: unknown field(s) ${unknownKeys.map((k) => `'${k}'`).join(', ')}; allowed: name, accessKeyId, secretAccessKey, role, policy.`,
      );
    }
    if (typeof e.name !== 'string' || !NAME_RE.test(e.name)) {
      throw new PrincipalConfigError(`${where}.name must be 1 to 64 characters of letters, digits and +=,.@_-`);
    }
    const at = `${where} ('${e.name}')`;
    if (e.accessKeyId === undefined) throw new PrincipalConfigError(`${at}: accessKeyId is required.`);
    if (e.secretAccessKey === undefined) throw new PrincipalConfigError(`${at}: secretAccessKey is required.`);
    checkCredentials(e.accessKeyId, e.secretAccessKey, at);
    const policy = e.policy === undefined ? undefined : identityPolicyText(e.policy, at);
    const roleGiven = e.role !== undefined || policy === undefined;
    // Stryker disable next-line ConditionalExpression: includes() finds no role for a non-string; the typeof narrows
    if (roleGiven && (typeof e.role !== 'string' || !(ROLES as readonly string[]).includes(e.role))) {
      throw new PrincipalConfigError(`${at}: role must be one of ${ROLES.join(', ')} (or give a policy in its place).`);
    }
    return {
      name: e.name,
      accessKeyId: e.accessKeyId as string,
      secretAccessKey: e.secretAccessKey as string,
      role: roleGiven ? (e.role as Role) : null,
      ...(policy === undefined ? {} : { policy }),
    };
  });
}

/**
 * Loads the bootstrap admin and the principals file. Synchronous: it runs once
 * at start-up, before the server listens. Throws PrincipalConfigError.
 */
export function loadPrincipals({ dataDir, env }: LoadPrincipalsOptions): LoadedPrincipals {
  const warnings: string[] = [];
  const { admin, bootstrap } = bootstrapAdmin(dataDir, env, warnings);
  const principals: Principal[] = [admin];
  const file = env.KEYLEDGER_PRINCIPALS_FILE;
  if (file !== undefined && file !== '') {
    const others = parsePrincipalsFile(readJson(file, 'Principals file'), file);
    const warning = modeWarning(file);
    if (warning !== undefined) warnings.push(warning);
    if (others.some((p) => p.name === admin.name)) {
      throw new PrincipalConfigError(`${file}: the name '${admin.name}' is reserved for the bootstrap admin.`);
    }
    principals.push(...others);
  }
  return { directory: new PrincipalDirectory(principals), principals, bootstrap, warnings };
}

// ---------------------------------------------------------------------------
// Authorisation of KMS requests is the Authorizer's (key policy, grants, identity policies); the role
// decides here only who may use the ledger API.

/** The ledger API under /v1 (history, as-of state, reports) is for admins and auditors. */
export function authorizeLedgerApi(role: Role | null): boolean {
  return role === 'admin' || role === 'auditor';
}

export function principalArn(principal: Pick<Principal, 'name'>, accountId: string): string {
  return `arn:aws:iam::${accountId}:user/${principal.name}`;
}

/**
 * The AccessDeniedException AWS sends, e.g. "User: arn:aws:iam::111122223333:user/bob is not authorized to perform:
 * kms:CreateKey".
 */
export function accessDenied(
  principal: Pick<Principal, 'name'>,
  action: string,
  accountId: string,
  resource?: string,
): KmsError {
  const on = resource === undefined ? '' : ` on resource: ${resource}`;
  return KmsError.accessDenied(
    `User: ${principalArn(principal, accountId)} is not authorized to perform: ${action}${on}`,
  );
}

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  accessDenied,
  ADMIN_CREDENTIALS_FILE,
  loadPrincipals,
  parsePrincipalsFile,
  PrincipalConfigError,
  PrincipalDirectory,
  principalArn,
  type Principal,
} from './principals.js';

// Every refusal of the principals configuration by its exact text: the operator reads it in one log line, and it
// must name the entry and field, never a secret. Both sides of each bound.

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyledger-principal-rules-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const SECRET = 'ssssSECRETssssSECRETssssSECRET';
const ID = 'AKIARULESRULES000001';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PrincipalConfigError);
    expect((e as Error).name).toBe('PrincipalConfigError');
    expect((e as Error).message).not.toContain(SECRET);
    return (e as Error).message;
  }
  throw new Error('expected a PrincipalConfigError');
}

const entry = (over: Record<string, unknown> = {}) => ({
  name: 'app',
  accessKeyId: ID,
  secretAccessKey: SECRET,
  role: 'key-user',
  ...over,
});
const parseOne = (over: Record<string, unknown>) => () => parsePrincipalsFile({ principals: [entry(over)] }, 'p.json');

describe('PrincipalDirectory', () => {
  const p = (name: string, accessKeyId: string, extra: Partial<Principal> = {}): Principal => ({
    name,
    accessKeyId,
    secretAccessKey: SECRET,
    role: 'admin',
    ...extra,
  });

  it('given one access key id or one name twice, then the directory is refused, naming it', () => {
    expect(refusal(() => new PrincipalDirectory([p('a', ID), p('b', ID)]))).toBe(
      `Access key id ${ID} is given to more than one principal.`,
    );
    expect(refusal(() => new PrincipalDirectory([p('a', ID), p('a', 'AKIARULESRULES000002')]))).toBe(
      "Principal name 'a' is used more than once.",
    );
  });

  it('given an unknown access key id, then neither a principal nor a secret is found', () => {
    const directory = new PrincipalDirectory([p('a', ID)]);
    expect(directory.lookup('AKIANOBODY0000000000')).toBeUndefined();
    expect(directory.lookupSecret('AKIANOBODY0000000000')).toBeUndefined();
    expect(directory.lookupSecret(ID)).toBe(SECRET);
  });

  it('lists every principal without its secret, and with a policy only where one was given', () => {
    const directory = new PrincipalDirectory([
      p('a', ID),
      p('b', 'AKIARULESRULES000002', { role: null, policy: '{}' }),
    ]);
    expect(directory.list()).toStrictEqual([
      { name: 'a', accessKeyId: ID, role: 'admin' },
      { name: 'b', accessKeyId: 'AKIARULESRULES000002', role: null, policy: '{}' },
    ]);
  });
});

describe('credentials: 16 to 128 characters', () => {
  it('given an access key id of 16 or 128 letters and digits, then it is taken; 15, 129 or a symbol, refused', () => {
    for (const id of ['A'.repeat(16), 'A1'.repeat(64)])
      expect(parseOne({ accessKeyId: id })()[0]?.accessKeyId).toBe(id);
    for (const id of ['A'.repeat(15), 'A'.repeat(129), 'AKIARULESRULES-00001', `x${'A'.repeat(16)}!`, 42]) {
      expect(refusal(parseOne({ accessKeyId: id }))).toBe(
        "p.json: principals[0] ('app'): accessKeyId must be 16 to 128 letters and digits.",
      );
    }
  });

  it('given a secret of 16 or 128 printable characters, then it is taken; 15, 129, a space or a number, refused', () => {
    for (const secret of ['!'.repeat(16), '~'.repeat(128)]) {
      expect(parseOne({ secretAccessKey: secret })()[0]?.secretAccessKey).toBe(secret);
    }
    for (const secret of ['s'.repeat(15), 's'.repeat(129), 'ssssSECRET ssssSECRET', 'ssssSECRETssssSECRET\u00e9', 42]) {
      expect(refusal(parseOne({ secretAccessKey: secret }))).toBe(
        "p.json: principals[0] ('app'): secretAccessKey must be 16 to 128 printable ASCII characters without spaces.",
      );
    }
  });
});

describe('parsePrincipalsFile', () => {
  it('given no object, then it asks for one, under its default name when none is given', () => {
    for (const data of [null, [], 'principals', 42]) {
      expect(refusal(() => parsePrincipalsFile(data))).toBe(
        'principals file: expected a JSON object { "principals": [ … ] }.',
      );
    }
  });

  it('given unknown top-level fields, then each is named', () => {
    expect(refusal(() => parsePrincipalsFile({ principals: [], a: 1, b: 2 }, 'p.json'))).toBe(
      "p.json: unknown top-level field(s) 'a', 'b'.",
    );
  });

  it('given an entry that is not an object, then its index is named', () => {
    for (const bad of [null, [], 'app']) {
      expect(refusal(() => parsePrincipalsFile({ principals: [entry(), bad] }, 'p.json'))).toBe(
        'p.json: principals[1] must be an object.',
      );
    }
  });

  it('given unknown fields in an entry, then each is named with the allowed ones', () => {
    expect(refusal(parseOne({ secret: 'x', Role: 'admin' }))).toBe(
      "p.json: principals[0]: unknown field(s) 'secret', 'Role'; allowed: name, accessKeyId, secretAccessKey, role, policy.",
    );
  });

  it('given a name of 1 or 64 IAM characters, then it is taken; empty, 65, a space or not text, refused', () => {
    for (const name of ['a', 'A+=,.@_-9'.padEnd(64, 'x')]) expect(parseOne({ name })()[0]?.name).toBe(name);
    for (const name of ['', 'x'.repeat(65), 'a b', 7]) {
      expect(refusal(parseOne({ name }))).toBe(
        'p.json: principals[0].name must be 1 to 64 characters of letters, digits and +=,.@_-',
      );
    }
  });

  it('given no access key id or no secret, then the missing one is named', () => {
    expect(refusal(parseOne({ accessKeyId: undefined }))).toBe(
      "p.json: principals[0] ('app'): accessKeyId is required.",
    );
    expect(refusal(parseOne({ secretAccessKey: undefined }))).toBe(
      "p.json: principals[0] ('app'): secretAccessKey is required.",
    );
  });

  it('given a role that is not text, then the roles are listed', () => {
    expect(refusal(parseOne({ role: 1 }))).toBe(
      "p.json: principals[0] ('app'): role must be one of admin, key-user, auditor (or give a policy in its place).",
    );
  });

  it('given a role alone, then the principal has no policy member at all', () => {
    expect(parseOne({})()).toStrictEqual([{ name: 'app', accessKeyId: ID, secretAccessKey: SECRET, role: 'key-user' }]);
  });

  it('given a policy whose JSON form is nothing, then it is refused as not a policy', () => {
    expect(refusal(parseOne({ role: undefined, policy: { toJSON: () => undefined } }))).toBe(
      "p.json: principals[0] ('app'): policy must be an IAM identity policy (a JSON object or its text).",
    );
  });
});

describe('loadPrincipals: the bootstrap admin', () => {
  const adminFile = () => path.join(dir, ADMIN_CREDENTIALS_FILE);

  it('given only one of the two variables, either one, then both are asked for', () => {
    for (const env of [{ KEYLEDGER_ACCESS_KEY_ID: ID }, { KEYLEDGER_SECRET_ACCESS_KEY: SECRET }]) {
      expect(refusal(() => loadPrincipals({ dataDir: dir, env }))).toBe(
        'KEYLEDGER_ACCESS_KEY_ID and KEYLEDGER_SECRET_ACCESS_KEY must be set together.',
      );
    }
    expect(fs.existsSync(adminFile())).toBe(false);
  });

  it('given a malformed pair in the environment, then the variables are named', () => {
    const env = { KEYLEDGER_ACCESS_KEY_ID: 'short', KEYLEDGER_SECRET_ACCESS_KEY: SECRET };
    expect(refusal(() => loadPrincipals({ dataDir: dir, env }))).toBe(
      'KEYLEDGER_ACCESS_KEY_ID/KEYLEDGER_SECRET_ACCESS_KEY: accessKeyId must be 16 to 128 letters and digits.',
    );
  });

  it('given a generated admin, then it is named admin with the admin role', () => {
    const [admin] = loadPrincipals({ dataDir: dir, env: {} }).principals;
    expect([admin?.name, admin?.role]).toEqual(['admin', 'admin']);
  });

  // Linux only: /proc/self/fd lists this process's open descriptors (each spec file runs in its own fork).
  it.runIf(process.platform === 'linux')(
    'given a generated admin file, then no descriptor is left open (Linux only: /proc)',
    () => {
      const open = () => fs.readdirSync('/proc/self/fd').length;
      const before = open();
      loadPrincipals({ dataDir: dir, env: {} });
      expect(open()).toBe(before);
    },
  );

  it('given a credentials file that is not a JSON object, or not JSON, then the file is named', () => {
    for (const content of ['[]', 'null', '"text"', '42']) {
      fs.writeFileSync(adminFile(), content, { mode: 0o600 });
      expect(refusal(() => loadPrincipals({ dataDir: dir, env: {} }))).toBe(
        `Admin credentials file ${adminFile()} must hold a JSON object.`,
      );
    }
    fs.writeFileSync(adminFile(), `{"secretAccessKey":"${SECRET}"`, { mode: 0o600 });
    expect(refusal(() => loadPrincipals({ dataDir: dir, env: {} }))).toBe(
      `Admin credentials file ${adminFile()} is not valid JSON.`,
    );
  });

  it('given a credentials file with a bad access key id, then the file is named', () => {
    fs.writeFileSync(adminFile(), JSON.stringify({ accessKeyId: 'short', secretAccessKey: SECRET }), { mode: 0o600 });
    expect(refusal(() => loadPrincipals({ dataDir: dir, env: {} }))).toBe(
      `Admin credentials file ${adminFile()}: accessKeyId must be 16 to 128 letters and digits.`,
    );
  });

  it('given a credentials file open to the group only, then it warns with the mode; 0600, then not', () => {
    fs.writeFileSync(adminFile(), JSON.stringify({ accessKeyId: ID, secretAccessKey: SECRET }));
    fs.chmodSync(adminFile(), 0o640);
    expect(loadPrincipals({ dataDir: dir, env: {} }).warnings).toEqual([
      `${adminFile()} is accessible by group or others (mode 640); it holds secrets, use 0600.`,
    ]);
    fs.chmodSync(adminFile(), 0o600);
    expect(loadPrincipals({ dataDir: dir, env: {} }).warnings).toEqual([]);
  });
});

describe('loadPrincipals: the principals file', () => {
  const env = (file: string) => ({
    KEYLEDGER_ACCESS_KEY_ID: 'AKIAENVADMIN00000001',
    KEYLEDGER_SECRET_ACCESS_KEY: SECRET,
    KEYLEDGER_PRINCIPALS_FILE: file,
  });
  const write = (content: unknown, mode = 0o600) => {
    const file = path.join(dir, 'principals.json');
    fs.writeFileSync(file, JSON.stringify(content));
    fs.chmodSync(file, mode);
    return file;
  };

  it('given an empty file name, then there is no principals file, only the admin', () => {
    expect(loadPrincipals({ dataDir: dir, env: env('') }).principals.map((p) => p.name)).toEqual(['admin']);
  });

  it('given a file that cannot be read, or is not JSON, then it is named with the reason', () => {
    const missing = path.join(dir, 'absent.json');
    expect(refusal(() => loadPrincipals({ dataDir: dir, env: env(missing) }))).toBe(
      `Cannot read Principals file ${missing}: ENOENT`,
    );
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, `{"principals": [{"secretAccessKey": "${SECRET}"`);
    expect(refusal(() => loadPrincipals({ dataDir: dir, env: env(file) }))).toBe(
      `Principals file ${file} is not valid JSON.`,
    );
  });

  it('given a file readable by others, then it warns; 0600, then not', () => {
    const file = write({ principals: [entry()] }, 0o604);
    expect(loadPrincipals({ dataDir: dir, env: env(file) }).warnings).toEqual([
      `${file} is accessible by group or others (mode 604); it holds secrets, use 0600.`,
    ]);
    fs.chmodSync(file, 0o600);
    expect(loadPrincipals({ dataDir: dir, env: env(file) }).warnings).toEqual([]);
  });

  it("given the admin's name on any entry, not only the first, then it is reserved", () => {
    const file = write({ principals: [entry(), entry({ name: 'admin', accessKeyId: 'AKIARULESRULES000002' })] });
    expect(refusal(() => loadPrincipals({ dataDir: dir, env: env(file) }))).toBe(
      `${file}: the name 'admin' is reserved for the bootstrap admin.`,
    );
  });
});

describe('principalArn and accessDenied', () => {
  it('given a principal, then its IAM user ARN in the account', () => {
    expect(principalArn({ name: 'bob' }, '111122223333')).toBe('arn:aws:iam::111122223333:user/bob');
  });

  it('given an action, with or without a resource, then the AccessDeniedException AWS sends', () => {
    const bare = accessDenied({ name: 'bob' }, 'kms:CreateKey', '111122223333');
    expect([bare.type, bare.message]).toEqual([
      'AccessDeniedException',
      'User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:CreateKey',
    ]);
    const arn = 'arn:aws:kms:us-east-1:111122223333:key/k';
    expect(accessDenied({ name: 'bob' }, 'kms:Decrypt', '111122223333', arn).message).toBe(
      `User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt on resource: ${arn}`,
    );
  });
});

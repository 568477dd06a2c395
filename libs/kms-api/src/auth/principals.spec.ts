import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN_CREDENTIALS_FILE,
  authorizeLedgerApi,
  generateAccessKeyId,
  generateSecretAccessKey,
  loadPrincipals,
  parsePrincipalsFile,
  PrincipalConfigError,
} from './principals.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyledger-principals-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const SECRET_A = 'aaaaSECRETaaaaSECRETaaaaSECRETaaaaSECRET';
const SECRET_B = 'bbbbSECRETbbbbSECRETbbbbSECRETbbbbSECRET';

describe('bootstrap admin', () => {
  it('comes from the environment when both variables are set', () => {
    const loaded = loadPrincipals({
      dataDir: dir,
      env: { KEYLEDGER_ACCESS_KEY_ID: 'AKIAENVADMIN00000001', KEYLEDGER_SECRET_ACCESS_KEY: SECRET_A },
    });
    expect(loaded.bootstrap).toEqual({ source: 'env', generated: false });
    expect(loaded.directory.lookup('AKIAENVADMIN00000001')).toMatchObject({
      name: 'admin',
      role: 'admin',
      secretAccessKey: SECRET_A,
    });
    expect(fs.existsSync(path.join(dir, ADMIN_CREDENTIALS_FILE))).toBe(false);
  });

  it('refuses half of the pair, without echoing the secret', () => {
    expect(() => loadPrincipals({ dataDir: dir, env: { KEYLEDGER_SECRET_ACCESS_KEY: SECRET_A } })).toThrow(
      PrincipalConfigError,
    );
    try {
      loadPrincipals({
        dataDir: dir,
        env: { KEYLEDGER_ACCESS_KEY_ID: 'short', KEYLEDGER_SECRET_ACCESS_KEY: SECRET_A },
      });
    } catch (e) {
      expect((e as Error).message).not.toContain(SECRET_A);
    }
  });

  it('is generated on first start into a 0600 file, then read back', () => {
    const data = path.join(dir, 'nested', 'data');
    const first = loadPrincipals({ dataDir: data, env: {} });
    const file = path.join(data, ADMIN_CREDENTIALS_FILE);
    expect(first.bootstrap).toEqual({ source: 'generated', path: file, generated: true });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const admin = first.principals[0];
    expect(admin.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(admin.secretAccessKey).toHaveLength(40);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({
      accessKeyId: admin.accessKeyId,
      secretAccessKey: admin.secretAccessKey,
    });
    expect(fs.readdirSync(data)).toEqual([ADMIN_CREDENTIALS_FILE]); // no temporary left behind

    const second = loadPrincipals({ dataDir: data, env: {} });
    expect(second.bootstrap).toEqual({ source: 'file', path: file, generated: false });
    expect(second.directory.lookupSecret(admin.accessKeyId)).toBe(admin.secretAccessKey);
    expect(second.warnings).toEqual([]);
  });

  it('warns when the credentials file is readable by others', () => {
    const file = path.join(dir, ADMIN_CREDENTIALS_FILE);
    fs.writeFileSync(file, JSON.stringify({ accessKeyId: 'AKIAFILEADMIN0000001', secretAccessKey: SECRET_A }), {
      mode: 0o644,
    });
    fs.chmodSync(file, 0o644);
    const loaded = loadPrincipals({ dataDir: dir, env: {} });
    expect(loaded.directory.lookup('AKIAFILEADMIN0000001')?.role).toBe('admin');
    expect(loaded.warnings.join()).toMatch(/0600/);
  });

  it('generates distinct, well-formed credentials', () => {
    const ids = new Set(Array.from({ length: 50 }, generateAccessKeyId));
    expect(ids.size).toBe(50);
    expect(generateSecretAccessKey()).toMatch(/^[A-Za-z0-9+/]{40}$/);
  });
});

describe('principals file', () => {
  const write = (content: unknown) => {
    const file = path.join(dir, 'principals.json');
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
    return file;
  };
  const env = (file: string) => ({
    KEYLEDGER_ACCESS_KEY_ID: 'AKIAENVADMIN00000001',
    KEYLEDGER_SECRET_ACCESS_KEY: SECRET_A,
    KEYLEDGER_PRINCIPALS_FILE: file,
  });

  it('adds principals with their roles', () => {
    const file = write({
      principals: [
        { name: 'app', accessKeyId: 'AKIAAPPAPPAPPAPP0001', secretAccessKey: SECRET_B, role: 'key-user' },
        { name: 'audit', accessKeyId: 'AKIAAUDITAUDIT000001', secretAccessKey: SECRET_B, role: 'auditor' },
      ],
    });
    const { directory } = loadPrincipals({ dataDir: dir, env: env(file) });
    expect(directory.lookup('AKIAAPPAPPAPPAPP0001')?.role).toBe('key-user');
    expect(directory.lookup('AKIAAUDITAUDIT000001')?.name).toBe('audit');
    expect(directory.lookup('AKIANOBODY0000000000')).toBeUndefined();
    expect(JSON.stringify(directory.list())).not.toContain(SECRET_B);
  });

  it('validates strictly with clear errors that never echo a secret', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['{not json', /is not valid JSON/],
      [[], /expected a JSON object/],
      [{ principals: {} }, /"principals" must be an array/],
      [{ principals: [], extra: 1 }, /unknown top-level field\(s\) 'extra'/],
      [
        { principals: [{ name: 'a', accessKeyId: 'AKIAAPPAPPAPPAPP0001', secretKey: SECRET_B, role: 'admin' }] },
        /principals\[0\]: unknown field\(s\) 'secretKey'/,
      ],
      [
        { principals: [{ name: 'a', accessKeyId: 'AKIAAPPAPPAPPAPP0001', secretAccessKey: SECRET_B, role: 'root' }] },
        /principals\[0\] \('a'\): role must be one of admin, key-user, auditor/,
      ],
      [
        { principals: [{ name: 'a', accessKeyId: 'AKIAAPPAPPAPPAPP0001', secretAccessKey: 'short', role: 'admin' }] },
        /secretAccessKey must be 16 to 128/,
      ],
      [
        {
          principals: [{ name: 'a b', accessKeyId: 'AKIAAPPAPPAPPAPP0001', secretAccessKey: SECRET_B, role: 'admin' }],
        },
        /principals\[0\]\.name must be/,
      ],
      [{ principals: [{ name: 'a', secretAccessKey: SECRET_B, role: 'admin' }] }, /accessKeyId is required/],
      [
        {
          principals: [
            { name: 'a', accessKeyId: 'AKIAAPPAPPAPPAPP0001', secretAccessKey: SECRET_B, role: 'admin' },
            { name: 'b', accessKeyId: 'AKIAAPPAPPAPPAPP0001', secretAccessKey: SECRET_B, role: 'auditor' },
          ],
        },
        /more than one principal/,
      ],
      [
        {
          principals: [
            { name: 'admin', accessKeyId: 'AKIAAPPAPPAPPAPP0001', secretAccessKey: SECRET_B, role: 'admin' },
          ],
        },
        /reserved/,
      ],
    ];
    for (const [content, message] of cases) {
      const file = write(content);
      let error: unknown;
      try {
        loadPrincipals({ dataDir: dir, env: env(file) });
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(content)).toBeInstanceOf(PrincipalConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(SECRET_B);
    }
  });

  it('parsePrincipalsFile accepts a valid document on its own', () => {
    expect(parsePrincipalsFile({ principals: [] })).toEqual([]);
  });

  describe('an identity policy in place of a role, or beside it', () => {
    const ENCRYPT_ONLY = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }],
    };
    const entry = (extra: object) => ({
      name: 'p',
      accessKeyId: 'AKIAPOLICYPOLICY0001',
      secretAccessKey: SECRET_B,
      ...extra,
    });

    it('a policy alone: no role, the policy kept as JSON text', () => {
      const [p] = parsePrincipalsFile({ principals: [entry({ policy: ENCRYPT_ONLY })] });
      expect(p).toEqual({ ...entry({}), role: null, policy: JSON.stringify(ENCRYPT_ONLY) });
    });

    it('a policy beside a role, given as text: both kept, the text unchanged', () => {
      const text = JSON.stringify(ENCRYPT_ONLY, null, 2);
      const [p] = parsePrincipalsFile({ principals: [entry({ role: 'auditor', policy: text })] });
      expect([p.role, p.policy]).toEqual(['auditor', text]);
    });

    it('neither a role nor a policy, a bad role, or a policy that is not an identity policy: refused', () => {
      const refused = (extra: object) => () => parsePrincipalsFile({ principals: [entry(extra)] });
      expect(refused({})).toThrow(/role must be one of admin, key-user, auditor/);
      expect(refused({ role: 'root', policy: ENCRYPT_ONLY })).toThrow(/role must be one of/);
      const withPrincipal = { Statement: [{ ...ENCRYPT_ONLY.Statement[0], Principal: '*' }] };
      expect(refused({ policy: withPrincipal })).toThrow(
        /policy is not valid: Policy document should not specify a principal/,
      );
      expect(refused({ policy: '{"Statement":' })).toThrow(/policy is not valid/);
      expect(refused({ policy: 42 })).toThrow(/policy must be an IAM identity policy/);
      expect(refused({ policy: null })).toThrow(/policy must be an IAM identity policy/);
    });
  });
});

describe('ledger API access', () => {
  it('opens the ledger API to admins and auditors', () => {
    expect([authorizeLedgerApi('admin'), authorizeLedgerApi('auditor'), authorizeLedgerApi('key-user')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});

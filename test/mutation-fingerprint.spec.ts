import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// scripts/mutation-fingerprint.mjs run in a scratch project laid out like this one: a harness config, a mutated source
// file and its spec, a spec helper under testing/, an unmutated library's source, and node_modules with versions.
const script = resolve('scripts/mutation-fingerprint.mjs');
const SIDECAR = 'test/mutation/stryker-incremental.fingerprint.json';
let project: string;

function put(path: string, text: string) {
  mkdirSync(dirname(join(project, path)), { recursive: true });
  writeFileSync(join(project, path), text);
}
const installed = (name: string, version: string) =>
  put(`node_modules/${name}/package.json`, JSON.stringify({ name, version }));
function fingerprint(command: 'check' | 'write' | 'invalidate') {
  const run = spawnSync(process.execPath, [script, command], { cwd: project, encoding: 'utf8' });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'mutation-fingerprint-'));
  put('stryker.config.mjs', 'export default {};\n');
  put('libs/ledger/src/key/rule.ts', "import fc from 'fast-check';\nexport const rule = (x: number) => x > 1;\n");
  put('libs/ledger/src/key/rule.spec.ts', "import { it } from 'vitest';\nit('rule', () => {});\n");
  put('libs/ledger/src/testing/fixtures.ts', 'export const fixture = 1;\n');
  put('libs/event-store/src/store.ts', "import Database from 'better-sqlite3';\nexport const store = 1;\n");
  installed('fast-check', '4.11.0');
  installed('better-sqlite3', '12.6.2');
  installed('vitest', '4.1.12');
  installed('@stryker-mutator/core', '9.6.1');
  mkdirSync(join(project, 'test/mutation'), { recursive: true });
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

describe('mutation-fingerprint.mjs', () => {
  it('refuses to check without a recorded fingerprint and says how to write one', () => {
    const { status, err } = fingerprint('check');

    expect(status).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain(`${SIDECAR} is missing: run \`npm run test:mutation:force\``);
  });

  it('records the harness, the spec helpers, the unmutated sources and the imported packages, not the rest', () => {
    expect(fingerprint('write').status).toBe(0);

    const recorded = JSON.parse(readFileSync(join(project, SIDECAR), 'utf8'));
    expect(Object.keys(recorded.files)).toEqual([
      'stryker.config.mjs',
      'libs/ledger/src/testing/fixtures.ts',
      'libs/event-store/src/store.ts',
    ]);
    expect(recorded.packages).toMatchObject({ 'fast-check': '4.11.0', 'better-sqlite3': '12.6.2', vitest: '4.1.12' });
    expect(recorded.packages['@stryker-mutator/vitest-runner']).toBe('not installed');
    expect(fingerprint('check').status).toBe(0);
  });

  it('passes when only mutated sources and specs changed: Stryker sees those itself', () => {
    fingerprint('write');
    put('libs/ledger/src/key/rule.ts', 'export const rule = (x: number) => x >= 1;\n');
    put('libs/ledger/src/key/rule.spec.ts', "import { it } from 'vitest';\nit('rule, again', () => {});\n");

    expect(fingerprint('check')).toMatchObject({ status: 0, err: '' });
  });

  it('fails in one line naming each changed helper, harness file and package version', () => {
    fingerprint('write');
    put('libs/ledger/src/testing/fixtures.ts', 'export const fixture = 2;\n');
    put('stryker.config.mjs', 'export default { timeoutMS: 1 };\n');
    installed('fast-check', '4.12.0');

    const { status, err } = fingerprint('check');

    expect(status).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain(
      'The mutation baseline is stale: fast-check, libs/ledger/src/testing/fixtures.ts, stryker.config.mjs changed',
    );
    expect(err).toContain('run `npm run test:mutation:force` and commit test/mutation/');
  });

  it("ignores stryker.config.mjs's thresholds, workers and report paths, which change no verdict", () => {
    put('stryker.config.mjs', 'export default { timeoutMS: 10, thresholds: { break: 50 } };\n');
    fingerprint('write');
    put('stryker.config.mjs', 'export default { timeoutMS: 10, thresholds: { break: 94 }, concurrency: 2 };\n');
    expect(fingerprint('check')).toMatchObject({ status: 0, err: '' });

    put('stryker.config.mjs', 'export default { timeoutMS: 20, thresholds: { break: 94 } };\n');
    expect(fingerprint('check').err).toContain('stale: stryker.config.mjs changed');
  });

  it('fails when a spec helper appears, not when a package is first or last imported', () => {
    fingerprint('write');
    put('libs/crypto/src/wrap.ts', "import forge from 'node-forge';\nexport const wrap = forge;\n");
    expect(fingerprint('check').status).toBe(0);

    put('libs/crypto/src/testing/keys.ts', 'export const key = 1;\n');
    const { status, err } = fingerprint('check');

    expect(status).toBe(1);
    expect(err).toContain('stale: libs/crypto/src/testing/keys.ts changed');
  });

  describe('invalidate', () => {
    const BASELINE = 'test/mutation/stryker-incremental.json';
    const specs = {
      'libs/ledger/src/key/rule.spec.ts': "import { fixture } from '../testing/fixtures.js';\n",
      'libs/ledger/src/key/deep.spec.ts': "import { built } from '../testing/builder.js';\n",
      'libs/ledger/src/append/append.spec.ts': "import { SqliteEventStore } from '@keyledger/event-store';\n",
      'libs/ledger/src/key/plain.spec.ts': "import { rule } from './rule.js';\n",
    };
    const baselineSpecs = () => Object.keys(JSON.parse(readFileSync(join(project, BASELINE), 'utf8')).testFiles).sort();
    beforeEach(() => {
      for (const [path, text] of Object.entries(specs)) put(path, text);
      put('libs/ledger/src/testing/builder.ts', "import { fixture } from './fixtures.js';\nexport const built = 1;\n");
      const testFiles = Object.fromEntries(
        Object.entries(specs).map(([path, source]) => [path, { source, tests: [] }]),
      );
      put(BASELINE, JSON.stringify({ files: {}, testFiles }));
      fingerprint('write');
    });

    it('drops the specs that load a changed helper, directly or through another helper, and no other', () => {
      put('libs/ledger/src/testing/fixtures.ts', 'export const fixture = 2;\n');
      expect(fingerprint('check').err).toContain('run `node scripts/mutation-fingerprint.mjs invalidate`, then');

      const { status, out } = fingerprint('invalidate');

      expect(status).toBe(0);
      expect(out).toContain(
        'dropped from the baseline: libs/ledger/src/key/deep.spec.ts, libs/ledger/src/key/rule.spec.ts',
      );
      expect(baselineSpecs()).toEqual(['libs/ledger/src/append/append.spec.ts', 'libs/ledger/src/key/plain.spec.ts']);
      expect(fingerprint('check')).toMatchObject({ status: 0, err: '' });
    });

    it("drops the specs that load an unmutated library by its package name when that library's source changed", () => {
      put('libs/event-store/src/store.ts', "import Database from 'better-sqlite3';\nexport const store = 2;\n");

      expect(fingerprint('invalidate').status).toBe(0);

      expect(baselineSpecs()).toEqual([
        'libs/ledger/src/key/deep.spec.ts',
        'libs/ledger/src/key/plain.spec.ts',
        'libs/ledger/src/key/rule.spec.ts',
      ]);
    });

    it('refuses, changing nothing, when a package or the harness changed: only a forced run answers that', () => {
      put('libs/ledger/src/testing/fixtures.ts', 'export const fixture = 2;\n');
      installed('fast-check', '4.12.0');
      const before = readFileSync(join(project, BASELINE), 'utf8');

      const { status, err } = fingerprint('invalidate');

      expect(status).toBe(1);
      expect(err).toContain('fast-check changed: run `npm run test:mutation:force`');
      expect(readFileSync(join(project, BASELINE), 'utf8')).toBe(before);
      expect(fingerprint('check').err).toContain('run `npm run test:mutation:force`');
    });
  });
});

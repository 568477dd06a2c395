import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// scripts/merge-incremental.mjs run in a scratch project holding one source file and one spec file; each test writes
// the incremental files of earlier runs, with modification times that say which run is newer.
const script = resolve('scripts/merge-incremental.mjs');
const SOURCE = 'libs/demo/src/a.ts';
const SPEC = 'libs/demo/src/a.spec.ts';
let project: string;

interface Mutant {
  id: string;
  status: string;
  killedBy?: string[];
  coveredBy?: string[];
}
interface Run {
  files: Record<string, { source: string; mutants: Mutant[] }>;
  testFiles: Record<string, { source: string; tests: { id: string; name: string }[] }>;
}

function run(name: string, minutesAgo: number, content: Run): string {
  const path = join(project, name);
  writeFileSync(path, JSON.stringify({ schemaVersion: '1.0', thresholds: { high: 80, low: 60 }, ...content }));
  const time = new Date(Date.now() - minutesAgo * 60_000);
  utimesSync(path, time, time);
  return name;
}
function merge(...inputs: string[]) {
  const result = spawnSync(process.execPath, [script, 'merged.json', ...inputs], { cwd: project, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return { out: result.stdout, merged: JSON.parse(readFileSync(join(project, 'merged.json'), 'utf8')) as Run };
}
const mutant = (id: string, status: string, killedBy: string[] = [], coveredBy = killedBy): Mutant => ({
  id,
  status,
  killedBy,
  coveredBy,
});
/** Each test of the kept spec file, by id → name, to read the merged references by name. */
const names = (merged: Run) =>
  new Map(Object.values(merged.testFiles).flatMap(({ tests }) => tests.map((t) => [t.id, t.name] as const)));

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'merge-incremental-'));
  mkdirSync(join(project, 'libs/demo/src'), { recursive: true });
  writeFileSync(join(project, SOURCE), 'source now');
  writeFileSync(join(project, SPEC), 'spec now');
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

describe('merge-incremental.mjs', () => {
  it('keeps the newest run of each file, by modification time, whatever the order on the command line', () => {
    const older = run('older.json', 10, {
      files: {
        [SOURCE]: { source: 'source before', mutants: [mutant('1', 'Survived')] },
        'libs/demo/src/b.ts': { source: 'b', mutants: [mutant('2', 'Killed', ['7'])] },
      },
      testFiles: { [SPEC]: { source: 'spec now', tests: [{ id: '7', name: 'b works' }] } },
    });
    const newer = run('newer.json', 1, {
      files: { [SOURCE]: { source: 'source after', mutants: [mutant('1', 'Killed', ['0'])] } },
      testFiles: { [SPEC]: { source: 'spec now', tests: [{ id: '0', name: 'a works' }] } },
    });

    const { merged, out } = merge(newer, older);

    expect(merged.files[SOURCE]!.source).toBe('source after');
    expect(merged.files[SOURCE]!.mutants.map((m) => m.status)).toEqual(['Killed']);
    expect(merged.files['libs/demo/src/b.ts']!.mutants.map((m) => m.status)).toEqual(['Killed']);
    expect(out).toContain('2 source files, 2 mutants, 1 spec files, 1 tests, from 2 runs');
  });

  it('prefers an entry that is the file on disk now over a newer one that is not', () => {
    const matching = run('matching.json', 10, {
      files: { [SOURCE]: { source: 'source now', mutants: [mutant('1', 'Killed')] } },
      testFiles: { [SPEC]: { source: 'spec now', tests: [] } },
    });
    const stale = run('stale.json', 1, {
      files: { [SOURCE]: { source: 'source carried over', mutants: [mutant('1', 'Survived')] } },
      testFiles: { [SPEC]: { source: 'spec carried over', tests: [] } },
    });

    const { merged } = merge(matching, stale);

    expect(merged.files[SOURCE]!.source).toBe('source now');
    expect(merged.testFiles[SPEC]!.source).toBe('spec now');
  });

  it('prefers the run that tested a file over a newer narrowed run that only carried it over', () => {
    const tested = run('tested.json', 10, {
      files: { [SOURCE]: { source: 'source now', mutants: [mutant('4', 'Killed')] } },
      testFiles: {},
    });
    // Stryker ids a mutant it carried over, out of a narrowed run's --mutate, by its key instead of a number
    const carried = run('carried.json', 1, {
      files: {
        [SOURCE]: { source: 'source now', mutants: [mutant(`${SOURCE}@1:0-1:6\nBlockStatement: {}`, 'NoCoverage')] },
      },
      testFiles: {},
    });

    const { merged } = merge(tested, carried);

    expect(merged.files[SOURCE]!.mutants.map((m) => m.status)).toEqual(['Killed']);
  });

  it('gives each test one new id and maps the kills of every run to it by spec file and name', () => {
    const first = run('first.json', 10, {
      files: { [SOURCE]: { source: 'source now', mutants: [mutant('0', 'Killed', ['5'])] } },
      testFiles: { [SPEC]: { source: 'spec now', tests: [{ id: '5', name: 'refuses zero' }] } },
    });
    const second = run('second.json', 1, {
      files: { 'libs/demo/src/b.ts': { source: 'b', mutants: [mutant('0', 'Killed', ['0'], ['0', '1'])] } },
      testFiles: {
        [SPEC]: {
          source: 'spec now',
          tests: [
            { id: '0', name: 'accepts one' },
            { id: '1', name: 'refuses zero' },
          ],
        },
      },
    });

    const { merged } = merge(first, second);

    const byId = names(merged);
    expect(byId.size).toBe(2);
    const [a] = merged.files[SOURCE]!.mutants;
    const [b] = merged.files['libs/demo/src/b.ts']!.mutants;
    expect(a!.killedBy!.map((id) => byId.get(id))).toEqual(['refuses zero']);
    expect(b!.killedBy!.map((id) => byId.get(id))).toEqual(['accepts one']);
    expect(b!.coveredBy!.map((id) => byId.get(id))).toEqual(['accepts one', 'refuses zero']);
    expect(a!.id).not.toBe(b!.id);
  });

  it("drops a kill by a test whose spec file the mutant's run saw with other contents, so Stryker tests it again", () => {
    const before = run('before.json', 10, {
      files: { [SOURCE]: { source: 'source now', mutants: [mutant('0', 'Killed', ['0'])] } },
      testFiles: { [SPEC]: { source: 'spec before', tests: [{ id: '0', name: 'refuses zero' }] } },
    });
    const after = run('after.json', 1, {
      files: {},
      testFiles: { [SPEC]: { source: 'spec now', tests: [{ id: '0', name: 'refuses zero' }] } },
    });

    const { merged } = merge(before, after);

    expect(merged.files[SOURCE]!.mutants[0]!.killedBy).toEqual([]);
    expect(merged.files[SOURCE]!.mutants[0]!.coveredBy).toEqual([]);
  });
});

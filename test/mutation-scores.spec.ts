import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// scripts/mutation-scores.mjs run in a scratch project: libs/demo/src holds two source files, a file of types only,
// a spec and a barrel; the reports are written by each test.
const script = resolve('scripts/mutation-scores.mjs');
let project: string;

const mutants = (...statuses: string[]) => ({ mutants: statuses.map((status) => ({ status })) });
function report(name: string, files: Record<string, ReturnType<typeof mutants>>): string {
  writeFileSync(join(project, name), JSON.stringify({ files, projectRoot: project }));
  return name;
}
function scores(...args: string[]) {
  const run = spawnSync(process.execPath, [script, ...args], { cwd: project, encoding: 'utf8' });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'mutation-scores-'));
  const src = join(project, 'libs/demo/src');
  mkdirSync(join(src, 'sub'), { recursive: true });
  writeFileSync(join(src, 'a.ts'), 'export const a = (x: number) => x > 1;\n');
  writeFileSync(join(src, 'sub/b.ts'), 'export function b(): string { return "b"; }\n');
  writeFileSync(join(src, 'types.ts'), 'export interface T { x: number }\nexport type U = T;\n');
  writeFileSync(join(src, 'a.spec.ts'), 'export const spec = 1;\n');
  writeFileSync(join(src, 'index.ts'), "export * from './a';\n");
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

describe('mutation-scores.mjs', () => {
  it('merges several reports by file, the later entry replacing the earlier, and sums the library', () => {
    const first = report('first.json', {
      'libs/demo/src/a.ts': mutants('Killed', 'Survived', 'NoCoverage'),
      'libs/demo/src/sub/b.ts': mutants('Killed', 'Timeout', 'Survived', 'Ignored'),
    });
    const second = report('second.json', { [join(project, 'libs/demo/src/a.ts')]: mutants('Killed', 'Killed') });

    const { status, out } = scores(first, second, 'demo=66');

    // a: 2 killed (the second report's); b: 1 killed, 1 timeout, 1 survived → 4 of 5
    expect(out).toContain('demo      80.0%  killed 3 timeout 1 survived 1 no-coverage 0 (floor 66%)');
    expect(status).toBe(0);
  });

  it('fails a complete library below its floor, and passes it at the floor', () => {
    const only = report('only.json', {
      'libs/demo/src/a.ts': mutants('Killed', 'Survived'),
      'libs/demo/src/sub/b.ts': mutants('Killed', 'NoCoverage'),
    });

    const below = scores(only, 'demo=51');
    expect(below.out).toContain('demo      50.0%  killed 2 timeout 0 survived 1 no-coverage 1  BELOW ITS FLOOR OF 51%');
    expect(below.status).toBe(1);
    expect(scores(only, 'demo=50').status).toBe(0);
  });

  it('does not judge a library while one of its source files is missing, and names the file', () => {
    const partial = report('partial.json', { 'libs/demo/src/a.ts': mutants('Survived') });

    const { status, out } = scores(partial, 'demo=90');

    expect(out).toContain('demo       0.0%  killed 0 timeout 0 survived 1 no-coverage 0  not judged: 1 of its 2');
    expect(out).toContain('\n    libs/demo/src/sub/b.ts\n');
    expect(out).not.toMatch(/types\.ts|a\.spec\.ts|index\.ts/);
    expect(status).toBe(0);
  });

  it('leaves out a reported file that is no longer a source file', () => {
    const old = report('old.json', {
      'libs/demo/src/a.ts': mutants('Killed'),
      'libs/demo/src/sub/b.ts': mutants('Killed'),
      'libs/demo/src/renamed.ts': mutants('Survived', 'Survived'),
    });

    const { status, out } = scores(old, 'demo=100');

    expect(out).toContain('libs/demo/src/renamed.ts: not a source file any more, left out');
    expect(out).toContain('demo     100.0%  killed 2 timeout 0 survived 0 no-coverage 0 (floor 100%)');
    expect(status).toBe(0);
  });
});

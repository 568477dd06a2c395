import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export function build(): void {
  execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
}

export interface ServerProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the URL once the server logged that it listens; rejects if it exits first. */
  listening: Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves with the first match of `pattern` in standard output, as soon as it is written. */
  printed(pattern: RegExp): Promise<RegExpExecArray>;
}

/** The built server in its own process, as `npm start` runs it, with only `env` (and PATH) set. */
export function spawnServer(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['apps/keyledger/dist/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const listening = new Promise<string>((resolveUrl, reject) => {
    const look = () => {
      const match = /listening on (https?:\/\/[^\s"]+)/.exec(out);
      if (match) resolveUrl(match[1]!);
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      look();
      for (const watch of watchers) watch();
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${out}${err}`)));
  });
  listening.catch(() => undefined);
  const printed = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolveMatch, reject) => {
      const watch = () => {
        const match = pattern.exec(out);
        if (!match) return;
        watchers.delete(watch);
        resolveMatch(match);
      };
      watchers.add(watch);
      watch();
      void exited.then((code) =>
        reject(new Error(`server exited with ${code} before printing ${pattern}: ${out}${err}`)),
      );
    });
  return { child, stdout: () => out, stderr: () => err, listening, exited, printed };
}

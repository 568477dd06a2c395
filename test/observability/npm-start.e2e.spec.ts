import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './server-process.js';

describe('npm start (issue 17 point 7)', () => {
  it('runs the server as its direct child: SIGTERM to npm stops the server, which says so; nothing is orphaned', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keyledger-npm-start-'));
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', KEYLEDGER_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
          if (match) resolve(match[1]!);
        };
        npm.stdout!.on('data', onData);
        npm.stderr!.on('data', onData);
        npm.once('exit', (code) => reject(new Error(`npm exited with ${code}: ${output}`)));
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      npm.kill('SIGTERM');
      await once(npm, 'exit');
      expect(output).toContain('"msg":"stopped"');
      // An orphaned server would still answer here.
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});

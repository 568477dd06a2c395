import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartupGate } from '../../apps/keyledger/src/http/startup-gate.js';
import { startKeyledger, type Harness } from '../support/keyledger-harness.js';
import { ROOT } from './server-process.js';

/** The script of the image's HEALTHCHECK (`CMD node -e "…"`), as Docker runs it. */
function dockerfileProbe(): string {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  return /^HEALTHCHECK [^\n]*\\\n\s*CMD node -e "(.+)"$/m.exec(dockerfile)![1]!;
}

/** The script of the compose file's keyledger health check: a folded (`>-`) block, its lines joined by spaces. */
function composeProbe(): string {
  const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  const service = compose.slice(compose.indexOf('\n  keyledger:'));
  const block = /- -e\n\s+- >-\n((?:\s{10}.+\n)+)/.exec(service)![1]!;
  return block
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}

function probe(script: string, port: number): Promise<number> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['-e', script], { env: { PORT: String(port) } });
    child.once('exit', (code) => resolve(code ?? -1));
  });
}

describe('the image and compose health checks ask readiness (issue 17)', () => {
  let ready: Harness;
  let starting: Server;
  beforeAll(async () => {
    ready = await startKeyledger();
    // The answers of a server still replaying its ledger: live, not ready.
    starting = createServer(new StartupGate().hold(() => undefined));
    await new Promise<void>((resolve) => starting.listen(0, '127.0.0.1', resolve));
  }, 60_000);
  afterAll(async () => {
    await ready?.close();
    await new Promise((resolve) => starting.close(resolve));
  });

  for (const [name, script] of [
    ['Dockerfile HEALTHCHECK', dockerfileProbe],
    ['docker-compose.yml healthcheck', composeProbe],
  ] as const) {
    it(`${name}: healthy on a ready server, unhealthy on one still catching up`, async () => {
      expect(script()).toContain("path:'/readyz'");
      expect(await probe(script(), Number(new URL(ready.url).port))).toBe(0);
      expect(await probe(script(), (starting.address() as AddressInfo).port)).toBe(1);
    }, 30_000);
  }
});

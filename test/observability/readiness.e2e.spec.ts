import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startKeyledger, type Harness } from '../support/keyledger-harness.js';
import { makeReadOnly, smallFileSystem } from './filesystem-conditions.js';

interface ReadyBody {
  status: string;
  __type?: string;
  message?: string;
  checks: Record<string, { ok: boolean; reason?: string }>;
}

async function readyz(h: Harness): Promise<{ status: number; body: ReadyBody }> {
  const res = await fetch(`${h.url}/readyz`);
  return { status: res.status, body: (await res.json()) as ReadyBody };
}

/** Readiness is evaluated at most once a second of the server's clock: the test moves it past that. */
const nextProbe = (h: Harness) => h.clock.advance(1_001);

/** Fills a file system until it refuses another byte. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(1024 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

describe('/readyz: ready means the store answers and takes writes (issue 17 point 1, issue 11 point 18)', () => {
  let h: Harness | undefined;
  /** Undone before the server stops (it writes its view snapshot then); removed after. */
  let restore: (() => void) | undefined;
  let remove: (() => void) | undefined;
  afterEach(async () => {
    restore?.();
    restore = undefined;
    await h?.close();
    h = undefined;
    remove?.();
    remove = undefined;
  });

  it('answers 200 ready on a healthy embedded store, with each check named; /healthz stays 200', async () => {
    h = await startKeyledger();
    const ready = await readyz(h);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      checks: { store: { ok: true }, dataDir: { ok: true }, view: { ok: true }, checkpoints: { ok: true } },
    });
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('a data directory that refuses writes is not ready, says why in the AWS shape, and is ready again after', async (ctx) => {
    h = await startKeyledger();
    const undo = makeReadOnly(h.dataDir);
    if (!undo) return ctx.skip('this machine cannot make a directory read-only for root (no chattr)');
    restore = undo;
    const down = await readyz(h);
    expect(down.status).toBe(503);
    expect(down.body.__type).toBe('ServiceUnavailableException');
    expect(down.body.status).toBe('not ready');
    expect(down.body.checks.dataDir).toEqual({
      ok: false,
      reason: expect.stringMatching(new RegExp(`^the data directory ${h.dataDir} cannot be written \\(E[A-Z]+\\)$`)),
    });
    expect(down.body.message).toContain('dataDir: the data directory');
    // Liveness is not readiness: the process is alive and says so cheaply.
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);

    undo();
    restore = undefined;
    nextProbe(h);
    expect((await readyz(h)).status).toBe(200);
  });

  it('a full disk is not ready, a write on it gets an answer, and freeing space makes it ready again', async (ctx) => {
    const fs = smallFileSystem(24);
    if (!fs) return ctx.skip('needs to mount a small tmpfs, which only root with CAP_SYS_ADMIN can');
    remove = fs.remove;
    h = await startKeyledger({ dataDir: join(fs.dir, 'data') });
    expect((await readyz(h)).status).toBe(200);
    await h.kms.send(new CreateKeyCommand({ Description: 'before the disk filled' }));

    const filler = join(fs.dir, 'filler');
    fill(filler);
    nextProbe(h);
    const full = await readyz(h);
    expect(full.status).toBe(503);
    expect(full.body.checks.dataDir?.ok).toBe(false);
    expect(full.body.checks.dataDir?.reason).toMatch(/cannot be written \(ENOSPC\)|the disk is full/);
    // The write fails with an answer, not a hang, and nothing half-made is served as ready.
    const refused = await h.kms.send(new CreateKeyCommand({ Description: 'on a full disk' })).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);

    rmSync(filler);
    nextProbe(h);
    const afterFreeing = await readyz(h);
    expect(afterFreeing.body.checks.dataDir).toEqual({ ok: true });
    await h.kms.send(new CreateKeyCommand({ Description: 'after freeing space' }));
    nextProbe(h);
    expect((await readyz(h)).status).toBe(200);
  });
});

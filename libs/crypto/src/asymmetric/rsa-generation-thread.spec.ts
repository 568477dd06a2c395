import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { RsaGenerationThread } from './rsa-generation-thread.js';

/** The nice value of every thread of this process (Linux: field 19 of /proc/<pid>/task/<tid>/stat). */
const threadNiceValues = (): number[] =>
  readdirSync('/proc/self/task').map((tid) => {
    const afterName = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(afterName[16]);
  });

/** Ports that hold the process open: a generation thread counts while it has something to answer. */
const heldPorts = (): number => process.getActiveResourcesInfo().filter((name) => name === 'MessagePort').length;

describe('RsaGenerationThread', () => {
  const threads: RsaGenerationThread[] = [];
  const thread = (priority?: number) => {
    const made = new RsaGenerationThread(priority);
    threads.push(made);
    return made;
  };
  afterEach(async () => {
    await Promise.all(threads.splice(0).map((made) => made.stop()));
  });

  it('makes an RSA key pair of the size asked, public key matching the private one, exponent 65537', async () => {
    const pairs = await Promise.all([thread().generate(2048), thread().generate(3072)]);
    for (const [pair, bits] of [
      [pairs[0]!, 2048],
      [pairs[1]!, 3072],
    ] as const) {
      const privateKey = createPrivateKey({ key: pair.privateKeyDer, format: 'der', type: 'pkcs8' });
      expect(privateKey.asymmetricKeyDetails).toMatchObject({ modulusLength: bits, publicExponent: 65537n });
      expect(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).toEqual(pair.publicKeyDer);
    }
  });

  it('answers each of several queued requests with a key of its own', async () => {
    const shared = thread();
    const pairs = await Promise.all([shared.generate(2048), shared.generate(2048), shared.generate(2048)]);
    expect(new Set(pairs.map((pair) => pair.publicKeyDer.toString('hex'))).size).toBe(3);
  });

  it.runIf(process.platform === 'linux')('runs at its own priority on its own thread (Linux only)', async () => {
    const niceBefore = threadNiceValues();
    expect(niceBefore).not.toContain(13);
    await thread(13).generate(2048);
    const niceAfter = threadNiceValues();
    expect(niceAfter.filter((nice) => nice === 13)).toHaveLength(1);
    // The calling thread keeps its own.
    expect(niceAfter).toContain(niceBefore[0]);
  });

  it('refuses a size it cannot make, and keeps working', async () => {
    const shared = thread();
    await expect(shared.generate(100)).rejects.toThrow(/^RSA key generation failed: /);
    const pair = await shared.generate(2048);
    expect(createPrivateKey({ key: pair.privateKeyDer, format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('rsa');
  });

  it.runIf(process.platform === 'linux')(
    'uses one thread for every generation, and none once stopped (Linux only: reads /proc)',
    async () => {
      const shared = thread(14);
      await shared.generate(2048);
      await shared.generate(2048);
      expect(threadNiceValues().filter((nice) => nice === 14)).toHaveLength(1);
      await shared.stop();
      expect(threadNiceValues()).not.toContain(14);
    },
  );

  it('holds the process open while it has a generation to answer, and not while idle', async () => {
    const shared = thread();
    const idle = heldPorts();
    const first = shared.generate(2048);
    const second = shared.generate(2048);
    expect(heldPorts()).toBe(idle + 1);
    await first;
    expect(heldPorts()).toBe(idle + 1);
    await second;
    expect(heldPorts()).toBe(idle);
  });

  it('may be stopped before it ever started', async () => {
    await expect(thread().stop()).resolves.toBeUndefined();
  });

  it('when its thread dies, refuses what was pending with the exit code, and starts a new one when asked', async () => {
    const shared = thread();
    const pending = shared.generate(2048);
    const refused = expect(pending).rejects.toThrow(/^the RSA key generation thread exited \(\d\)$/);
    // The private thread, ended from outside as a crash would end it.
    await (shared as unknown as { worker: Worker }).worker.terminate();
    await refused;
    expect((await shared.generate(2048)).publicKeyDer.length).toBeGreaterThan(256);
  });

  it('answers a generation asked while it stops from a new thread: the old one ending refuses nothing', async () => {
    const shared = thread();
    await shared.generate(2048);
    const stopping = shared.stop();
    const next = shared.generate(2048);
    await stopping;
    expect((await next).publicKeyDer.length).toBeGreaterThan(256);
  });

  it('refuses what is pending when stopped, and starts again when asked', async () => {
    const shared = thread();
    // The refusal is awaited from before the stop: stop rejects at once, and a rejection nothing is
    // waiting for yet is an unhandled one.
    const refused = expect(shared.generate(4096)).rejects.toThrow('the RSA key generation thread was stopped');
    await shared.stop();
    await refused;
    expect((await shared.generate(2048)).publicKeyDer.length).toBeGreaterThan(256);
  });
});

import { constants } from 'node:os';
import { Worker } from 'node:worker_threads';

/** What the thread runs (CommonJS, evaluated): one generation at a time, each on this thread alone. */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { generateKeyPairSync } = require('node:crypto');
// Where the priority cannot be lowered the thread still works, at the process's priority.
try { require('node:os').setPriority(workerData.priority); } catch {}
parentPort.on('message', ({ id, modulusLength }) => {
  try {
    const pair = generateKeyPairSync('rsa', {
      modulusLength,
      publicExponent: 0x10001,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    });
    parentPort.postMessage({ id, publicKeyDer: pair.publicKey, privateKeyDer: pair.privateKey });
    pair.privateKey.fill(0);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message) });
  }
});
`;

interface Pending {
  resolve(pair: { publicKeyDer: Buffer; privateKeyDer: Buffer }): void;
  reject(error: Error): void;
}

type Answer = { id: number; error: string } | { id: number; publicKeyDer: Uint8Array; privateKeyDer: Uint8Array };

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * RSA key generation on one thread of its own, at a lower scheduling priority, one key at a time.
 * On libuv's thread pool (generateKeyPair) each concurrent RSA-4096 CreateKey took a core for a
 * second or more, so two of them on two cores took the CPU the event loop needed, and every other
 * request waited (issue 14: Decrypt p99 2.2x beside them). Here the generations queue behind each
 * other, and the scheduler runs the event loop first whenever both want a core; on an idle core the
 * generation runs at full speed. Linux gives each thread its own priority; elsewhere the call may
 * change the process's, or nothing (see SOURCE).
 */
export class RsaGenerationThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(private readonly priority: number = constants.priority.PRIORITY_BELOW_NORMAL) {}

  generate(modulusLength: number): Promise<{ publicKeyDer: Buffer; privateKeyDer: Buffer }> {
    const worker = this.started();
    // Stryker disable next-line UpdateOperator: the ids only have to differ from each other
    const id = this.nextId++;
    // Held by what it still has to answer, as a pending thread-pool job would hold the process (ref() of a thread
    // already held changes nothing, so no check of the pending count).
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, modulusLength });
    });
  }

  /** Ends the thread; what was asked and not answered is refused. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.fail(new Error('the RSA key generation thread was stopped'));
    if (!worker) return;
    worker.removeAllListeners('exit');
    await worker.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(SOURCE, { eval: true, workerData: { priority: this.priority } });
    worker.on('message', (answer: Answer) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      if ('error' in answer) waiting.reject(new Error(`RSA key generation failed: ${answer.error}`));
      else
        waiting.resolve({ publicKeyDer: asBuffer(answer.publicKeyDer), privateKeyDer: asBuffer(answer.privateKeyDer) });
    });
    const lost = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      this.fail(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the RSA key generation thread exited (${code})`)));
    // An idle thread must not keep the process alive. After the listeners: adding a 'message'
    // listener refs the thread's port again.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private fail(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

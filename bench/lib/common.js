// Shared helpers for the Keyledger benchmarks (not tests). Plain ESM over the built dist/.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT_DIR = dirname(BENCH_DIR);

/** The bootstrap admin every benchmark server runs with (loopback only, throwaway data dirs). */
export const ADMIN = { accessKeyId: 'AKIAKEYLEDGERBENCH01', secretAccessKey: 'bench-admin-secret-0123456789abcdef' };
export const REGION = 'us-east-1';
export const ACCOUNT_ID = '111122223333';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

export const round = (x, digits = 2) => (Number.isFinite(x) ? +x.toFixed(digits) : x);

/** A fresh root key for one bench run; the generator and every server of the run share it. */
export function newRootKeyBase64() {
  return randomBytes(32).toString('base64');
}

export function tempDir(prefix, base = tmpdir()) {
  return mkdtempSync(join(base, `keyledger-bench-${prefix}-`));
}

/** The env a server of this run is configured with (fed to loadConfig). */
export function serverEnv({ dataDir, rootKey, extra = {} }) {
  return {
    KEYLEDGER_DATA_DIR: dataDir,
    KEYLEDGER_ACCESS_KEY_ID: ADMIN.accessKeyId,
    KEYLEDGER_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
    KEYLEDGER_ROOT_KEY: rootKey,
    KEYLEDGER_REGION: REGION,
    KEYLEDGER_ACCOUNT_ID: ACCOUNT_ID,
    HOST: '127.0.0.1',
    PORT: '0',
    // Without the per-request access line: the bench's own terminal would print every request.
    // Figures with it on are a different row to add, not a silent change to these.
    KEYLEDGER_LOG_LEVEL: 'warn',
    ...extra,
  };
}

export function machine() {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    freeMemoryGiB: round(freemem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/**
 * Runs `script` in a child Node process and resolves with the first message it
 * sends whose `type` is 'result' (rejects on an 'error' message or an exit
 * without a result). `onMessage` sees every other message.
 */
export function runChild(script, { args = [], execArgv = [], env = {}, onMessage, timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(script, args, {
      execArgv,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`${script} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (message) => {
      if (message?.type === 'result' && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(message.value);
      } else if (message?.type === 'error' && !settled) {
        settled = true;
        clearTimeout(timer);
        reject(new Error(`${script}: ${message.message}`));
      } else onMessage?.(message, child);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        reject(new Error(`${script} exited (${code ?? signal}) without a result`));
      }
    });
  });
}

/** For child scripts: run main, post its value as the result, exit. */
export async function childMain(main) {
  try {
    const value = await main();
    process.send?.({ type: 'result', value });
    await new Promise((r) => setTimeout(r, 20));
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.send?.({
      type: 'error',
      message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    await new Promise((r) => setTimeout(r, 20));
    process.exit(1);
  }
}

/**
 * A long-lived child (a server): resolves with its handle once it reports
 * `{ type: 'ready', ... }`. `request(msg)` sends a message and waits for the
 * reply carrying the same `id`.
 */
/** Services started together and stopped together: `start` is startService, remembered for `stopAll`. */
export function serviceGroup() {
  const services = [];
  return {
    start: async (...args) => {
      const service = await startService(...args);
      services.push(service);
      return service;
    },
    stopAll: () => Promise.all(services.map((s) => s.stop())),
  };
}

export function startService(script, { args = [], execArgv = [], env = {}, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    const child = fork(script, args, {
      execArgv,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let nextId = 1;
    const waiting = new Map();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not become ready in ${timeoutMs} ms`));
    }, timeoutMs);
    const handle = {
      child,
      spawnedAt,
      info: undefined,
      request(message) {
        const id = nextId++;
        return new Promise((res, rej) => {
          waiting.set(id, { res, rej });
          child.send({ ...message, id });
        });
      },
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.send({ type: 'stop' });
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      },
    };
    child.on('message', (message) => {
      if (message?.type === 'ready') {
        clearTimeout(timer);
        handle.info = message;
        handle.readyAt = performance.now();
        resolve(handle);
      } else if (message?.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`${script}: ${message.message}`));
      } else if (message?.id !== undefined && waiting.has(message.id)) {
        const w = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.error) w.rej(new Error(message.error));
        else w.res(message.value);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      for (const w of waiting.values()) w.rej(new Error(`${script} exited (${code ?? signal})`));
      waiting.clear();
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready`));
    });
  });
}

/** Alternates `a` and `b` for `rounds` rounds (A B A B ...), collecting each side's values. */
export async function alternate(rounds, a, b) {
  const as = [];
  const bs = [];
  for (let r = 0; r < rounds; r++) {
    as.push(await a(r));
    bs.push(await b(r));
  }
  return { a: as, b: bs };
}

export function log(...args) {
  const t = new Date().toISOString().slice(11, 19);
  console.log(`[bench ${t}]`, ...args);
}

// A server under test in its own process, on 127.0.0.1 and an ephemeral port.
//   node server-child.js keyledger   → createKeyledgerServer(loadConfig(process.env)) + listen
//   node server-child.js floor       → a bare Fastify server: parse the same JSON, one AES-256-GCM op
// Reports `{ type: 'ready', port, timings }` over IPC; answers `{ type: 'rss' }` with
// memory after a forced GC (run with --expose-gc), `{ type: 'cpu' }` with process.cpuUsage()
// (CPU time, not wall time: the figure a shared machine distorts least) and
// `{ type: 'profile' }` (below); exits on `{ type: 'stop' }`.
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const t0 = performance.now();
const mode = process.argv[2];

// BENCH_PROFILE_STARTUP=<file>: a CPU profile of the start-up itself (import, create, listen until
// /healthz answers), started before the app is imported and written once it is ready.
const startupProfileFile = process.env.BENCH_PROFILE_STARTUP;
let startupSession;
if (startupProfileFile) {
  const { Session } = await import('node:inspector/promises');
  startupSession = new Session();
  startupSession.connect();
  await startupSession.post('Profiler.enable');
  await startupSession.post('Profiler.setSamplingInterval', { interval: 500 });
  await startupSession.post('Profiler.start');
}

async function startKeyledger() {
  await import('reflect-metadata');
  const { createKeyledgerServer, loadConfig } = await import('@keyledger/app');
  const imported = performance.now();
  const importedCpu = process.cpuUsage();
  const config = loadConfig(process.env);
  const app = await createKeyledgerServer({ config, logger: ['error'] });
  const created = performance.now();
  await app.listen(0, '127.0.0.1');
  const listening = performance.now();
  const port = app.getHttpServer().address().port;
  // Ready = /healthz answers 200, asked over the real socket.
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
  await res.text();
  const healthy = performance.now();
  const readyCpu = process.cpuUsage();
  if (startupSession) {
    const { profile: result } = await startupSession.post('Profiler.stop');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(startupProfileFile, JSON.stringify(result));
    startupSession.disconnect();
  }
  return {
    port,
    close: () => app.close(),
    timings: {
      importMs: imported - t0,
      createMs: created - imported,
      listenMs: listening - created,
      healthzMs: healthy - listening,
      // The cold-start figure: createKeyledgerServer + init/listen until /healthz is 200.
      createToReadyMs: healthy - imported,
      // CPU time (user + system, every thread of the process) over the same span: on a shared machine the
      // figure the other processes distort least.
      cpuCreateToReadyMs: (readyCpu.user + readyCpu.system - importedCpu.user - importedCpu.system) / 1000,
      // From the parent's fork() (BENCH_SPAWNED_AT, epoch ms) to ready: adds Node start-up and module loading.
      processToReadyMs: process.env.BENCH_SPAWNED_AT
        ? performance.timeOrigin + healthy - Number(process.env.BENCH_SPAWNED_AT)
        : undefined,
    },
  };
}

async function startFloor() {
  const { default: Fastify } = await import('fastify');
  const { randomBytes } = await import('node:crypto');
  // One AES-256 key in memory. The floor's ciphertext has Keyledger's layout and size
  // (94-byte header bound as AAD, IV at offset 82, ciphertext, 16-byte tag), so both
  // servers parse the same JSON of the same length; the floor derives no key and
  // replays no ledger: it is one AES-256-GCM operation.
  const key = Buffer.from(process.env.BENCH_FLOOR_KEY ?? '', 'base64');
  if (key.length !== 32) throw new Error('BENCH_FLOOR_KEY must be 32 bytes of base64');
  const { floorSeal: seal, floorOpen: open } = await import('./floor-cipher.js');
  const sealWith = (plaintext) => seal(key, plaintext);
  // The key family's floors: one ECDSA P-256 signature, one HMAC-SHA-256, keys in memory.
  const { createHmac, generateKeyPairSync, sign } = await import('node:crypto');
  const { privateKey: ecKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const macKey = randomBytes(32);
  const openWith = (blob) => open(key, blob);
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  // Same content type and the same JSON the KMS API gets, parsed once.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body));
    } catch (error) {
      done(error);
    }
  });
  const reply = (res, payload) =>
    res.header('content-type', 'application/x-amz-json-1.1').send(JSON.stringify(payload));
  app.post('/', async (request, res) => {
    const target = request.headers['x-amz-target'];
    const input = request.body;
    if (target === 'TrentService.Decrypt') {
      const plaintext = openWith(Buffer.from(input.CiphertextBlob, 'base64'));
      return reply(res, {
        Plaintext: plaintext.toString('base64'),
        KeyId: input.KeyId ?? 'floor',
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      });
    }
    if (target === 'TrentService.Encrypt') {
      const blob = sealWith(Buffer.from(input.Plaintext, 'base64'));
      return reply(res, {
        CiphertextBlob: blob.toString('base64'),
        KeyId: input.KeyId,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      });
    }
    if (target === 'TrentService.GenerateDataKey') {
      const plaintext = randomBytes(input.NumberOfBytes ?? (input.KeySpec === 'AES_128' ? 16 : 32));
      const blob = sealWith(plaintext);
      return reply(res, {
        CiphertextBlob: blob.toString('base64'),
        Plaintext: plaintext.toString('base64'),
        KeyId: input.KeyId,
      });
    }
    if (target === 'TrentService.Sign') {
      const signature = sign('sha256', Buffer.from(input.Message, 'base64'), { key: ecKey, dsaEncoding: 'der' });
      return reply(res, {
        KeyId: input.KeyId,
        Signature: signature.toString('base64'),
        SigningAlgorithm: input.SigningAlgorithm,
      });
    }
    if (target === 'TrentService.GenerateMac') {
      const mac = createHmac('sha256', macKey).update(Buffer.from(input.Message, 'base64')).digest();
      return reply(res, { KeyId: input.KeyId, Mac: mac.toString('base64'), MacAlgorithm: input.MacAlgorithm });
    }
    res.status(400);
    return reply(res, { __type: 'UnknownOperationException' });
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: app.server.address().port, close: () => app.close(), timings: {} };
}

function memory() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const m = process.memoryUsage();
  // Linux: where the resident pages are (anonymous = heap + malloc; file = mapped code/libs).
  let proc = {};
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    for (const name of ['RssAnon', 'RssFile', 'VmHWM']) {
      const match = new RegExp(`${name}:\\s+(\\d+) kB`).exec(status);
      if (match) proc[name] = Number(match[1]) * 1024;
    }
  } catch {
    proc = {};
  }
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]),
  );
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    gcForced: typeof globalThis.gc === 'function',
    ...proc,
    spaces,
  };
}

// A CPU profile of a window the parent chooses (the load, not the start-up):
// `{ type: 'profile', action: 'start', intervalUs? }`, then `{ type: 'profile', action: 'stop', file }`.
let inspector;
async function profile({ action, intervalUs = 200, file }) {
  if (!inspector) {
    const { Session } = await import('node:inspector/promises');
    inspector = new Session();
    inspector.connect();
    await inspector.post('Profiler.enable');
  }
  if (action === 'start') {
    await inspector.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await inspector.post('Profiler.start');
    return { started: true };
  }
  const { profile: result } = await inspector.post('Profiler.stop');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, JSON.stringify(result));
  return { file };
}

// The parent went away: go too, never linger as an orphan.
process.on('disconnect', () => process.exit(0));

try {
  const server = mode === 'floor' ? await startFloor() : await startKeyledger();
  process.on('message', async (message) => {
    if (message?.type === 'stop') {
      try {
        await server.close();
      } finally {
        process.exit(0);
      }
    }
    if (message?.type === 'rss') process.send({ id: message.id, value: memory() });
    if (message?.type === 'cpu') process.send({ id: message.id, value: process.cpuUsage() });
    if (message?.type === 'profile') process.send({ id: message.id, value: await profile(message) });
  });
  process.send({ type: 'ready', port: server.port, timings: server.timings });
} catch (error) {
  console.error(error);
  process.send?.({
    type: 'error',
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
  setTimeout(() => process.exit(1), 20);
}

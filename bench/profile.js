// Profiles the built server under load and prints where a request's time goes, stage by stage
// (bench/lib/profile-stages.js), with the server's CPU time per request measured over the same
// window. Not part of `npm run bench`; run `npm run build` first.
//
//   node bench/profile.js http Decrypt [seconds]          Keyledger and the bare-Fastify floor, 64 connections
//   node bench/profile.js lifecycle UpdateAlias [seconds]  one connection, each request waits for its commit
//
// Operations: http: Decrypt, Encrypt, GenerateDataKey; lifecycle: CreateKey, RotateKeyOnDemand, UpdateAlias.
// The .cpuprofile files (open them in Chrome DevTools) are written to a temporary directory, printed
// at the end. The profile covers the load window only, not the server's start-up or warm-up.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, newRootKeyBase64, serverEnv, serviceGroup, tempDir } from './lib/common.js';
import { floorSeal } from './lib/floor-cipher.js';
import { profileStages, stageTable } from './lib/profile-stages.js';
import { callKms, signKms } from './lib/sign.js';

const SERVER = join(BENCH_DIR, 'lib', 'server-child.js');
const LOADGEN = join(BENCH_DIR, 'lib', 'loadgen-child.js');
const [mode = 'http', operation = mode === 'http' ? 'Decrypt' : 'UpdateAlias', secondsArg = '8'] =
  process.argv.slice(2);
const seconds = Number(secondsArg);
const outDir = tempDir('profiles');

/** Requests for one server: one signed request per connection's list, replayed. */
async function kmsRequests(port) {
  const dataKey = randomBytes(32);
  if (mode === 'lifecycle') {
    const [a, b] = [
      (await callKms(port, 'CreateKey', {})).KeyMetadata.KeyId,
      (await callKms(port, 'CreateKey', {})).KeyMetadata.KeyId,
    ];
    if (operation === 'CreateKey') return [await signKms(port, 'CreateKey', { Description: 'profile' })];
    if (operation === 'RotateKeyOnDemand') return [await signKms(port, 'RotateKeyOnDemand', { KeyId: a })];
    await callKms(port, 'CreateAlias', { AliasName: 'alias/profile', TargetKeyId: a });
    return [
      await signKms(port, 'UpdateAlias', { AliasName: 'alias/profile', TargetKeyId: b }),
      await signKms(port, 'UpdateAlias', { AliasName: 'alias/profile', TargetKeyId: a }),
    ];
  }
  const keyId = (await callKms(port, 'CreateKey', {})).KeyMetadata.KeyId;
  const plaintext = dataKey.toString('base64');
  if (operation === 'Encrypt') return [await signKms(port, 'Encrypt', { KeyId: keyId, Plaintext: plaintext })];
  if (operation === 'GenerateDataKey')
    return [await signKms(port, 'GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' })];
  const blob = (await callKms(port, 'Encrypt', { KeyId: keyId, Plaintext: plaintext })).CiphertextBlob;
  return [await signKms(port, 'Decrypt', { CiphertextBlob: blob })];
}

async function floorRequests(port, floorKey) {
  const dataKey = randomBytes(32);
  if (operation === 'Encrypt')
    return [await signKms(port, 'Encrypt', { KeyId: 'floor', Plaintext: dataKey.toString('base64') })];
  if (operation === 'GenerateDataKey')
    return [await signKms(port, 'GenerateDataKey', { KeyId: 'floor', KeySpec: 'AES_256' })];
  return [await signKms(port, 'Decrypt', { CiphertextBlob: floorSeal(floorKey, dataKey).toString('base64') })];
}

async function profileOne(name, server, loadgen, requests) {
  const connections = mode === 'lifecycle' ? 1 : 64;
  const spec = (durationSec) => ({
    url: `http://127.0.0.1:${server.info.port}`,
    connections,
    durationSec,
    perClient: [requests],
  });
  // Warm-up: the JIT, connections, the first WAL growth.
  await loadgen.request({ type: 'run', spec: spec(Math.min(3, seconds)) });
  const file = join(outDir, `${name}-${operation}.cpuprofile`);
  const before = await server.request({ type: 'cpu' });
  await server.request({ type: 'profile', action: 'start' });
  const result = await loadgen.request({ type: 'run', spec: spec(seconds) });
  await server.request({ type: 'profile', action: 'stop', file });
  const after = await server.request({ type: 'cpu' });
  if (result.non2xx || result.errors) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const requestsDone = result.requestsTotal;
  const cpuUsPerRequest = (after.user + after.system - before.user - before.system) / requestsDone;
  const stages = profileStages(JSON.parse(readFileSync(file, 'utf8')));
  console.log(
    `\n${name}, ${operation}: ${Math.round(result.requestsPerSec)} req/s over ${seconds} s, ${connections} connection(s); ` +
      `server CPU ${cpuUsPerRequest.toFixed(0)} µs per request (user + system); busy samples ${(stages.busyUs / requestsDone).toFixed(0)} µs per request`,
  );
  for (const line of stageTable(stages, { requests: requestsDone, cpuUsPerRequest })) console.log(line);
  return file;
}

const { start, stopAll } = serviceGroup();
try {
  const keyledger = await start(SERVER, {
    args: ['keyledger'],
    env: serverEnv({
      dataDir: tempDir('profile'),
      rootKey: newRootKeyBase64(),
      extra: { KEYLEDGER_MAX_ON_DEMAND_ROTATIONS: '1000000' },
    }),
  });
  const loadgen = await start(LOADGEN);
  const files = [await profileOne('keyledger', keyledger, loadgen, await kmsRequests(keyledger.info.port))];
  if (mode === 'http') {
    const floorKey = randomBytes(32);
    const floor = await start(SERVER, { args: ['floor'], env: { BENCH_FLOOR_KEY: floorKey.toString('base64') } });
    files.push(await profileOne('floor', floor, loadgen, await floorRequests(floor.info.port, floorKey)));
  }
  console.log(`\nprofiles: ${files.join(', ')}`);
} finally {
  await stopAll();
}

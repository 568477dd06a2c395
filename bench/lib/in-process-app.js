// The server's own code path minus HTTP, for the in-process parts: a full Nest app from createKeyledgerServer and
// the KmsOperations table the controller calls after SigV4 and JSON parsing, with the request context it passes.
// Needs `npm run build` (the table is read from apps/keyledger/dist).
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createKeyledgerServer, loadConfig } from '@keyledger/app';
import { KmsOperations } from '../../apps/keyledger/dist/kms/kms-operations.js';
import { ACCOUNT_ID, ADMIN } from './common.js';

export const benchUser = (name) => `arn:aws:iam::${ACCOUNT_ID}:user/${name}`;

/**
 * Runs `fn({ app, config, table, context })` over a server built from the environment's config (loadConfig), and
 * closes it whatever happens. `listen: true` also serves HTTP on a loopback port (for parts that compare with
 * requests over the wire); otherwise the app is only initialised. `context(authorization?)` is a new request
 * context per call: the admin from 127.0.0.1 in the home region (what the edge resolves for the bench's signed
 * requests: keys and ciphertexts are looked up in it), with the edge's authorization when given.
 */
export async function withInProcessApp({ listen = false } = {}, fn) {
  const config = loadConfig(process.env);
  const app = await createKeyledgerServer({ config, logger: ['error'] });
  if (listen) await app.listen(0, '127.0.0.1');
  else await app.init();
  try {
    const table = app.get(KmsOperations).table;
    const context = (authorization) => ({
      region: config.region,
      actor: { principal: benchUser('admin'), accessKeyId: ADMIN.accessKeyId, sourceAddress: '127.0.0.1' },
      requestId: randomUUID(),
      ...(authorization === undefined ? {} : { authorization }),
    });
    return await fn({ app, config, table, context });
  } finally {
    await app.close();
  }
}

/**
 * Runs one op of each of `sides` per step, `count` steps, and returns each side's
 * mean ms per op. Odd steps run the sides in reverse (A B, B A, A B, …; with three,
 * A B C, C B A, …), so the first and last sides each go first half the time and
 * follow the same neighbours: neither always runs right after the other's fsync or
 * into the same GC. Each op is timed alone with performance.now(), summed per side.
 */
export async function interleaved(count, sides) {
  const names = Object.keys(sides);
  const reversed = [...names].reverse();
  const total = Object.fromEntries(names.map((n) => [n, 0]));
  for (let i = 0; i < count; i++) {
    for (const name of i % 2 === 0 ? names : reversed) {
      const t = performance.now();
      await sides[name]();
      total[name] += performance.now() - t;
    }
  }
  return Object.fromEntries(names.map((n) => [n, total[n] / count]));
}

// The load generator, in its own process so it does not share an event loop with
// the server under test. Long-lived: the parent sends `{ type: 'run', id, spec }`,
// gets `{ id, value }` back with the autocannon summary, and ends it with `stop`.
//
// spec: { url, connections, durationSec, warmupSec?, request?, perClient?, expectStatus? }
//   request:   one request ({ method, path, headers, body }) every connection replays;
//   perClient: an array of request lists; connection i replays perClient[i % length].
import autocannon from 'autocannon';

function run(spec) {
  return new Promise((resolve, reject) => {
    let clientIndex = 0;
    const expectStatus = spec.expectStatus ?? 200;
    let wrongStatus = 0;
    const opts = {
      url: spec.url,
      connections: spec.connections,
      pipelining: 1,
      duration: spec.durationSec,
      amount: spec.amount,
      timeout: 30,
      ...(spec.request ? spec.request : {}),
      ...(spec.perClient
        ? {
            setupClient(client) {
              const list = spec.perClient[clientIndex++ % spec.perClient.length];
              client.setRequests(list);
            },
          }
        : {}),
      ...(spec.warmupSec ? { warmup: { connections: spec.connections, duration: spec.warmupSec } } : {}),
    };
    const instance = autocannon(opts, (error, result) => {
      if (error) return reject(error);
      resolve({
        requestsPerSec: result.requests.total / result.duration,
        requestsPerSecMeanOfSeconds: result.requests.mean,
        requestsTotal: result.requests.total,
        durationSec: result.duration,
        latencyMs: {
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          mean: result.latency.mean,
        },
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        wrongStatus,
        connections: spec.connections,
      });
    });
    instance.on('response', (_client, statusCode) => {
      if (statusCode !== expectStatus) wrongStatus++;
    });
  });
}

process.on('message', async (message) => {
  if (message?.type === 'stop') process.exit(0);
  if (message?.type !== 'run') return;
  try {
    const value = await run(message.spec);
    process.send({ id: message.id, value });
  } catch (error) {
    process.send({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });

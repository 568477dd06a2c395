// Reads a V8 .cpuprofile and splits its busy samples into the stages of a request
// (issue 16 asks for µs per stage: routing, SigV4, parse, handler, serialise, ...).
// Each sample goes to the innermost frame on its stack that one of the rules below
// names, so a native leaf (the socket write, an OpenSSL call, SQLite's step) counts
// for the code that called it. Not a test: stage names are for reading.

/** [stage, test(functionName, url)], checked frame by frame from the leaf up; the first match wins. */
const RULES = [
  // The profiler's own stop (serialising the profile) and the bench's IPC: not the server's work.
  ['harness', (f, u) => u === 'node:inspector' || (f === 'profile' && /bench\/lib\/server-child\.js/.test(u))],
  // The kernel's share of a response (the floor pays it too). On a loaded machine the server is often
  // preempted here (the write wakes the load generator), so its share of wall-time samples overstates it.
  ['socket write (writev syscall)', (f, u) => f === 'writev' && u === ''],
  ['crypto: HKDF', (f) => f === 'hkdfSync' || f === 'deriveMessageKey'],
  ['crypto: AES-GCM, ciphertext', (f, u) => /node:internal\/crypto\/cipher|ciphertext-codec/.test(u)],
  [
    'SigV4 and authentication',
    (f, u) => /kms-api\/dist\/auth\/|edge\/edge-authenticator|edge\/authenticated-caller/.test(u),
  ],
  [
    'parse and validate input',
    (f, u) => /kms-api\/dist\/protocol\/(validation|blob|operations|request-dtos|shapes)/.test(u),
  ],
  ['serialise output', (f, u) => /kms-api\/dist\/protocol\/serialize/.test(u)],
  ['authorization', (f, u) => /keyledger\/dist\/authorization\/|ledger\/dist\/authorization\//.test(u)],
  ['usage recording', (f, u) => /keyledger\/dist\/usage\//.test(u)],
  ['metrics and access log', (f, u) => /keyledger\/dist\/observability\/request-observation|prom-client/.test(u)],
  ['load shedding, Date header', (f, u) => /keyledger\/dist\/(http\/load-shedding|server)\.js/.test(u)],
  ['commit (SQLite write, fsync)', (f) => f === 'SqliteEventStore.flush'],
  ['event bus (Nest CQRS, rxjs)', (f, u) => /@nestjs\/cqrs\/dist\/(event-bus|helpers\/default-pubsub)/.test(u)],
  ['subscription and view', (f, u) => /sqlite-subscription|read-models\/dist/.test(u)],
  ['hash chain (canonical JSON, SHA-256)', (f, u) => /ledger\/dist\/(integrity|append)\//.test(u)],
  ['event store (append queue, rows read back)', (f, u) => /event-store\/dist|observability\/bounded-store/.test(u)],
  [
    'handler (command, state, material)',
    (f, u) =>
      /keyledger\/dist\/(kms|keys|aliases|ledger|cryptography|regions)\/|libs\/(ledger|crypto|key-store)\/dist|@nestjs\/cqrs/.test(
        u,
      ),
  ],
  ['routing (find-my-way)', (f, u) => /find-my-way/.test(u)],
  ['Fastify (request, reply, hooks, body)', (f, u) => /node_modules\/(fastify|@fastify)\//.test(u)],
  ['floor handler', (f, u) => /bench\/lib\/(server-child|floor-cipher)\.js/.test(u)],
  [
    'Node HTTP, socket, streams',
    (f, u) => /^node:(_http|http|net|stream|internal\/streams|internal\/http|events)/.test(u),
  ],
];

export function profileStages(profile, rules = RULES) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const stageOf = (id) => {
    const leaf = byId.get(id).callFrame.functionName;
    if (leaf === '(garbage collector)') return 'GC';
    if (leaf === '(idle)') return 'idle';
    if (leaf === '(program)') return 'V8 (program)';
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const { functionName, url } = byId.get(cur).callFrame;
      for (const [stage, test] of rules) if (test(functionName, url)) return stage;
    }
    return 'other (promises, timers, IPC)';
  };
  const stages = new Map();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const stage = stageOf(id);
    stages.set(stage, (stages.get(stage) ?? 0) + us);
    if (stage !== 'idle' && stage !== 'harness') busyUs += us;
  }
  const shown = [...stages].filter(([s]) => s !== 'idle' && s !== 'harness');
  return { busyUs, stages: shown.sort((a, b) => b[1] - a[1]) };
}

/**
 * Lines of a table: each stage's share of the busy samples, and µs per request when the CPU time
 * per request is known (the shares applied to it: the profile samples wall time, which a loaded
 * machine stretches; the process's CPU time per request is the firmer figure).
 */
export function stageTable({ busyUs, stages }, { requests, cpuUsPerRequest }) {
  const lines = ['| stage | share of busy samples | µs per request |', '|---|---|---|'];
  for (const [stage, us] of stages) {
    const share = us / busyUs;
    const perRequest = cpuUsPerRequest !== undefined ? share * cpuUsPerRequest : us / requests;
    lines.push(`| ${stage} | ${(100 * share).toFixed(1)}% | ${perRequest.toFixed(1)} |`);
  }
  return lines;
}

/**
 * The stages of a server's start-up (bench/profile-startup.js), for the same innermost-first split: what a
 * first start (full replay of the log into the view) or a restart (view from its snapshot) spends.
 */
export const STARTUP_RULES = [
  ['harness', (f, u) => u === 'node:inspector' || /bench\/lib\/server-child\.js/.test(u)],
  [
    'snapshot write (pack, v8.serialize, HMAC, write, fsync)',
    (f, u) =>
      (/read-models\/dist\/projection-snapshot/.test(u) && /^(writeChunk|chunks|write)/.test(f)) ||
      (/read-models\/dist\/snapshot-tuples/.test(u) && /^pack/.test(f)) ||
      (/read-models\/dist\/|key-store\/dist\//.test(u) && f === 'contents'),
  ],
  [
    'snapshot read or rebuilt (MAC check, deserialize, unpack)',
    (f, u) => /read-models\/dist\/(projection-snapshot|snapshot-)/.test(u),
  ],
  ['read rows (SQLite)', (f, u) => /event-store\/dist\/sqlite\/sqlite-log-reads/.test(u)],
  ['rows to events (JSON.parse, BigInt, Date)', (f, u) => /event-store\/dist\/sqlite\/sqlite-rows/.test(u)],
  [
    'view restore (cache, index take the contents)',
    (f, u) => /key-store\/dist\/|read-models\/dist\//.test(u) && f === 'restore',
  ],
  [
    'fold per key (KeyStateCache, evolveKey)',
    (f, u) => /key-store\/dist\/key-state-cache|ledger\/dist\/(key|alias)\//.test(u),
  ],
  ['time index', (f, u) => /read-models\/dist\/(time-index|ledger\/history)/.test(u)],
  ['last-use index', (f, u) => /read-models\/dist\/last-use-index/.test(u)],
  [
    'projection and subscription loop (take, filter, handler)',
    (f, u) =>
      /read-models\/dist\/ledger-projection|event-store\/dist\/(sqlite\/sqlite-subscription|handler-context|stream-filter)/.test(
        u,
      ),
  ],
  ['event store open (schema, pragmas)', (f, u) => /event-store\/dist/.test(u)],
  [
    'module loading (import, compile)',
    (f, u) => /^node:internal\/(modules|bootstrap)|^node:module/.test(u) || f === 'compileFunction',
  ],
  [
    'Nest boot (DI, modules, Fastify, listen)',
    (f, u) => /node_modules\/(@nestjs|fastify|@fastify|find-my-way|avvio)/.test(u),
  ],
  ['keyledger app (config, data dir, vault, other modules)', (f, u) => /keyledger\/dist|libs\/[a-z-]+\/dist/.test(u)],
];

// What one node:crypto call costs when the caches are cold, as they are in a server between two requests:
// before each timed call, `MB` megabytes are walked one cache line at a time (0: a tight, warm loop). The
// experiment behind README's answer to "why does hkdfSync cost 59 µs a request in the server and 12-17 µs in a
// loop". Prints µs per call for HKDF (KeyObject and Buffer key), AES-256-GCM, HMAC-SHA256 and SHA-256 over
// 32 bytes. Not part of `npm run bench`.
//
//   node bench/crypto-cold-cache.js [MB]
import { createCipheriv, createHash, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';

const megabytes = Number(process.argv[2] ?? 0);
const raw = randomBytes(32);
const key = createSecretKey(raw);
const info = Buffer.from('keyledger/message-key/v1');
const salt = randomBytes(16);
const iv = randomBytes(12);
const plaintext = randomBytes(32);
const walked = new Float64Array((megabytes * 1e6) / 8);

function evictCaches() {
  let sum = 0;
  for (let i = 0; i < walked.length; i += 8) sum += walked[i];
  return sum;
}

const operations = {
  hkdfKeyObject: () => hkdfSync('sha256', key, salt, info, 32),
  hkdfBuffer: () => hkdfSync('sha256', raw, salt, info, 32),
  aes256gcm: () => {
    const cipher = createCipheriv('aes-256-gcm', raw, iv);
    cipher.update(plaintext);
    cipher.final();
    cipher.getAuthTag();
  },
  hmacSha256: () => createHmac('sha256', raw).update(plaintext).digest(),
  sha256: () => createHash('sha256').update(plaintext).digest(),
};

const result = { megabytesWalkedBetweenCalls: megabytes };
let sink = 0;
for (const [name, operation] of Object.entries(operations)) {
  for (let i = 0; i < 5000; i++) operation();
  const calls = 2000;
  let ns = 0;
  for (let i = 0; i < calls; i++) {
    if (walked.length > 0) sink += evictCaches();
    const started = process.hrtime.bigint();
    operation();
    ns += Number(process.hrtime.bigint() - started);
  }
  result[name] = Number((ns / calls / 1000).toFixed(1));
}
if (Number.isNaN(sink)) throw new Error('unreachable: keeps the walk from being optimised away');
console.log(JSON.stringify(result));

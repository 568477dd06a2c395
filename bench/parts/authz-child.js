// Authorization's cost on the Decrypt path (issue 12): a key with a 20-statement key
// policy with conditions and 100 grants, against a key with the default policy.
//
//   in process: KmsRequestAuthorization.enforce (what the controller asks) + the
//               KmsOperations table's Decrypt, as the controller calls them;
//   over HTTP:  signed Decrypt requests to the same server, one at a time.
// Both sides alternate per op (heavy, default, default, heavy, …), each op timed alone;
// value and floor are medians of the per-round means, ratio = heavy / default (goal ≤ 1.1).
// Env: the server config (loadConfig), BENCH_ROUNDS, BENCH_AUTHZ_OPS (per side per round),
// BENCH_AUTHZ_HTTP_OPS. Run alone: `node bench/parts/authz-child.js` after `npm run build`,
// with KEYLEDGER_DATA_DIR etc. set (bench/run-all.js sets them).
import { randomBytes } from 'node:crypto';
import { PRINCIPALS } from '@keyledger/app';
import { KmsRequestAuthorization } from '../../apps/keyledger/dist/authorization/kms-request-authorization.js';
import { ADMIN, childMain, median, round } from '../lib/common.js';
import { benchUser as user, interleaved, withInProcessApp } from '../lib/in-process-app.js';
import { callKms, signKms } from '../lib/sign.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const OPS = Number(process.env.BENCH_AUTHZ_OPS ?? 5000);
const HTTP_OPS = Number(process.env.BENCH_AUTHZ_HTTP_OPS ?? 1000);
const STATEMENTS = 20;
const GRANTS = 100;

/** 20 statements, most with conditions, none of which names the admin until the last: the walk is the whole policy. */
function heavyPolicy() {
  const statements = [];
  for (let i = 0; i < STATEMENTS - 2; i++) {
    statements.push({
      Sid: `Team${i}`,
      Effect: i % 3 === 0 ? 'Deny' : 'Allow',
      Principal: { AWS: user(`team-${i}`) },
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: {
        StringEquals: { [`kms:EncryptionContext:team`]: `team-${i}` },
        IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] },
      },
    });
  }
  statements.push({
    Sid: 'DenyOldAlgorithms',
    Effect: 'Deny',
    Principal: '*',
    Action: 'kms:Decrypt',
    Resource: '*',
    Condition: { 'ForAnyValue:StringLike': { 'kms:EncryptionContextKeys': ['legacy-*'] } },
  });
  statements.push({ Sid: 'Admin', Effect: 'Allow', Principal: { AWS: user('admin') }, Action: 'kms:*', Resource: '*' });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

async function rounds(count, sides) {
  await interleaved(Math.max(10, Math.floor(count / 5)), sides);
  const heavy = [];
  const light = [];
  for (let r = 0; r < ROUNDS; r++) {
    const ms = await interleaved(count, sides);
    heavy.push(ms.heavy * 1000);
    light.push(ms.light * 1000);
  }
  return { heavy, light };
}

const figure = (id, measured, details) => ({
  id,
  value: median(measured.heavy),
  floor: median(measured.light),
  ratio: median(measured.heavy.map((x, i) => x / measured.light[i])),
  details: {
    keyPolicyStatements: STATEMENTS,
    grants: GRANTS,
    rounds: measured.heavy.map((x, i) => ({ heavyUs: round(x, 2), defaultUs: round(measured.light[i], 2) })),
    ...details,
  },
});

function main() {
  return withInProcessApp({ listen: true }, async ({ app, config, table, context }) => {
    const port = Number(new URL(await app.getUrl()).port);
    const authorization = app.get(KmsRequestAuthorization);
    const admin = app.get(PRINCIPALS).lookup(ADMIN.accessKeyId);
    const light = (await callKms(port, 'CreateKey', {})).KeyMetadata.KeyId;
    const heavy = (await callKms(port, 'CreateKey', { Policy: heavyPolicy() })).KeyMetadata.KeyId;
    for (let i = 0; i < GRANTS; i++) {
      await callKms(port, 'CreateGrant', {
        KeyId: heavy,
        GranteePrincipal: user(`grantee-${i}`),
        Operations: ['Decrypt', 'Encrypt'],
        Constraints: { EncryptionContextSubset: { grant: String(i) } },
      });
    }
    const dataKey = randomBytes(32).toString('base64');
    const blobOf = async (keyId) =>
      (await callKms(port, 'Encrypt', { KeyId: keyId, Plaintext: dataKey })).CiphertextBlob;
    const blobs = { heavy: await blobOf(heavy), light: await blobOf(light) };

    const inProcess = (blob) => {
      const input = { CiphertextBlob: Buffer.from(blob, 'base64') };
      return async () => {
        const allowed = await authorization.enforce('Decrypt', input, admin, '127.0.0.1', config.region);
        await table.Decrypt(input, context(allowed));
      };
    };
    // Signed once per side (a signature stays valid for 15 minutes): the loop measures the server.
    const signed = { heavy: await signKms(port, 'Decrypt', { CiphertextBlob: blobs.heavy }) };
    signed.light = await signKms(port, 'Decrypt', { CiphertextBlob: blobs.light });
    const overHttp = (request) => {
      const headers = { ...request.headers };
      delete headers.host;
      return async () => {
        const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers, body: request.body });
        if (res.status !== 200) throw new Error(`Decrypt → ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      };
    };

    const local = await rounds(OPS, { heavy: inProcess(blobs.heavy), light: inProcess(blobs.light) });
    const http = await rounds(HTTP_OPS, { heavy: overHttp(signed.heavy), light: overHttp(signed.light) });
    const method =
      'interleaved per op (heavy, default, default, heavy, …), each op timed alone; medians of per-round means';
    return [
      figure('authz_decrypt_in_process', local, {
        path: 'KmsRequestAuthorization.enforce + KmsOperations.table.Decrypt, sequential awaits',
        opsPerRound: OPS,
        method,
      }),
      figure('authz_decrypt_http', http, {
        path: 'signed POST / Decrypt over loopback HTTP, one at a time (fetch)',
        opsPerRound: HTTP_OPS,
        method,
      }),
    ];
  });
}

if (process.send === undefined) {
  main().then(
    (value) => console.log(JSON.stringify(value, null, 2)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
} else childMain(main);

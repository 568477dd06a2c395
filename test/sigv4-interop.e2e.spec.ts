import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';
import { Sha256 } from './support/sha256.js';
import { botocorePython, run } from './support/python-sdk.js';

// Requests written the way a person types them in a shell: an unescaped ':' in a value, parameters
// out of order, an encoded '/' in a path segment, non-ASCII and repeated parameters, a '+'.
// Each is answered past authentication: 200, or the 400 the ledger API gives a repeated parameter.
const REQUESTS: Array<[path: string, status: number]> = [
  ['/v1/reports/inventory?asOf=2026-03-01T00:00:00Z', 200],
  ['/v1/audit/events?keyId=KEY&format=csv', 200],
  ['/v1/aliases/alias%2Fpayments/events', 200],
  ['/v1/audit/events?actor=%C3%A9l%C3%A8ve&type=KeyCreated&format=csv', 200],
  ['/v1/audit/events?type=KeyCreated&type=KeyEnabled', 400],
  ['/v1/audit/events?actor=a+b&format=json', 200],
];

const BOTOCORE_SIGN = `
import sys, json, datetime
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, access, secret, now = sys.argv[1:5]
request = AWSRequest(method='GET', url=url)
auth = SigV4Auth(Credentials(access, secret), 'kms', 'us-east-1')
auth._timestamp = lambda: now
auth.add_auth(request)
print(json.dumps(dict(request.headers.items())))
`;

describe('SigV4 as signed by code we did not write, on the ledger API', () => {
  let h: Harness;
  let keyId: string;
  let python: string | undefined;
  const request = (i: number): [string, number] => {
    const [path, status] = REQUESTS[i]!;
    return [path.replace('KEY', keyId), status];
  };

  beforeAll(async () => {
    h = await startKeyledger();
    keyId = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await h.kms.send(new CreateAliasCommand({ AliasName: 'alias/payments', TargetKeyId: keyId }));
    python = await botocorePython();
  });
  afterAll(() => h.close());

  it.each(REQUESTS.map((_, i) => i))('curl --aws-sigv4 (request %i)', async (i) => {
    const [path, status] = request(i);
    // curl takes the machine's time; the harness clock starts at it and these requests do not move it.
    const { stdout } = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--aws-sigv4',
      'aws:amz:us-east-1:kms',
      '--user',
      `${ADMIN.accessKeyId}:${ADMIN.secretAccessKey}`,
      `${h.url}${path}`,
    ]);
    expect(stdout, path).toBe(String(status));
  });

  it.each(REQUESTS.map((_, i) => i))('@smithy/signature-v4 (request %i)', async (i) => {
    const [path, status] = request(i);
    const url = new URL(`${h.url}${path}`);
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const existing = query[name];
      query[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: ADMIN, sha256: Sha256 });
    const signed = await signer.sign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        // As the SDK's serialiser hands it over: labels encoded once; the signer encodes again (non-S3).
        path: url.pathname,
        query,
        headers: { host: url.host },
      },
      { signingDate: h.clock.now() },
    );
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      for (const v of Array.isArray(value) ? value : [value]) search.append(name, v);
    const qs = search.toString().replaceAll('+', '%20');
    const response = await fetch(`${h.url}${url.pathname}${qs ? `?${qs}` : ''}`, {
      headers: signed.headers as Record<string, string>,
    });
    expect(response.status, `${path}: ${await response.text()}`).toBe(status);
  });

  it.each(REQUESTS.map((_, i) => i))('botocore (request %i)', async (i) => {
    // botocore comes with the AWS CLI (CI installs it); without it this check cannot run here.
    if (python === undefined) return expect.fail('botocore is not importable: install awscli (Debian) to run this');
    const [path, status] = request(i);
    const now = h.clock
      .now()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const { stdout } = await run(python, [
      '-c',
      BOTOCORE_SIGN,
      `${h.url}${path}`,
      ADMIN.accessKeyId,
      ADMIN.secretAccessKey,
      now,
    ]);
    const headers = JSON.parse(stdout) as Record<string, string>;
    const response = await fetch(`${h.url}${path}`, { headers });
    expect(response.status, `${path}: ${await response.text()}`).toBe(status);
  });

  it('a signature over one query does not pass for another: + and %2B are not interchangeable', async () => {
    const signedFor = '/v1/audit/events?actor=a%2Bb';
    const url = new URL(`${h.url}${signedFor}`);
    const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: ADMIN, sha256: Sha256 });
    const signed = await signer.sign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: { actor: 'a+b' },
        headers: { host: url.host },
      },
      { signingDate: h.clock.now() },
    );
    const headers = signed.headers as Record<string, string>;
    expect((await fetch(`${h.url}${signedFor}`, { headers })).status).toBe(200);
    const swapped = await fetch(`${h.url}/v1/audit/events?actor=a+b`, { headers });
    expect(swapped.status).toBe(403);
    expect(((await swapped.json()) as { __type: string }).__type).toBe('InvalidSignatureException');
  });
});

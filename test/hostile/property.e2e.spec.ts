import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_NAMES, OPERATIONS, fieldsOf } from '@keyledger/kms-api';
import { Sha256 } from '../support/sha256.js';
import { ADMIN, startKeyledger, type Harness } from '../support/keyledger-harness.js';

/** The parser and the ciphertext codec through a started server: never a 5xx, and the server keeps answering. */
describe('properties over the wire (issue 11)', () => {
  let h: Harness;
  let keyId: string;
  let signer: SignatureV4;
  beforeAll(async () => {
    h = await startKeyledger();
    keyId = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: ADMIN, sha256: Sha256 });
  });
  afterAll(() => h.close());

  async function send(operation: string, body: string): Promise<number> {
    const url = new URL(h.url);
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: {},
        headers: {
          host: url.host,
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `TrentService.${operation}`,
        },
        body,
      },
      { signingDate: h.clock.now() },
    );
    const res = await fetch(h.url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
    await res.arrayBuffer();
    return res.status;
  }

  // Read-only and cryptographic operations: any value in any member, none of them may answer 5xx.
  const safe = OPERATION_NAMES.filter((o) => OPERATIONS[o].access !== 'admin');
  const value = fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.constantFrom('\ud800', '__proto__', '', 'YQ==', keyIdPlaceholder()),
    fc.dictionary(fc.string(), fc.string()),
  );

  it('any JSON value in any member: never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...safe).chain((operation) =>
          fc.record({
            operation: fc.constant(operation),
            body: fc.dictionary(
              fc.constantFrom(...fieldsOf(OPERATIONS[operation].request).map((f) => f.wireName)),
              value,
              {
                maxKeys: 4,
              },
            ),
          }),
        ),
        async ({ operation, body }) => {
          const text = JSON.stringify(body).replaceAll(keyIdPlaceholder(), keyId);
          expect(await send(operation, text)).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it('any byte string as a ciphertext: a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 6144 }), async (bytes) => {
        const status = await send('Decrypt', JSON.stringify({ CiphertextBlob: Buffer.from(bytes).toString('base64') }));
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
    expect(await send('ListKeys', '{}')).toBe(200);
  }, 120_000);
});

function keyIdPlaceholder(): string {
  return '<<the-key-id>>';
}

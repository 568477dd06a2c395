import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { writePrincipalsFile, type PrincipalsFile } from './support/principals-file.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

const KEY_USER = { accessKeyId: 'AKIAKEYLEDGERUSER001', secretAccessKey: 'key-user-secret-0123456789abcdef' };
const AUDITOR = { accessKeyId: 'AKIAKEYLEDGERAUDIT01', secretAccessKey: 'auditor-secret-0123456789abcdefg' };

/** A raw POST / as a non-SDK client would send it. */
async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-amz-json-1.1', ...headers },
  });
  return { status: res.status, body: (await res.json()) as { __type: string; message: string } };
}

describe('SigV4 and roles', () => {
  let h: Harness;
  let principals: PrincipalsFile;
  beforeAll(async () => {
    principals = writePrincipalsFile([
      { name: 'app', role: 'key-user', ...KEY_USER },
      { name: 'audit', role: 'auditor', ...AUDITOR },
    ]);
    h = await startKeyledger({ env: { KEYLEDGER_PRINCIPALS_FILE: principals.path } });
  });
  afterAll(async () => {
    await h.close();
    principals.remove();
  });

  it('an unsigned request is refused with MissingAuthenticationTokenException', async () => {
    const res = await post(h.url, '{}', { 'x-amz-target': 'TrentService.ListKeys' });
    expect(res.status).toBe(400);
    expect(res.body.__type).toBe('MissingAuthenticationTokenException');
  });

  it('a malformed Authorization header is IncompleteSignatureException', async () => {
    const res = await post(h.url, '{}', {
      'x-amz-target': 'TrentService.ListKeys',
      authorization: 'AWS4-HMAC-SHA256 garbage',
    });
    expect(res.body.__type).toBe('IncompleteSignatureException');
  });

  it('an unknown access key is UnrecognizedClientException; a wrong secret InvalidSignatureException', async () => {
    const unknown = h.client({ accessKeyId: 'AKIANOBODYNOBODY0000', secretAccessKey: 'x'.repeat(40) });
    expect((await failure(unknown.send(new ListKeysCommand({})))).name).toBe('UnrecognizedClientException');
    const wrongSecret = h.client({ accessKeyId: ADMIN.accessKeyId, secretAccessKey: 'not-the-secret-0123456789' });
    expect(await failure(wrongSecret.send(new ListKeysCommand({})))).toMatchObject({
      name: 'InvalidSignatureException',
      status: 400,
    });
  });

  it('a signature scoped to another region is refused', async () => {
    const other = h.client(ADMIN, 'eu-west-1');
    expect((await failure(other.send(new ListKeysCommand({})))).name).toBe('InvalidSignatureException');
  });

  it('a request signed more than 15 minutes away from the server clock is refused', async () => {
    const skewed = h.client(ADMIN);
    h.clock.advance(16 * 60_000);
    try {
      expect(await failure(skewed.send(new ListKeysCommand({})))).toMatchObject({ name: 'InvalidSignatureException' });
    } finally {
      h.clock.advance(-16 * 60_000);
    }
  });

  it('a key-user may encrypt and decrypt but not manage keys; an auditor may only read', async () => {
    const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const user = h.client(KEY_USER);
    const enc = await user.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    expect((await user.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).KeyId).toBe(key.Arn);
    expect(await failure(user.send(new CreateKeyCommand({})))).toMatchObject({
      name: 'AccessDeniedException',
      message:
        'User: arn:aws:iam::111122223333:user/app is not authorized to perform: kms:CreateKey on resource: * ' +
        'because no identity-based policy allows the kms:CreateKey action',
    });
    const auditor = h.client(AUDITOR);
    expect((await auditor.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyId).toBe(key.KeyId);
    // The default key policy delegates to IAM, so it is the auditor's identity policy that lacks the allow.
    expect(await failure(auditor.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })))).toEqual(
      expect.objectContaining({
        name: 'AccessDeniedException',
        message:
          `User: arn:aws:iam::111122223333:user/audit is not authorized to perform: kms:Encrypt on resource: ${key.Arn} ` +
          'because no identity-based policy allows the kms:Encrypt action',
      }),
    );
  });

  it('GET / names the service, its version and where to go, with no signature', async () => {
    const res = await fetch(`${h.url}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      service: 'keyledger',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      openApi: '/v1/openapi.json',
      health: '/healthz',
    });
  });

  it('/healthz needs no signature', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });
});

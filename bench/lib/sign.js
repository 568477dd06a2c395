// SigV4 signing of KMS JSON 1.1 requests, once per distinct request: autocannon
// replays the signed bytes (a signature stays valid for 15 minutes, same body).
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { ADMIN, REGION } from './common.js';

/** SHA-256 for the signer, on node:crypto. */
class Sha256 {
  constructor(secret) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return this.hash.digest();
  }
}

const signer = new SignatureV4({ service: 'kms', region: REGION, credentials: ADMIN, sha256: Sha256 });

/**
 * A signed KMS request for `operation` with JSON `input`, addressed to
 * 127.0.0.1:`port`. Returns `{ method, path, headers, body }` for autocannon
 * or fetch. The signature covers host, so sign per server port.
 */
export async function signKms(port, operation, input) {
  const body = JSON.stringify(input);
  const request = {
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: '/',
    query: {},
    headers: {
      host: `127.0.0.1:${port}`,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `TrentService.${operation}`,
    },
    body,
  };
  const signed = await signer.sign(request, { signingDate: new Date() });
  return { method: 'POST', path: '/', headers: { ...signed.headers }, body };
}

/** Sends one signed KMS request and returns the parsed JSON response (throws on non-200). */
export async function callKms(port, operation, input) {
  const { headers, body } = await signKms(port, operation, input);
  delete headers.host;
  const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${operation} → ${res.status} ${text}`);
  return JSON.parse(text);
}

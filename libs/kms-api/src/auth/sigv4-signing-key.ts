import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { TERMINATOR } from './sigv4-signature-parts.js';

/**
 * SigV4 signing keys. A signing key changes once a day per (secret, region,
 * service): deriving one is four HMACs, so it is kept, as a KeyObject so that each
 * request's HMAC does not import the key again. Looked up by secret, then by the
 * credential scope (`date/region/service`): no per-request string is built from
 * the secret. The cache is cleared wholesale when full, which in practice happens
 * only when days roll over with many principals.
 */

interface Derived {
  scope: string;
  key: KeyObject;
}

const BY_SECRET = new Map<string, Derived[]>();
const MAX_SECRETS = 4096;
/** A few scopes per secret: yesterday's and today's across midnight, or more than one region. */
const MAX_SCOPES_PER_SECRET = 4;

export function signingKey(secret: string, date: string, region: string, service: string): KeyObject {
  const scope = `${date}/${region}/${service}`;
  let derived = BY_SECRET.get(secret);
  if (derived !== undefined) {
    for (const entry of derived) if (entry.scope === scope) return entry.key;
  } else {
    if (BY_SECRET.size >= MAX_SECRETS) BY_SECRET.clear();
    // Stryker disable next-line ArrayDeclaration: an extra entry names no scope, and is the first dropped when full
    BY_SECRET.set(secret, (derived = []));
  }
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  const key = createSecretKey(createHmac('sha256', kService).update(TERMINATOR).digest());
  if (derived.length >= MAX_SCOPES_PER_SECRET) derived.shift();
  derived.push({ scope, key });
  return key;
}

/** For tests, and for a principal whose secret was revoked: forget derived keys. */
export function clearSigningKeyCache(): void {
  BY_SECRET.clear();
}

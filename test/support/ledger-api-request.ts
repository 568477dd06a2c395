import { SignatureV4 } from '@smithy/signature-v4';
import { canonicalQuery, signRequest } from '../../apps/keyledger/src/cli/api/sigv4-signer.js';
import { ADMIN, type Harness } from './keyledger-harness.js';
import { Sha256 } from './sha256.js';

export type Credentials = { accessKeyId: string; secretAccessKey: string };

export interface ApiAnswer {
  status: number;
  type: string;
  text: string;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body read by the assertions
  json: any;
}

async function answer(response: Response): Promise<ApiAnswer> {
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  const json = type.startsWith('application/json') ? JSON.parse(text) : undefined;
  return { status: response.status, type, text, headers: response.headers, json };
}

/**
 * A request to the ledger API signed as the AWS SDKs sign it (smithy's SigV4, service kms, not our own signer),
 * at the server's clock, which tests move. `as: null` sends it unsigned.
 */
export async function ledgerApi(
  h: Harness,
  method: 'GET' | 'POST',
  path: string,
  options: { query?: Record<string, string>; body?: unknown; as?: Credentials | null } = {},
): Promise<ApiAnswer> {
  const url = new URL(h.url);
  const query = options.query ?? {};
  const { body: given } = options;
  const body = given === undefined ? undefined : typeof given === 'string' ? given : JSON.stringify(given);
  const headers: Record<string, string> = { host: url.host };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let sent = headers;
  if (options.as !== null) {
    const signer = new SignatureV4({
      service: 'kms',
      region: 'us-east-1',
      credentials: options.as ?? ADMIN,
      sha256: Sha256,
    });
    const request = { method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query, headers };
    const signed = await signer.sign({ ...request, body }, { signingDate: h.clock.now() });
    sent = signed.headers as Record<string, string>;
  }
  const qs = Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return answer(await fetch(`${h.url}${path}${qs ? `?${qs}` : ''}`, { method, headers: sent, body }));
}

/** A GET of the ledger API signed by Keyledger's own CLI signer, as `as` (default the admin), at the server's clock. */
export async function ledgerGet(
  h: Harness,
  path: string,
  query: Record<string, string> = {},
  as: Credentials = ADMIN,
): Promise<ApiAnswer> {
  const url = new URL(path, h.url);
  url.search = canonicalQuery(query);
  const headers = signRequest({ method: 'GET', url, headers: {}, body: '' }, as, 'us-east-1', h.clock.now());
  return answer(await fetch(url, { headers }));
}

import { canonicalQuery, signRequest } from '../../apps/keyledger/src/cli/api/sigv4-signer.js';
import { ADMIN, type Harness } from './keyledger-harness.js';

export interface ApiAnswer {
  status: number;
  type: string;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** A GET of the ledger API signed as `as` (default the admin) at the server's clock, which tests move. */
export async function ledgerGet(
  h: Harness,
  path: string,
  query: Record<string, string> = {},
  as: { accessKeyId: string; secretAccessKey: string } = ADMIN,
): Promise<ApiAnswer> {
  const url = new URL(path, h.url);
  url.search = canonicalQuery(query);
  const headers = signRequest({ method: 'GET', url, headers: {}, body: '' }, as, 'us-east-1', h.clock.now());
  const response = await fetch(url, { headers });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, type, text, json: type.startsWith('application/json') ? JSON.parse(text) : null };
}

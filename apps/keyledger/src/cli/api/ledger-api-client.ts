import { CliFailure } from '../cli-errors.js';
import { canonicalQuery, encodePath, signRequest, type SigningCredentials } from './sigv4-signer.js';

export interface ApiResponse {
  status: number;
  contentType: string;
  text: string;
}

/** The server's ledger API (`/v1/...`), signed like the KMS API. */
export class LedgerApiClient {
  private readonly base: URL;

  constructor(
    baseUrl: string,
    private readonly credentials: SigningCredentials,
    private readonly region: string,
  ) {
    try {
      this.base = new URL(baseUrl);
    } catch {
      throw new CliFailure(`--url '${baseUrl}' is not a URL`);
    }
  }

  get(segments: string[], query: Record<string, string | undefined> = {}): Promise<ApiResponse> {
    return this.send('GET', segments, query, '');
  }

  post(segments: string[], body: unknown): Promise<ApiResponse> {
    return this.send('POST', segments, {}, JSON.stringify(body));
  }

  private async send(
    method: string,
    segments: string[],
    query: Record<string, string | undefined>,
    body: string,
  ): Promise<ApiResponse> {
    const url = new URL(this.base);
    url.pathname = `${this.base.pathname.replace(/\/+$/, '')}${encodePath(segments)}`;
    url.search = canonicalQuery(query);
    const headers = signRequest(
      { method, url, headers: body ? { 'content-type': 'application/json' } : {}, body },
      this.credentials,
      this.region,
    );
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body ? { body } : {}) });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      throw new CliFailure(`cannot reach ${this.base.origin}: ${cause ?? (error as Error).message}`);
    }
    const text = await response.text();
    const result = { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
    if (!response.ok)
      throw new CliFailure(`${method} ${url.pathname} failed: HTTP ${response.status} ${describeError(text)}`);
    return result;
  }
}

function describeError(text: string): string {
  try {
    const body = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
    const type = body.__type?.split('#').pop();
    const message = body.message ?? body.Message;
    if (type || message) return [type, message].filter(Boolean).join(': ');
  } catch {
    // Not JSON: show it as it came.
  }
  return text.slice(0, 500);
}

export function parseJson(response: ApiResponse): unknown {
  try {
    return JSON.parse(response.text);
  } catch {
    throw new CliFailure(`the server answered with something that is not JSON: ${response.text.slice(0, 200)}`);
  }
}

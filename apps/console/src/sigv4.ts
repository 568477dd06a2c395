import { SignatureV4 } from '@smithy/signature-v4';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBytes(data: SourceData): Uint8Array<ArrayBuffer> {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  const view = ArrayBuffer.isView(data) ? data : new Uint8Array(data);
  // A copy in a plain ArrayBuffer: what Web Crypto takes.
  const copy = new Uint8Array(view.byteLength);
  copy.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return copy;
}

/**
 * SHA-256 and HMAC-SHA256 from Web Crypto, shaped as @smithy/signature-v4 wants its hash. The signer feeds
 * whole strings, so the input is buffered and hashed in one call at digest().
 */
export class WebCryptoSha256 {
  private chunks: Uint8Array<ArrayBuffer>[] = [];
  private readonly secret?: Uint8Array<ArrayBuffer>;

  constructor(secret?: SourceData) {
    if (secret !== undefined) this.secret = toBytes(secret);
  }

  update(data: SourceData): void {
    this.chunks.push(toBytes(data));
  }

  async digest(): Promise<Uint8Array> {
    const length = this.chunks.reduce((n, c) => n + c.byteLength, 0);
    const input = new Uint8Array(length);
    let at = 0;
    for (const chunk of this.chunks) {
      input.set(chunk, at);
      at += chunk.byteLength;
    }
    const subtle = globalThis.crypto?.subtle;
    if (subtle === undefined) throw new Error('Web Crypto is unavailable: open the console over https or on localhost');
    if (this.secret === undefined) return new Uint8Array(await subtle.digest('SHA-256', input));
    const key = await subtle.importKey('raw', this.secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await subtle.sign('HMAC', key, input));
  }

  reset(): void {
    this.chunks = [];
  }
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RequestToSign {
  method: 'GET' | 'POST';
  /** The path as sent on the wire (percent-encoded), without the query. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
  /** host[:port] as the browser sends it. */
  host: string;
  protocol: string;
}

/**
 * Signs as the AWS SDKs do for KMS (service `kms`). Returns the headers to send: the secret is only ever an
 * HMAC key here; what leaves is the Authorization header with the signature and the access key id.
 */
export async function signRequest(
  request: RequestToSign,
  credentials: Credentials,
  region: string,
  signingDate: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: 'kms', region, credentials, sha256: WebCryptoSha256 });
  const [hostname = '', port] = request.host.split(':');
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.protocol,
      hostname,
      port: port === undefined ? undefined : Number(port),
      path: request.path,
      query: request.query,
      headers: { ...request.headers, host: request.host },
      body: request.body,
    },
    { signingDate },
  );
  const headers: Record<string, string> = {};
  // The browser sets Host itself (a forbidden header name for fetch).
  for (const [name, value] of Object.entries(signed.headers)) if (name !== 'host') headers[name] = String(value);
  return headers;
}

/** The query string exactly as signed: RFC 3986 encoding, as the server's verifier re-encodes it. */
export function queryString(query: Record<string, string>): string {
  const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return Object.entries(query)
    .map(([k, v]) => `${escape(k)}=${escape(v)}`)
    .join('&');
}

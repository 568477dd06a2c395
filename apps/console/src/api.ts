import { currentSession, type Session } from './session.js';
import { readLines } from './lines.js';
import { queryString, signRequest } from './sigv4.js';

/** An answer other than 2xx, in the server's AWS error shape (`__type`, `message`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
  /** The endpoint is not on this server (yet): the page hides what needs it. */
  get missing(): boolean {
    return this.status === 404 && this.type === 'NotFoundException' && this.message.startsWith('No such resource');
  }
  get denied(): boolean {
    return this.status === 403 || this.type === 'AccessDeniedException';
  }
}

// The server's clock, as its Date header tells it: the signature must be dated within 15 minutes of it.
let clockOffsetMs = 0;

function learnClock(response: Response): void {
  const date = response.headers.get('date');
  if (date === null) return;
  const offset = Date.parse(date) - Date.now();
  // The header has a one-second resolution: only a real difference moves the signing clock.
  if (Number.isFinite(offset) && Math.abs(offset - clockOffsetMs) > 60_000) clockOffsetMs = offset;
}

export interface ServerInfo {
  region: string;
  service: string;
}

export async function serverInfo(): Promise<ServerInfo> {
  const response = await fetch('/console/config.json', { headers: { accept: 'application/json' } });
  learnClock(response);
  if (!response.ok) return { region: 'us-east-1', service: 'keyledger' };
  return (await response.json()) as ServerInfo;
}

interface Call {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | undefined>;
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  session?: Session;
}

async function send(call: Call): Promise<Response> {
  const session = call.session ?? currentSession();
  if (session === null) throw new ApiError(401, 'NotSignedIn', 'Sign in first');
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined && v !== '') query[k] = v;
  const headers = await signRequest(
    {
      method: call.method,
      path: call.path,
      query,
      headers: call.headers ?? {},
      body: call.body,
      host: location.host,
      protocol: location.protocol,
    },
    session,
    session.region,
    new Date(Date.now() + clockOffsetMs),
  );
  const qs = queryString(query);
  const response = await fetch(`${call.path}${qs === '' ? '' : `?${qs}`}`, {
    method: call.method,
    headers,
    body: call.body,
    signal: call.signal,
    credentials: 'omit',
    cache: 'no-store',
  });
  learnClock(response);
  if (!response.ok) {
    const text = await response.text();
    let type = 'HttpError';
    let message = `${response.status} ${response.statusText}`;
    try {
      const parsed = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
      type = (parsed.__type ?? type).split('#').pop() ?? type;
      message = parsed.message ?? parsed.Message ?? message;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(response.status, type, message);
  }
  return response;
}

export async function ledgerJson<T>(path: string, options: Omit<Call, 'method' | 'path'> = {}): Promise<T> {
  const method = options.body === undefined ? 'GET' : 'POST';
  const headers = options.body === undefined ? undefined : { 'content-type': 'application/json' };
  const response = await send({ ...options, method, path: `/v1/${path}`, headers });
  return (await response.json()) as T;
}

export async function ledgerCsv(path: string, options: Omit<Call, 'method' | 'path'> = {}): Promise<string> {
  const response = await send({
    ...options,
    method: 'GET',
    path: `/v1/${path}`,
    query: { ...options.query, format: 'csv' },
  });
  return response.text();
}

/** One KMS API call (JSON 1.1, X-Amz-Target), signed like the ledger API. */
export async function kms<T>(
  operation: string,
  input: object,
  options: Omit<Call, 'method' | 'path'> = {},
): Promise<T> {
  const response = await send({
    ...options,
    method: 'POST',
    path: '/',
    body: JSON.stringify(input),
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${operation}` },
  });
  return (await response.json()) as T;
}

export const pathPart = (s: string): string => encodeURIComponent(s);

/**
 * A ledger API GET answered as JSON lines (`Accept: application/x-ndjson`), each handed to `onLine` as it
 * arrives. A plain JSON answer is one line too.
 */
export async function ledgerLines(
  path: string,
  onLine: (line: unknown) => void,
  options: Omit<Call, 'method' | 'path' | 'headers'> = {},
): Promise<void> {
  const response = await send({
    ...options,
    method: 'GET',
    path: `/v1/${path}`,
    headers: { accept: 'application/x-ndjson' },
  });
  if (response.body === null) throw new ApiError(response.status, 'HttpError', 'The answer has no body');
  await readLines(response.body, (text) => onLine(JSON.parse(text)));
}

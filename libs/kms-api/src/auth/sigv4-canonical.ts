/**
 * SigV4's canonical forms of a request's path, query and headers: what a signature
 * covers, built the way the AWS SDKs build it (see sigv4-verifier.ts for the rules).
 */

/** Header names in any case (Node gives lower case). */
export type RequestHeaders = Record<string, string | string[] | undefined>;

function hexByte(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
}

/** RFC 3986 encoding: everything but unreserved characters (A-Z a-z 0-9 - . _ ~). */
export function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, hexByte);
}

export function canonicalPath(path: string): string {
  if (path === '') return '/';
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalised = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  // Encoding the whole path encodes '/' too; put the separators back. An encoded
  // "%2F" in a segment became "%252F" and stays.
  return uriEscape(normalised).replace(/%2F/g, '/');
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // Malformed escapes: keep the raw text; the signature decides.
    return s;
  }
}

function plusAsSpace(s: string): string {
  return s.replaceAll('+', ' ');
}

export interface QueryParam {
  key: string; // encoded canonically
  value: string; // encoded canonically
  rawKey: string; // decoded
  rawValue: string; // decoded
}

// '+' is a space, as the handler's query parser (fast-querystring) reads it: the signature
// must cover the values the handler sees, so that '+' and '%2B' cannot be swapped under it.
export function parseQuery(query: string): QueryParam[] {
  const params: QueryParam[] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = decodeComponent(plusAsSpace(eq === -1 ? part : part.slice(0, eq)));
    const rawValue = eq === -1 ? '' : decodeComponent(plusAsSpace(part.slice(eq + 1)));
    params.push({ key: uriEscape(rawKey), value: uriEscape(rawValue), rawKey, rawValue });
  }
  return params;
}

export function canonicalQuery(params: readonly QueryParam[], exclude?: string): string {
  // filter() copies: the caller's list keeps its order.
  const kept = params.filter((p) => p.rawKey !== exclude);
  // Code-unit order of the encoded (ASCII) strings is byte order, as SigV4 requires.
  kept.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return kept.map((p) => `${p.key}=${p.value}`).join('&');
}

export function headerValue(headers: RequestHeaders, lowerName: string): string | string[] | undefined {
  const direct = headers[lowerName];
  if (direct !== undefined) return direct;
  for (const name in headers) {
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return headers[name];
  }
  return undefined;
}

export function singleHeader(headers: RequestHeaders, lowerName: string): string | undefined {
  const v = headerValue(headers, lowerName);
  return Array.isArray(v) ? v[0] : v;
}

const NEEDS_CANONICALISING = /[\r\n\t]| {2}|^ | $/;

export function canonicalHeaderValue(value: string): string {
  // Nearly every value is already canonical; test once instead of rewriting.
  if (!NEEDS_CANONICALISING.test(value)) return value;
  // Trim, and collapse runs of spaces (and tabs / folded line breaks) to one.
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

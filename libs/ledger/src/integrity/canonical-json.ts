import * as nodeCrypto from 'node:crypto';

/*
 * The canonical text every event hash is taken over: JSON with object members
 * sorted by name (UTF-16 code units) at every depth, undefined members left
 * out. Every append hashes its events and verify hashes the whole ledger, so
 * the text is written into one string builder, without the map/filter/sort/join
 * allocations of the plain definition; event-hash.spec.ts holds this to that
 * definition on awkward values.
 */

const HASH_PREFIX = 'keyledger/event/v1\n';

// One-shot hashing (Node ≥ 20.12) skips building a Hash stream object per event.
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const sha256Hex: (text: string) => string =
  typeof oneShot === 'function'
    ? (text) => oneShot('sha256', text, 'hex')
    : (text) => nodeCrypto.createHash('sha256').update(text).digest('hex');

// Member names repeat across every event of a type: quote each once.
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quoted(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, q);
  }
  return q;
}

/*
 * Objects of one event type share their member names, in the same order: a
 * shape remembers, for one exact list of names (as Object.keys gives them), the
 * order canonicalJson writes them in and each member's `{"name":` / `,"name":`
 * text, so such an object is written without sorting or quoting its names again.
 * Looked up by first name, then compared name by name; small objects only, and
 * a bounded number of shapes, so a ledger of ever-new names (or a checkpoint's
 * map of every stream) costs no memory here: those take the sorting path.
 */
interface Shape {
  keys: string[];
  /** In canonical (sorted) order, the skipped member left out. */
  members: ShapeMember[];
}

interface ShapeMember {
  name: string;
  /** `{"name":` when it is the first member written. */
  opening: string;
  /** `,"name":` otherwise. */
  following: string;
}

const MAX_SHAPE_KEYS = 32;
const MAX_SHAPES_PER_FIRST_KEY = 16;
const MAX_SHAPES = 2_000;
let shapeCount = 0;
/** One cache per `skip` in use: undefined (any object) and 'integrity' (the top of the metadata). */
const shapesBySkip = new Map<string | undefined, Map<string, Shape[]>>();

function shapeOf(keys: string[], skip: string | undefined): Shape | undefined {
  let byFirst = shapesBySkip.get(skip);
  if (byFirst === undefined) {
    byFirst = new Map();
    shapesBySkip.set(skip, byFirst);
  }
  const n = keys.length;
  const [firstKey = ''] = keys;
  const candidates = byFirst.get(firstKey);
  if (candidates !== undefined) {
    next: for (const shape of candidates) {
      const known = shape.keys;
      if (known.length !== n) continue;
      for (let i = 1; i < n; i++) if (known[i] !== keys[i]) continue next;
      return shape;
    }
  }
  if (
    n > MAX_SHAPE_KEYS ||
    shapeCount >= MAX_SHAPES ||
    (candidates !== undefined && candidates.length >= MAX_SHAPES_PER_FIRST_KEY)
  )
    return undefined;
  // Array.prototype.sort's order on the names: UTF-16 code units.
  const names = keys.filter((name) => name !== skip).sort();
  const shape: Shape = {
    keys: keys.slice(),
    members: names.map((name) => ({ name, opening: `{${quoted(name)}:`, following: `,${quoted(name)}:` })),
  };
  if (candidates === undefined) byFirst.set(firstKey, [shape]);
  else candidates.push(shape);
  shapeCount++;
  return shape;
}

function appendCanonical(out: string, value: unknown): string {
  if (value === null) return out + 'null';
  switch (typeof value) {
    case 'string':
      return out + JSON.stringify(value);
    case 'number':
    case 'boolean':
      return out + JSON.stringify(value);
    case 'object':
      break;
    default:
      // undefined, functions, symbols, bigints: canonicalJson writes what JSON.stringify gives, else null.
      return out + (JSON.stringify(value) ?? 'null');
  }
  if (Array.isArray(value)) {
    out += '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out = appendCanonical(out, value[i]);
    }
    return out + ']';
  }
  return appendObject(out, value as Record<string, unknown>, undefined);
}

/** `skip`: a top-level member left out (metadata's `integrity`). */
function appendObject(out: string, object: Record<string, unknown>, skip: string | undefined): string {
  const keys = Object.keys(object);
  if (keys.length === 0) return out + '{}';
  const shape = shapeOf(keys, skip);
  if (shape === undefined) return appendObjectSorting(out, object, keys, skip);
  let first = true;
  for (const { name, opening, following } of shape.members) {
    const member = object[name];
    if (member === undefined) continue;
    out += first ? opening : following;
    first = false;
    out = appendCanonical(out, member);
  }
  return first ? out + '{}' : out + '}';
}

function appendObjectSorting(
  out: string,
  object: Record<string, unknown>,
  keys: string[],
  skip: string | undefined,
): string {
  if (keys.length > 1) keys.sort();
  out += '{';
  let first = true;
  for (const key of keys) {
    if (key === skip) continue;
    const member = object[key];
    if (member === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += quoted(key);
    out += ':';
    out = appendCanonical(out, member);
  }
  return out + '}';
}

/** JSON with object keys sorted at every depth: one text per value, whatever the key order it was stored in. */
export function canonicalJson(value: unknown): string {
  return appendCanonical('', value);
}

/**
 * SHA-256 over "keyledger/event/v1\n" and the canonical text of
 * { stream, revision (decimal string), type, data, metadata, previousHash },
 * the metadata without its `integrity` member (skipped, not copied away).
 */
export function storedEventHash(
  streamName: string,
  revision: bigint | string,
  type: string,
  data: unknown,
  metadataWithIntegrity: Record<string, unknown>,
  previousHash: string | null,
): string {
  // The six members in canonical order: data, metadata, previousHash, revision, stream, type.
  let text = HASH_PREFIX + '{"data":';
  text = appendCanonical(text, data);
  text += ',"metadata":';
  text = appendObject(text, metadataWithIntegrity, 'integrity');
  text += ',"previousHash":';
  text += previousHash === null ? 'null' : JSON.stringify(previousHash);
  text += ',"revision":"';
  text += typeof revision === 'bigint' ? revision.toString() : revision;
  text += '","stream":';
  text += JSON.stringify(streamName);
  text += ',"type":';
  text += JSON.stringify(type);
  text += '}';
  return sha256Hex(text);
}

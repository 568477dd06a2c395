import { hash } from 'node:crypto';

/*
 * The canonical text every event hash is taken over: JSON with object members
 * sorted by name (UTF-16 code units) at every depth, undefined members left
 * out. Every append hashes its events and verify hashes the whole ledger, so
 * the text is written into one string builder, without the map/filter/sort/join
 * allocations of the plain definition; event-hash.spec.ts holds this to that
 * definition on awkward values.
 */

const HASH_PREFIX = 'keyledger/event/v1\n';

// One-shot hashing (Node >= 20.12; package.json asks for 20.19) skips building a Hash stream object per event.
const sha256Hex = (text: string): string => hash('sha256', text, 'hex');

// Member names repeat across every event of a type: quote each once.
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

// The quoting cache only saves work: a name quoted again, or not remembered, is the same text.
function quoted(key: string): string {
  let q = quotedKeys.get(key);
  // Stryker disable next-line ConditionalExpression: quoting a remembered name again gives the same text
  if (q === undefined) {
    q = JSON.stringify(key);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the bound only caps memory
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
/** One cache per `skip`: any object, and the top of the metadata (its `integrity` member left out). */
const objectShapes = new Map<string, Shape[]>();
const metadataShapes = new Map<string, Shape[]>();

/*
 * A shape the lookup misses is never wrong, only slower: the object then gets a new shape, or takes the sorting
 * path, to the same text. So the mutants marked below, which only make the lookup miss or the cache hold more or
 * fewer shapes, cannot change a hash. A lookup that finds a wrong shape can: those mutants are left to the specs.
 */
// Stryker disable next-line BlockStatement: no shape at all is the sorting path for every object
function shapeOf(keys: string[], skip: 'integrity' | undefined): Shape | undefined {
  // Stryker disable next-line EqualityOperator: the two caches swapped still keep each kind of object apart
  const byFirst = skip === undefined ? objectShapes : metadataShapes;
  const n = keys.length;
  const firstKey = keys[0]!;
  const candidates = byFirst.get(firstKey);
  // Stryker disable next-line ConditionalExpression,BlockStatement: a lookup skipped is a miss
  if (candidates !== undefined) {
    // Stryker disable next-line BlockStatement: a lookup skipped is a miss
    next: for (const shape of candidates) {
      const known = shape.keys;
      // Stryker disable next-line ConditionalExpression: always skipping is a miss (never skipping is killed by a spec)
      if (known.length !== n) continue;
      // Stryker disable next-line EqualityOperator,ConditionalExpression: i = n compares undefined with undefined
      for (let i = 1; i < n; i++) if (known[i] !== keys[i]) continue next;
      return shape;
    }
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: the bounds only cap memory
  if (n > MAX_SHAPE_KEYS || shapeCount >= MAX_SHAPES || (candidates?.length ?? 0) >= MAX_SHAPES_PER_FIRST_KEY)
    return undefined;
  // Array.prototype.sort's order on the names: UTF-16 code units.
  const names = keys.filter((name) => name !== skip).sort();
  const shape: Shape = {
    // Stryker disable next-line MethodExpression: nothing changes the caller's fresh Object.keys array afterwards
    keys: keys.slice(),
    members: names.map((name) => ({ name, opening: `{${quoted(name)}:`, following: `,${quoted(name)}:` })),
  };
  // Stryker disable next-line ConditionalExpression,ArrayDeclaration: a shape not remembered is a later miss
  if (candidates === undefined) byFirst.set(firstKey, [shape]);
  else candidates.push(shape);
  // Stryker disable next-line UpdateOperator: the count only caps memory
  shapeCount++;
  return shape;
}

function appendCanonical(out: string, value: unknown): string {
  // Strings, numbers and booleans as JSON writes them; undefined, functions and symbols (in an array) as null.
  if (value === null || typeof value !== 'object') return out + (JSON.stringify(value) ?? 'null');
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
function appendObject(out: string, object: Record<string, unknown>, skip: 'integrity' | undefined): string {
  const keys = Object.keys(object);
  // Stryker disable next-line ConditionalExpression: an empty object's shape has no member, which writes {} as well
  if (keys.length === 0) return out + '{}';
  const shape = shapeOf(keys, skip);
  // Stryker disable next-line ConditionalExpression: the sorting path writes every object to the same text
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
  skip: 'integrity' | undefined,
): string {
  keys.sort();
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
  text += JSON.stringify(previousHash);
  text += ',"revision":"';
  text += String(revision);
  text += '","stream":';
  text += JSON.stringify(streamName);
  text += ',"type":';
  text += JSON.stringify(type);
  text += '}';
  return sha256Hex(text);
}

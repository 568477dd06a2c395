import { readFileSync } from 'node:fs';

/** One key of a seed file: found again by its alias, so a second start creates nothing. */
export interface SeedKey {
  alias: string;
  description?: string;
  keySpec?: string;
  keyUsage?: string;
  /** Turn automatic rotation on. */
  rotation?: boolean;
  tags?: Array<{ TagKey: string; TagValue: string }>;
  /** Base64 of 32 bytes: the key is created with Origin EXTERNAL and this material imported. For test keys only. */
  importedMaterial?: string;
}

export interface Seed {
  keys: SeedKey[];
}

export class SeedFileError extends Error {}

const KNOWN_FIELDS = ['alias', 'description', 'keySpec', 'keyUsage', 'rotation', 'tags', 'importedMaterial'];

function checkKey(file: string, at: string, key: unknown, aliases: Set<string>): void {
  const fail = (what: string): never => {
    throw new SeedFileError(`KEYLEDGER_SEED_FILE ${file}: ${at}${what}`);
  };
  if (typeof key !== 'object' || key === null || Array.isArray(key)) fail(' must be an object');
  const k = key as Record<string, unknown>;
  for (const name of Object.keys(k)) if (!KNOWN_FIELDS.includes(name)) fail(`.${name} is not a seed field`);
  if (typeof k.alias !== 'string' || !k.alias.startsWith('alias/'))
    fail('.alias must be an alias name (alias/...): a seed key is found again by it');
  if (aliases.has(k.alias as string)) fail(`.alias ${String(k.alias)} is used twice`);
  aliases.add(k.alias as string);
  for (const name of ['description', 'keySpec', 'keyUsage'])
    if (k[name] !== undefined && typeof k[name] !== 'string') fail(`.${name} must be a string`);
  if (k.rotation !== undefined && typeof k.rotation !== 'boolean') fail('.rotation must be true or false');
  if (k.tags !== undefined && !Array.isArray(k.tags)) fail('.tags must be [{"TagKey","TagValue"}]');
  if (k.importedMaterial !== undefined) {
    const bytes = typeof k.importedMaterial === 'string' ? Buffer.from(k.importedMaterial, 'base64') : undefined;
    if (!bytes || bytes.length !== 32 || bytes.toString('base64') !== k.importedMaterial)
      fail('.importedMaterial must be the base64 of exactly 32 bytes');
  }
}

/**
 * Reads and checks the whole seed file before the server writes anything: a seed that
 * cannot be read or has a field of the wrong shape is a configuration error, one line,
 * and nothing is created. What KMS itself refuses (a bad key spec, a reserved alias)
 * is refused when it is applied, as the same request would be.
 */
export function readSeedFile(file: string): Seed {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SeedFileError(`KEYLEDGER_SEED_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SeedFileError(`KEYLEDGER_SEED_FILE ${file} is not JSON (${(error as Error).message})`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new SeedFileError(`KEYLEDGER_SEED_FILE ${file} must be {"keys": [...]}`);
  const aliases = new Set<string>();
  keys.forEach((key: unknown, i) => checkKey(file, `keys[${i}]`, key, aliases));
  return { keys: keys as SeedKey[] };
}

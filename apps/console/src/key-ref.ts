/**
 * A key is its id in a region: the same id can name keys of several regions (a multi-Region key's members), and
 * the ledger API reads the home region's unless told otherwise. The region travels in the page's URL, so that a
 * reload or a shared link opens the same key.
 */
export interface KeyRef {
  keyId: string;
  /** Absent: the server's home region. */
  region?: string;
}

/** The key a ledger stream belongs to: `key-<id>` is the home region's, `key-<id>@<region>` another region's. */
export function keyOfStream(streamName: string): KeyRef | null {
  const match = /^key-([^@]+)(?:@(.+))?$/.exec(streamName);
  if (match === null) return null;
  return match[2] === undefined ? { keyId: match[1]! } : { keyId: match[1]!, region: match[2] };
}

/** The query that reads `key` in its own region. */
export const inRegion = (key: KeyRef): { region?: string } => (key.region === undefined ? {} : { region: key.region });

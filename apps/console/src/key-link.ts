import type { KeyRef } from './key-ref.js';
import { href } from './router.js';

/** A key's page: its region in the URL, so that a reload or a shared link opens the same key. */
export function keyHref(key: KeyRef, params: Record<string, string | undefined> = {}): string {
  return href(['keys', key.keyId], { ...params, region: key.region });
}

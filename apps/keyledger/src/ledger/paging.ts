import { DEFAULT_PAGE_SIZE, DomainError } from '@keyledger/ledger';

/** One page of a list, and the marker of the next page when there is one. */
export interface Page<T> {
  items: T[];
  nextMarker: string | undefined;
}

/** Markers are opaque to clients: an offset into a stable order, so paging never skips or repeats. */
export function decodeMarker(marker: string | undefined): number {
  if (marker === undefined) return 0;
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(marker, 'base64url').toString('latin1'));
  if (!match) throw new DomainError('InvalidMarker', 'The request was rejected because the marker is not valid.');
  return Number(match[1]);
}

export const encodeMarker = (offset: number): string => Buffer.from(`o:${offset}`, 'latin1').toString('base64url');

/** The page of `all` that `marker` (absent: the first) and `limit` (absent: AWS's default) name. */
export function page<T>(all: readonly T[], limit: number | undefined, marker: string | undefined): Page<T> {
  const offset = decodeMarker(marker);
  const size = limit ?? DEFAULT_PAGE_SIZE;
  const items = all.slice(offset, offset + size);
  return { items, nextMarker: offset + size < all.length ? encodeMarker(offset + size) : undefined };
}

/**
 * Regions: every key and alias belongs to one, and a request acts in the region of its
 * SigV4 credential scope. The home region (KEYLEDGER_REGION) is where every ledger
 * written before regions existed keeps its keys, so its streams keep their names
 * (`key-<keyId>`, `alias-<aliasName>`); a key or alias of any other region is the
 * same id with `@<region>` after it (`key-<keyId>@eu-west-1`, `alias-alias/app@eu-west-1`).
 * `@` appears in no key id, alias name or region name, so the split is never ambiguous.
 * The view, the time index and every stream-prefix reader key by this regional id.
 */

/** AWS's region names: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-5`. */
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const SEPARATOR = '@';

export const isRegionName = (value: string): boolean => REGION_NAME.test(value);

/** The regions a server serves: `'*'` for any well-formed region name. Home is always one of them. */
export interface RegionScope {
  homeRegion: string;
  served: '*' | readonly string[];
}

export const servesRegion = (scope: RegionScope, region: string): boolean =>
  scope.served === '*' ? isRegionName(region) : scope.served.includes(region);

/** The id a key or alias of `region` has in the ledger (its stream name's suffix, the view's key). */
export const regionalId = (id: string, region: string, homeRegion: string): string =>
  region === homeRegion ? id : `${id}${SEPARATOR}${region}`;

/** The key id or alias name inside a regional id: what ARNs and sealed material name. */
export function bareId(regional: string): string {
  const at = regional.indexOf(SEPARATOR);
  return at < 0 ? regional : regional.slice(0, at);
}

/** The region a regional id belongs to: an unqualified one is the home region's. */
export function regionOf(regional: string, homeRegion: string): string {
  const at = regional.indexOf(SEPARATOR);
  return at < 0 ? homeRegion : regional.slice(at + 1);
}

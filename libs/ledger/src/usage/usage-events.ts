/**
 * Who used a key, and how: usage is aggregated in memory and appended in batches, one event per
 * (key, backing key, principal, operation, minute, outcome), to the key's usage stream. These are
 * ledger events like any other: hash-chained and covered by verify.
 */

/** The operations AWS tracks for GetKeyLastUsage (`KeyLastUsageTrackingOperation`). */
export const TRACKED_OPERATIONS = [
  'Decrypt',
  'DeriveSharedSecret',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateMac',
  'ReEncrypt',
  'Sign',
  'Verify',
  'VerifyMac',
] as const;
export type TrackedOperation = (typeof TRACKED_OPERATIONS)[number];

export const isTrackedOperation = (name: string): name is TrackedOperation =>
  (TRACKED_OPERATIONS as readonly string[]).includes(name);

/** At most this many distinct source addresses are kept per aggregate: a flood cannot grow an event. */
export const MAX_SOURCE_ADDRESSES = 8;

/** One aggregate: every use of one backing key by one principal for one operation within one minute. */
export interface KeyUsageData {
  region: string;
  keyId: string;
  /** The backing key used; null when the operation was refused before one was chosen. */
  keyMaterialId: string | null;
  principal: string;
  operation: TrackedOperation;
  /** The minute the uses fell in, as an ISO time at its start. */
  minute: string;
  count: number;
  firstAt: string;
  lastAt: string;
  lastRequestId: string;
  sourceAddresses: string[];
}

export interface KeyUsageRecorded {
  type: 'KeyUsageRecorded';
  data: KeyUsageData;
}

/** Refused attempts by authenticated principals: who tried and failed is audit evidence too. */
export interface KeyUsageRefused {
  type: 'KeyUsageRefused';
  data: KeyUsageData & { errorCode: string };
}

export type KeyUsageEvent = KeyUsageRecorded | KeyUsageRefused;

export const USAGE_EVENT_TYPES: ReadonlySet<string> = new Set(['KeyUsageRecorded', 'KeyUsageRefused']);

export const USAGE_STREAM_PREFIX = 'usage-';

/**
 * Written once, the first time a server that records usage starts on a ledger: keys older than it
 * were not tracked from their creation, and GetKeyLastUsage's TrackingStartDate says so.
 */
export interface UsageTrackingStarted {
  type: 'UsageTrackingStarted';
  data: { startedAt: string };
}

export const USAGE_TRACKING_STREAM = 'usage-tracking';

/**
 * Each regional key's usage has a stream of its own, so one key's usage is read without the others'. Named by
 * the key's regional id (identifiers/regions.ts): a home-region key's stream is `usage-<keyId>`, as before
 * regions, and a multi-Region key's replica in eu-west-1 has `usage-<keyId>@eu-west-1`.
 */
export const usageStream = (regionalKeyId: string): string => `${USAGE_STREAM_PREFIX}${regionalKeyId}`;

/** The last successful use of a key, as GetKeyLastUsage answers it. */
export interface KeyLastUsage {
  operation: TrackedOperation;
  at: string;
  requestId: string;
}

import { DomainError } from '@keyledger/ledger';
import { existingKey, isoOf, usageRefOf, usageWindow, type UsageContext } from './usage-context.js';
import { usageIn, usageTrackingStart, type UsageRow } from './usage-rows.js';

export const USAGE_DIMENSIONS = ['principal', 'operation', 'keyMaterialId', 'day'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];
export const DEFAULT_USAGE_GROUP_BY: UsageDimension[] = ['principal', 'operation', 'keyMaterialId'];

/** One group of a key's usage: the dimensions grouped by, and what happened within them. */
export interface UsageGroup {
  principal?: string;
  operation?: string;
  keyMaterialId?: string | null;
  /** The UTC day (YYYY-MM-DD) the uses fell on. */
  day?: string;
  /** Successful uses. */
  count: number;
  /** Refused attempts, and how many of each error type. */
  refused: number;
  refusals: Record<string, number>;
  /** First and last attempt of any outcome, and the request id of the last. */
  firstAt: string;
  lastAt: string;
  lastRequestId: string;
  /** The last successful use; null when every attempt was refused. */
  lastUsedAt: string | null;
  /** Where the requests came from (at most a few per aggregate). */
  sourceAddresses: string[];
}

export interface KeyUsageReport {
  keyId: string;
  arn: string;
  region: string;
  from: string;
  to: string;
  groupBy: UsageDimension[];
  /** Usage before this time was not recorded (null: nothing recorded yet on this ledger). */
  trackingStartedAt: string | null;
  totals: { count: number; refused: number };
  groups: UsageGroup[];
}

export interface KeyUsageFilter {
  from?: Date;
  to?: Date;
  /** A comma list of USAGE_DIMENSIONS; default principal,operation,keyMaterialId. */
  groupBy?: string;
  /** The key's region; default: a key ARN's own, else the home region. */
  region?: string;
}

/** groupBy as the API takes it: one dimension or a comma list, each at most once. */
export function parseGroupBy(text: string | undefined): UsageDimension[] {
  if (text === undefined || text === '') return DEFAULT_USAGE_GROUP_BY;
  const dimensions = text.split(',').map((d) => d.trim());
  for (const dimension of dimensions)
    if (!(USAGE_DIMENSIONS as readonly string[]).includes(dimension))
      throw new DomainError('Validation', `groupBy takes ${USAGE_DIMENSIONS.join(', ')} (or a comma list of them)`);
  if (new Set(dimensions).size !== dimensions.length)
    throw new DomainError('Validation', 'groupBy names a dimension twice');
  return dimensions as UsageDimension[];
}

/** A group merges many aggregates; its list of sources stays bounded all the same. */
const MAX_GROUP_SOURCES = 64;

const dimensionOf = (row: UsageRow, dimension: UsageDimension): string | null =>
  dimension === 'day' ? row.minute.slice(0, 10) : row[dimension];

/**
 * Who used a key, for which operation and with which backing key, in a window of use times, counted per
 * group. Answered from the key's usage stream alone; uses not flushed yet (at most one flush interval)
 * are not in it.
 */
export async function keyUsage(context: UsageContext, keyId: string, filter: KeyUsageFilter): Promise<KeyUsageReport> {
  const groupBy = parseGroupBy(filter.groupBy);
  const window = usageWindow(context, filter.from, filter.to);
  const key = await existingKey(context, keyId, filter.region);
  const rows = await usageIn(context.store, usageRefOf(context, key), window);
  const groups = new Map<string, UsageGroup>();
  const totals = { count: 0, refused: 0 };
  for (const row of rows) {
    const values = groupBy.map((dimension) => dimensionOf(row, dimension));
    const id = JSON.stringify(values);
    let group = groups.get(id);
    if (group === undefined) {
      group = {
        ...Object.fromEntries(groupBy.map((dimension, i) => [dimension, values[i]])),
        count: 0,
        refused: 0,
        refusals: {},
        firstAt: row.firstAt,
        lastAt: row.lastAt,
        lastRequestId: row.lastRequestId,
        lastUsedAt: null,
        sourceAddresses: [],
      };
      groups.set(id, group);
    }
    addRow(group, row);
    if (row.errorCode === null) totals.count += row.count;
    else totals.refused += row.count;
  }
  return {
    keyId: key.keyId,
    arn: key.arn,
    region: key.region,
    from: isoOf(window.from),
    to: isoOf(window.to),
    groupBy,
    trackingStartedAt: await usageTrackingStart(context.store),
    totals,
    groups: [...groups.values()].sort((a, b) => compareGroups(a, b, groupBy)),
  };
}

function addRow(group: UsageGroup, row: UsageRow): void {
  if (row.errorCode === null) {
    group.count += row.count;
    if (group.lastUsedAt === null || row.lastAt > group.lastUsedAt) group.lastUsedAt = row.lastAt;
  } else {
    group.refused += row.count;
    group.refusals[row.errorCode] = (group.refusals[row.errorCode] ?? 0) + row.count;
  }
  if (row.firstAt < group.firstAt) group.firstAt = row.firstAt;
  if (row.lastAt >= group.lastAt) {
    group.lastAt = row.lastAt;
    group.lastRequestId = row.lastRequestId;
  }
  for (const address of row.sourceAddresses)
    if (group.sourceAddresses.length < MAX_GROUP_SOURCES && !group.sourceAddresses.includes(address))
      group.sourceAddresses.push(address);
}

function compareGroups(a: UsageGroup, b: UsageGroup, groupBy: UsageDimension[]): number {
  for (const dimension of groupBy) {
    const x = a[dimension] ?? '';
    const y = b[dimension] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

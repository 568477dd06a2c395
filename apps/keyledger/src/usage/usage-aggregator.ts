import {
  MAX_SOURCE_ADDRESSES,
  type KeyLastUsage,
  type KeyUsageData,
  type KeyUsageEvent,
  type TrackedOperation,
} from '@keyledger/ledger';

/** One use, or one refused attempt, as the request path reports it. */
export interface UsageObservation {
  region: string;
  keyId: string;
  keyMaterialId: string | null;
  principal: string;
  operation: TrackedOperation;
  at: Date;
  requestId: string;
  sourceAddress: string | null;
  /** Set for a refused attempt: the AWS error type it was answered with. */
  errorCode?: string;
}

type Aggregate = KeyUsageData & { errorCode?: string };

const MINUTE_MS = 60_000;

/** What makes two uses one aggregate: the same key, backing key, principal, operation, minute and outcome. */
const aggregateId = (
  use: Pick<KeyUsageData, 'keyId' | 'keyMaterialId' | 'principal' | 'operation'>,
  minuteStart: number,
  errorCode: string | undefined,
): string =>
  `${use.keyId}\u0000${use.keyMaterialId ?? ''}\u0000${use.principal}\u0000${use.operation}\u0000${minuteStart}\u0000${errorCode ?? ''}`;

/**
 * Counts uses in memory, so that no request waits for a usage write: one map update per use.
 * `drain` hands over everything counted since the last drain, grouped by key, as the events to
 * append; `lastUse` is exact for this process even before that.
 */
export class UsageAggregator {
  private pending = new Map<string, Aggregate>();
  private readonly lastUses = new Map<string, KeyLastUsage>();

  record(use: UsageObservation): void {
    const time = use.at.getTime();
    const minuteStart = time - (time % MINUTE_MS);
    const id = aggregateId(use, minuteStart, use.errorCode);
    const at = use.at.toISOString();
    const existing = this.pending.get(id);
    if (existing === undefined) {
      this.pending.set(id, {
        region: use.region,
        keyId: use.keyId,
        keyMaterialId: use.keyMaterialId,
        principal: use.principal,
        operation: use.operation,
        minute: new Date(minuteStart).toISOString(),
        count: 1,
        firstAt: at,
        lastAt: at,
        lastRequestId: use.requestId,
        sourceAddresses: use.sourceAddress === null ? [] : [use.sourceAddress],
        ...(use.errorCode === undefined ? {} : { errorCode: use.errorCode }),
      });
    } else {
      existing.count++;
      if (at >= existing.lastAt) {
        existing.lastAt = at;
        existing.lastRequestId = use.requestId;
      }
      if (at < existing.firstAt) existing.firstAt = at;
      const sources = existing.sourceAddresses;
      if (use.sourceAddress !== null && sources.length < MAX_SOURCE_ADDRESSES && !sources.includes(use.sourceAddress))
        sources.push(use.sourceAddress);
    }
    if (use.errorCode === undefined) {
      const last = this.lastUses.get(use.keyId);
      if (last === undefined || last.at <= at)
        this.lastUses.set(use.keyId, { operation: use.operation, at, requestId: use.requestId });
    }
  }

  /** Everything counted since the last drain, as events per key, oldest minute first; the counts restart. */
  drain(): Map<string, KeyUsageEvent[]> {
    const drained = this.pending;
    this.pending = new Map();
    const byKey = new Map<string, KeyUsageEvent[]>();
    for (const aggregate of drained.values()) {
      const event: KeyUsageEvent =
        aggregate.errorCode === undefined
          ? { type: 'KeyUsageRecorded', data: aggregate }
          : { type: 'KeyUsageRefused', data: { ...aggregate, errorCode: aggregate.errorCode } };
      const events = byKey.get(aggregate.keyId);
      if (events === undefined) byKey.set(aggregate.keyId, [event]);
      else events.push(event);
    }
    for (const events of byKey.values()) events.sort((a, b) => (a.data.minute < b.data.minute ? -1 : 1));
    return byKey;
  }

  /** Puts back what a failed append did not write, so the next flush tries again. */
  restore(events: readonly KeyUsageEvent[]): void {
    for (const event of events) {
      const data = event.data;
      const errorCode = event.type === 'KeyUsageRefused' ? event.data.errorCode : undefined;
      const id = aggregateId(data, Date.parse(data.minute), errorCode);
      const existing = this.pending.get(id);
      if (existing === undefined) this.pending.set(id, { ...data, ...(errorCode === undefined ? {} : { errorCode }) });
      else {
        existing.count += data.count;
        if (data.firstAt < existing.firstAt) existing.firstAt = data.firstAt;
      }
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  lastUse(keyId: string): KeyLastUsage | undefined {
    return this.lastUses.get(keyId);
  }

  /** A last use read back from the ledger after a restart; a newer one seen since wins. */
  rememberLastUse(keyId: string, last: KeyLastUsage): void {
    const known = this.lastUses.get(keyId);
    if (known === undefined || known.at < last.at) this.lastUses.set(keyId, last);
  }
}

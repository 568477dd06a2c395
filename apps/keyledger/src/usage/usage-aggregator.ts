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
  /** Epoch milliseconds. */
  at: number;
  requestId: string;
  sourceAddress: string | null;
  /** Set for a refused attempt: the AWS error type it was answered with. */
  errorCode?: string;
}

/** The usage counted for one regional key since the last drain: what one batch on its usage stream holds. */
export interface KeyUsageBatch {
  region: string;
  keyId: string;
  events: KeyUsageEvent[];
}

/** An aggregate while it is counted: times stay numbers until it is drained, so a use formats no date. */
interface Slot {
  region: string;
  keyId: string;
  keyMaterialId: string | null;
  principal: string;
  operation: TrackedOperation;
  minuteStart: number;
  errorCode: string | undefined;
  count: number;
  firstAt: number;
  lastAt: number;
  lastRequestId: string;
  sourceAddresses: string[];
}

interface LastUse {
  operation: TrackedOperation;
  at: number;
  requestId: string;
}

/** Nested maps, one level per part of the aggregate's identity: each lookup hashes a string V8 already hashed. */
type Level<T> = Map<string, T>;
type ByOutcome = Level<Slot>;
type ByOperation = Level<ByOutcome>;
type ByPrincipal = Level<ByOperation>;
type ByMaterial = Level<ByPrincipal>;
type ByKey = Level<ByMaterial>;
type SlotTree = Level<ByKey>;

const MINUTE_MS = 60_000;

function child<T>(level: Map<string, T>, key: string, make: () => T): T {
  let next = level.get(key);
  if (next === undefined) level.set(key, (next = make()));
  return next;
}

const newLevel = <T>(): Map<string, T> => new Map<string, T>();

/**
 * Counts uses in memory, so that no request waits for a usage write: a handful of map lookups per use,
 * no string built and no date formatted (this runs on every cryptographic request). `drain` hands over
 * everything counted since the last drain, one batch per regional key, as the events to append;
 * `lastUse` is exact for this process even before that.
 */
export class UsageAggregator {
  /** By minute start, then region, key, backing key, principal, operation and outcome. */
  private pending = new Map<number, SlotTree>();
  private size = 0;
  private readonly lastUses: Level<Level<LastUse>> = new Map();

  /** The slots of one (minute, region, key, backing key, principal, operation), by outcome ('' for success). */
  private outcomes(
    minuteStart: number,
    use: Omit<KeyUsageData, 'minute' | 'count' | 'firstAt' | 'lastAt' | 'lastRequestId' | 'sourceAddresses'>,
  ): ByOutcome {
    let tree = this.pending.get(minuteStart);
    if (tree === undefined) this.pending.set(minuteStart, (tree = new Map()));
    const byKey = child(tree, use.region, newLevel<ByMaterial>);
    const byMaterial = child(byKey, use.keyId, newLevel<ByPrincipal>);
    const byPrincipal = child(byMaterial, use.keyMaterialId ?? '', newLevel<ByOperation>);
    const byOperation = child(byPrincipal, use.principal, newLevel<ByOutcome>);
    return child(byOperation, use.operation, newLevel<Slot>);
  }

  record(use: UsageObservation): void {
    const time = use.at;
    const minuteStart = time - (time % MINUTE_MS);
    const byOutcome = this.outcomes(minuteStart, use);
    const outcome = use.errorCode ?? '';
    const slot = byOutcome.get(outcome);
    if (slot === undefined) {
      byOutcome.set(outcome, {
        region: use.region,
        keyId: use.keyId,
        keyMaterialId: use.keyMaterialId,
        principal: use.principal,
        operation: use.operation,
        minuteStart,
        errorCode: use.errorCode,
        count: 1,
        firstAt: time,
        lastAt: time,
        lastRequestId: use.requestId,
        sourceAddresses: use.sourceAddress === null ? [] : [use.sourceAddress],
      });
      this.size++;
    } else {
      slot.count++;
      if (time >= slot.lastAt) {
        slot.lastAt = time;
        slot.lastRequestId = use.requestId;
      }
      if (time < slot.firstAt) slot.firstAt = time;
      const sources = slot.sourceAddresses;
      if (use.sourceAddress !== null && sources.length < MAX_SOURCE_ADDRESSES && !sources.includes(use.sourceAddress))
        sources.push(use.sourceAddress);
    }
    if (use.errorCode === undefined) this.noteLastUse(use.region, use.keyId, use.operation, time, use.requestId);
  }

  private noteLastUse(region: string, keyId: string, operation: TrackedOperation, at: number, requestId: string): void {
    const byKey = child(this.lastUses, region, newLevel<LastUse>);
    const last = byKey.get(keyId);
    if (last === undefined) byKey.set(keyId, { operation, at, requestId });
    else if (last.at <= at) {
      last.operation = operation;
      last.at = at;
      last.requestId = requestId;
    }
  }

  /** Everything counted since the last drain, one batch per regional key, oldest minute first; the counts restart. */
  drain(): KeyUsageBatch[] {
    const drained = this.pending;
    this.pending = new Map();
    this.size = 0;
    const batches = new Map<string, Map<string, KeyUsageBatch>>();
    for (const minute of [...drained.keys()].sort((a, b) => a - b))
      for (const byKey of drained.get(minute)!.values())
        for (const byMaterial of byKey.values())
          for (const byPrincipal of byMaterial.values())
            for (const byOperation of byPrincipal.values())
              for (const byOutcome of byOperation.values())
                for (const slot of byOutcome.values()) {
                  const batch = child(child(batches, slot.region, newLevel<KeyUsageBatch>), slot.keyId, () => ({
                    region: slot.region,
                    keyId: slot.keyId,
                    events: [],
                  }));
                  batch.events.push(eventOf(slot));
                }
    return [...batches.values()].flatMap((byKey) => [...byKey.values()]);
  }

  /** Puts back what a failed append did not write, so the next flush tries again. */
  restore(events: readonly KeyUsageEvent[]): void {
    for (const event of events) {
      const data = event.data;
      const errorCode = event.type === 'KeyUsageRefused' ? event.data.errorCode : undefined;
      const minuteStart = Date.parse(data.minute);
      const byOutcome = this.outcomes(minuteStart, data);
      const firstAt = Date.parse(data.firstAt);
      const lastAt = Date.parse(data.lastAt);
      const slot = byOutcome.get(errorCode ?? '');
      if (slot === undefined) {
        byOutcome.set(errorCode ?? '', {
          region: data.region,
          keyId: data.keyId,
          keyMaterialId: data.keyMaterialId,
          principal: data.principal,
          operation: data.operation,
          minuteStart,
          errorCode,
          count: data.count,
          firstAt,
          lastAt,
          lastRequestId: data.lastRequestId,
          sourceAddresses: [...data.sourceAddresses],
        });
        this.size++;
        continue;
      }
      slot.count += data.count;
      if (firstAt < slot.firstAt) slot.firstAt = firstAt;
      if (lastAt > slot.lastAt) {
        slot.lastAt = lastAt;
        slot.lastRequestId = data.lastRequestId;
      }
      for (const source of data.sourceAddresses)
        if (slot.sourceAddresses.length < MAX_SOURCE_ADDRESSES && !slot.sourceAddresses.includes(source))
          slot.sourceAddresses.push(source);
    }
  }

  get pendingCount(): number {
    return this.size;
  }

  lastUse(keyId: string, region: string): KeyLastUsage | undefined {
    const last = this.lastUses.get(region)?.get(keyId);
    return last === undefined
      ? undefined
      : { operation: last.operation, at: new Date(last.at).toISOString(), requestId: last.requestId };
  }
}

function eventOf(slot: Slot): KeyUsageEvent {
  const data: KeyUsageData = {
    region: slot.region,
    keyId: slot.keyId,
    keyMaterialId: slot.keyMaterialId,
    principal: slot.principal,
    operation: slot.operation,
    minute: new Date(slot.minuteStart).toISOString(),
    count: slot.count,
    firstAt: new Date(slot.firstAt).toISOString(),
    lastAt: new Date(slot.lastAt).toISOString(),
    lastRequestId: slot.lastRequestId,
    sourceAddresses: slot.sourceAddresses,
  };
  return slot.errorCode === undefined
    ? { type: 'KeyUsageRecorded', data }
    : { type: 'KeyUsageRefused', data: { ...data, errorCode: slot.errorCode } };
}

import { Inject, Injectable } from '@nestjs/common';
import {
  decideKey,
  memberRegionsNamedBy,
  multiRegionKeyTypeOf,
  primaryMoveToFinish,
  type Clock,
  type KeyAggregate,
} from '@keyledger/ledger';
import { LedgerRepository } from '@keyledger/key-store';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG } from '../infrastructure/tokens.js';
import type { RequestContext } from '../ledger/request-context.js';
import { placeOf, refIn } from '../regions/request-region.js';
import { MultiRegionKeys } from './multi-region-keys.js';

/**
 * What a repair recorded, by kind: replicas a primary learnt of, or of whose deletion; replicas given backing
 * keys they lacked; members that recorded a primary move they had missed.
 */
export interface RepairReport {
  replicasRecorded: number;
  replicasForgotten: number;
  replicasDelivered: number;
  primaryMovesRecorded: number;
}

export const NOTHING_REPAIRED: Readonly<RepairReport> = Object.freeze({
  replicasRecorded: 0,
  replicasForgotten: 0,
  replicasDelivered: 0,
  primaryMovesRecorded: 0,
});

export const repairedAnything = (report: RepairReport): boolean => Object.values(report).some((count) => count > 0);

/**
 * A key's members are found by following the regions each names; a key has at most one member per region,
 * and no server serves this many regions, so the bound only guards against a damaged ledger.
 */
const MAX_MEMBERS = 64;

/**
 * Finishes multi-Region writes a crash cut short. A change is appended to one member's stream, then to the
 * others' (ReplicateKey: the replica's first; a rotation, a deletion, UpdatePrimaryRegion: the deciding
 * member's first), so a crash in between leaves members that disagree. Each step is an ordinary decision on
 * the stream it changes, loaded from the store, appended with its expected revision, and decides nothing
 * when nothing is missing: running it twice, or on two servers, records each fact once.
 */
@Injectable()
export class MultiRegionRepair {
  constructor(
    private readonly repository: LedgerRepository,
    private readonly multiRegion: MultiRegionKeys,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  /**
   * Around a primary: a replica the primary does not list (`unlistedRegions`, which the caller found), a
   * replica without a backing key the primary has, or a primary still listing a replica whose deletion
   * completed (refusing to replicate there again).
   */
  async repair(
    primaryRef: string,
    context: RequestContext,
    unlistedRegions: readonly string[] = [],
  ): Promise<RepairReport> {
    const report: RepairReport = { ...NOTHING_REPAIRED };
    let primary = (await this.repository.loadKey(primaryRef))?.state;
    if (!primary || primary.deleted || multiRegionKeyTypeOf(primary) !== 'PRIMARY') return report;
    for (const region of unlistedRegions) {
      const replica = (await this.repository.loadKey(this.refOf(primary, region)))?.state;
      if (!replica || replica.deleted || replica.multiRegion?.primaryRegion !== primary.region) continue;
      const recorded = await this.repository.decideOnKey(
        primaryRef,
        (state) => decideKey({ type: 'RecordReplica', replicaRegion: region, now: this.clock.now() }, state),
        context,
      );
      primary = recorded.state;
      if (recorded.events.length > 0) report.replicasRecorded++;
    }
    for (const region of primary.multiRegion!.replicaRegions) {
      const replica = (await this.repository.loadKey(this.refOf(primary, region)))?.state;
      if (!replica?.deleted) continue;
      const forgot = await this.repository.decideOnKey(
        primaryRef,
        (state) => decideKey({ type: 'ForgetReplica', replicaRegion: region, now: this.clock.now() }, state),
        context,
      );
      primary = forgot.state;
      if (forgot.events.length > 0) report.replicasForgotten++;
    }
    report.replicasDelivered = (await this.multiRegion.deliver(primary, context)).size;
    return report;
  }

  /**
   * An UpdatePrimaryRegion recorded on some members only (`memberRef`: any member of the key). The members
   * are read from the store, the domain (primaryMoveToFinish) says which move stands and who has still to
   * record it, and each records it with FollowPrimaryRegion, the new primary first, as the request would
   * have. Then the new primary's own gaps are repaired as any primary's: a replica the old primary listed but
   * which was deleted meanwhile is forgotten; a backing key one lacks is delivered.
   */
  async finishPrimaryMove(memberRef: string, context: RequestContext): Promise<RepairReport> {
    const { region, id: keyId } = placeOf(this.config, memberRef);
    const members = await this.membersOf(keyId, region);
    const finish = primaryMoveToFinish(members);
    if (!finish) return { ...NOTHING_REPAIRED };
    let recorded = 0;
    for (const follower of finish.followers) {
      const followed = await this.repository.decideOnKey(
        refIn(this.config, follower, keyId),
        (state) => decideKey({ type: 'FollowPrimaryRegion', update: finish.move, now: this.clock.now() }, state),
        context,
      );
      if (followed.events.length > 0) recorded++;
    }
    const primaryRegion = finish.move.primaryRegion;
    const others = members.map((m) => m.region).filter((r) => r !== primaryRegion);
    const around = await this.repair(refIn(this.config, primaryRegion, keyId), context, others);
    return { ...around, primaryMovesRecorded: recorded };
  }

  /** Every member of a key that the members reached from `region` name, each as its stream has it. */
  private async membersOf(keyId: string, region: string): Promise<KeyAggregate[]> {
    const members: KeyAggregate[] = [];
    const seen = new Set<string>();
    const next = [region];
    while (next.length > 0 && seen.size < MAX_MEMBERS) {
      const at = next.shift()!;
      if (seen.has(at)) continue;
      seen.add(at);
      // Fresh from the store: the cache may be behind another server's writes, and this decides what to append.
      const member = (await this.repository.loadKey(refIn(this.config, at, keyId), true))?.state;
      if (!member?.exists) continue;
      members.push(member);
      next.push(...memberRegionsNamedBy(member));
    }
    return members;
  }

  private refOf(key: Pick<KeyAggregate, 'keyId'>, region: string): string {
    return refIn(this.config, region, key.keyId);
  }
}

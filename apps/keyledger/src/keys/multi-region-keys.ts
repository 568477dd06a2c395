import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  backingKeysToDeliver,
  decideKey,
  defaultKeyPolicyText,
  DomainError,
  keyArnOf,
  multiRegionKeyTypeOf,
  servesRegion,
  type BackingKeyArrival,
  type Clock,
  type KeyAggregate,
  type KeyCommand,
  type KeyEvent,
  type KeyPrimaryRegionUpdated,
  type Tag,
} from '@keyledger/ledger';
import { InitialKeyPolicy } from '../authorization/initial-key-policy.js';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { BackingKeys } from '../cryptography/backing-keys.js';
import { CLOCK, CONFIG } from '../infrastructure/tokens.js';
import { LedgerRepository } from '@keyledger/key-store';
import type { RequestContext } from '../ledger/request-context.js';
import { refIn, scopeIn } from '../regions/request-region.js';
import { KeyResolver } from './key-resolver.js';

export interface ReplicateKeyInput {
  keyId: string;
  replicaRegion: string;
  description: string;
  tags: Tag[];
  policy?: { text: string; bypassLockoutSafetyCheck: boolean };
}

export interface ReplicatedKey {
  replica: KeyAggregate;
  /** Every replica of the key, the new one among them. */
  replicaRegions: readonly string[];
  policyText: string;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Multi-Region keys across their streams. The rules are the ledger's (multi-region-decider); this
 * carries their facts from one region's stream to another's: a replica's creation, each backing key
 * the primary gets (copied under the replica's own shred key, so crypto-shredding stays per replica),
 * the primary's move, and a replica's deletion back to the primary.
 */
@Injectable()
export class MultiRegionKeys {
  private readonly logger = new Logger('MultiRegionKeys');

  constructor(
    private readonly repository: LedgerRepository,
    private readonly keys: KeyResolver,
    private readonly backingKeys: BackingKeys,
    private readonly policies: InitialKeyPolicy,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  private refOf(key: Pick<KeyAggregate, 'keyId'>, region: string): string {
    return refIn(this.config, region, key.keyId);
  }

  async replicate(input: ReplicateKeyInput, context: RequestContext): Promise<ReplicatedKey> {
    const primary = await this.keys.resolve(input.keyId, { allowAlias: false, region: context.region });
    const { replicaRegion } = input;
    const replicaArn = keyArnOf(scopeIn(this.config, replicaRegion), primary.keyId);
    const replicate = (now: Date): KeyCommand => ({ type: 'ReplicateKey', replicaRegion, replicaArn, now });
    // Refused before anything is made: not a primary, pending deletion, the region holds the key already.
    const refused = decideKey(replicate(this.clock.now()), primary.state);
    if (refused instanceof DomainError) throw refused;
    if (!servesRegion(this.config.regions, replicaRegion))
      throw new DomainError(
        'Unsupported',
        `Region ${replicaRegion} is not one this Keyledger serves (KEYLEDGER_REGIONS).`,
      );

    const now = this.clock.now();
    const arrivals = await this.arrivalsFor(primary.ref, primary.state, new Set());
    const replicaRef = this.refOf(primary, replicaRegion);
    let replica: KeyAggregate;
    try {
      const policy = this.policies.decide(replicaArn, input.policy, context, now);
      const command: KeyCommand = {
        type: 'CreateReplica',
        keyId: primary.keyId,
        arn: replicaArn,
        accountId: this.config.accountId,
        region: replicaRegion,
        description: input.description,
        tags: input.tags,
        primary: {
          region: primary.state.region,
          keySpec: primary.state.keySpec,
          keyUsage: primary.state.keyUsage,
          origin: primary.state.origin,
        },
        arrivals,
        now,
      };
      const created = await this.repository.decideOnKey(
        replicaRef,
        (state) => policy.after(decideKey(command, state)),
        context,
      );
      replica = created.state;
    } catch (error) {
      for (const a of arrivals) this.backingKeys.discard(a);
      throw error;
    }
    // Recorded once, whoever gets there first: this request, or a sweep's repair that found the replica first.
    const recorded = await this.repository.decideOnKey(
      primary.ref,
      (state) => decideKey({ type: 'RecordReplica', replicaRegion, now: this.clock.now() }, state),
      context,
    );
    // A rotation between the copy and the record reaches the new replica here.
    replica = (await this.deliver(recorded.state, context)).get(replicaRegion) ?? replica;
    return {
      replica,
      replicaRegions: recorded.state.multiRegion?.replicaRegions ?? [replicaRegion],
      policyText: input.policy?.text ?? defaultKeyPolicyText(this.config.accountId),
    };
  }

  async updatePrimaryRegion(keyIdInput: string, primaryRegion: string, context: RequestContext): Promise<void> {
    const primary = await this.keys.resolve(keyIdInput, { allowAlias: false, region: context.region });
    const newPrimaryRef = this.refOf(primary, primaryRegion);
    const newPrimary = servesRegion(this.config.regions, primaryRegion)
      ? (await this.repository.loadKey(newPrimaryRef))?.state
      : undefined;
    const outcome = await this.repository.decideOnKey(
      primary.ref,
      (state) =>
        decideKey(
          {
            type: 'UpdatePrimaryRegion',
            primaryRegion,
            newPrimary,
            newPrimaryArn: keyArnOf(scopeIn(this.config, primaryRegion), primary.keyId),
            now: this.clock.now(),
          },
          state,
        ),
      context,
    );
    const moved = outcome.events.find((e): e is KeyPrimaryRegionUpdated => e.type === 'KeyPrimaryRegionUpdated');
    if (!moved) return;
    // Every other member records the move on its own stream: the new primary first.
    const others = [primaryRegion, ...moved.data.replicaRegions.filter((r) => r !== primary.state.region)];
    for (const region of others)
      await this.repository.decideOnKey(
        this.refOf(primary, region),
        (state) => decideKey({ type: 'FollowPrimaryRegion', update: moved.data, now: this.clock.now() }, state),
        context,
      );
  }

  /**
   * What a change on a key's stream means for the other members: a primary's new backing key goes to
   * every replica; a replica's completed deletion is recorded on its primary. The change is durable
   * already, so a failure here is logged, not answered: the next change (or rotation) delivers again.
   */
  async afterChange(state: KeyAggregate, events: readonly KeyEvent[], context: RequestContext): Promise<void> {
    const role = multiRegionKeyTypeOf(state);
    if (role === undefined) return;
    try {
      if (role === 'PRIMARY' && events.some((e) => e.type === 'KeyMaterialGenerated'))
        await this.deliver(state, context);
      if (role === 'REPLICA' && events.some((e) => e.type === 'KeyDeleted')) {
        const primaryRegion = state.multiRegion!.primaryRegion;
        await this.repository.decideOnKey(
          this.refOf(state, primaryRegion),
          (primary) =>
            decideKey({ type: 'ForgetReplica', replicaRegion: state.region, now: this.clock.now() }, primary),
          context,
        );
      }
    } catch (error) {
      this.logger.error(
        `multi-Region key ${state.keyId} (${state.region}): the change could not reach the other regions: ${String(error)}`,
      );
    }
  }

  /** Every backing key of the primary that a replica lacks, copied to it. Returns the replicas that changed. */
  async deliver(primary: KeyAggregate, context: RequestContext): Promise<Map<string, KeyAggregate>> {
    const changed = new Map<string, KeyAggregate>();
    if (multiRegionKeyTypeOf(primary) !== 'PRIMARY') return changed;
    const primaryRef = this.refOf(primary, primary.region);
    for (const region of primary.multiRegion!.replicaRegions) {
      const ref = this.refOf(primary, region);
      const replica = (await this.repository.loadKey(ref))?.state;
      if (!replica || replica.deleted) continue;
      const arrivals = await this.arrivalsFor(
        primaryRef,
        primary,
        new Set(replica.backingKeys.map((b) => b.keyMaterialId)),
      );
      if (arrivals.length === 0) continue;
      let recorded: Set<string>;
      try {
        const outcome = await this.repository.decideOnKey(
          ref,
          (state) =>
            decideKey(
              { type: 'ReceiveBackingKeys', fromRegion: primary.region, arrivals, now: this.clock.now() },
              state,
            ),
          context,
        );
        changed.set(region, outcome.state);
        recorded = new Set(outcome.events.map((e) => (e.data as { keyMaterialId?: string }).keyMaterialId ?? ''));
      } catch (error) {
        for (const a of arrivals) this.backingKeys.discard(a);
        throw error;
      }
      // Copies another delivery recorded first are not kept.
      for (const a of arrivals) if (!recorded.has(a.keyMaterialId)) this.backingKeys.discard(a);
    }
    return changed;
  }

  /** The regions of every replica of a multi-Region key (kept by its primary); empty for any other key. */
  async replicaRegionsOf(key: KeyAggregate): Promise<readonly string[]> {
    if (!key.multiRegion) return [];
    if (multiRegionKeyTypeOf(key) === 'PRIMARY') return key.multiRegion.replicaRegions;
    return (await this.primaryOf(key))?.multiRegion?.replicaRegions ?? [];
  }

  /** The primary of a multi-Region replica (its shared rotation settings, its imported material). */
  async primaryOf(key: KeyAggregate): Promise<KeyAggregate | undefined> {
    if (!key.multiRegion) return undefined;
    if (multiRegionKeyTypeOf(key) === 'PRIMARY') return key;
    const primary = (await this.repository.loadKey(this.refOf(key, key.multiRegion.primaryRegion)))?.state;
    return primary && !primary.deleted ? primary : undefined;
  }

  /** For an import into a replica: the KeyMaterialIds imported into its primary (undefined: not a replica). */
  async sharedKeyMaterialIds(key: KeyAggregate): Promise<string[] | undefined> {
    if (multiRegionKeyTypeOf(key) !== 'REPLICA') return undefined;
    const primary = await this.primaryOf(key);
    return (primary?.backingKeys ?? []).filter((b) => b.origin === 'EXTERNAL').map((b) => b.keyMaterialId);
  }

  /** Copies of the backing keys a replica lacks, each sealed under a new shred key of the replica's own. */
  private async arrivalsFor(
    primaryRef: string,
    primary: KeyAggregate,
    held: ReadonlySet<string>,
  ): Promise<BackingKeyArrival[]> {
    const arrivals: BackingKeyArrival[] = [];
    try {
      for (const b of backingKeysToDeliver(primary, held)) {
        const copy = await this.backingKeys.copy(primaryRef, b, primary.keySpec);
        arrivals.push({
          ...copy,
          current: b.keyMaterialId === primary.currentKeyMaterialId,
          rotationDate: iso(b.rotationDate),
          rotationType: b.rotationType,
        });
      }
    } catch (error) {
      for (const a of arrivals) this.backingKeys.discard(a);
      throw error;
    }
    return arrivals;
  }
}

import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  bareId,
  decideKey,
  keyArnOf,
  needsNewBackingKey,
  type Clock,
  type KeyAggregate,
  type KeyChangeCommand,
  type KeyCommand,
  type KeyEvent,
  type KeyUsage,
  type NewBackingKey,
  type Origin,
  type ServedKeySpec,
  type Tag,
} from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { BackingKeys } from '../cryptography/backing-keys.js';
import { CLOCK, CONFIG } from '../infrastructure/tokens.js';
import { LedgerRepository, type Outcome } from '@keyledger/key-store';
import type { RequestContext } from '../ledger/request-context.js';
import { refIn, scopeIn } from '../regions/request-region.js';
import { InitialKeyPolicy } from '../authorization/initial-key-policy.js';
import { KeyResolver } from './key-resolver.js';
import { MultiRegionKeys } from './multi-region-keys.js';

export class CreateKeyCommand extends Command<KeyAggregate> {
  constructor(
    readonly input: {
      description: string;
      origin: Origin;
      tags: Tag[];
      keySpec?: ServedKeySpec;
      keyUsage?: KeyUsage;
      /** A key policy in place of the default one, and whether to skip the lockout safety check. */
      policy?: { text: string; bypassLockoutSafetyCheck: boolean };
      /** A multi-Region primary key: its id is `mrk-` and 32 hex digits, shared by every replica. */
      multiRegion?: boolean;
    },
    readonly context: RequestContext,
  ) {
    super();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What the handler supplies to a change: the time, fresh material, the limits of its configuration. */
type HandlerSupplied = 'now' | 'backingKey' | 'maxOnDemandRotations';
/** Import commands carry material the import handlers make; they have commands of their own. */
type MadeByImportHandlers = { type: 'GetParametersForImport' | 'ImportKeyMaterial' };

/** A change to a key as the edge asks for it: the ledger's command without what the handler supplies. */
export type KeyChange = DistributiveOmit<Exclude<KeyChangeCommand, MadeByImportHandlers>, HandlerSupplied>;

/** The key after the change, and the events the change recorded (none when nothing changed). */
export interface KeyChangeOutcome {
  state: KeyAggregate;
  events: KeyEvent[];
}

export class ChangeKeyCommand extends Command<KeyChangeOutcome> {
  constructor(
    /** The KeyId as the caller gave it (key id or key ARN): resolved once, by the handler. */
    readonly keyId: string,
    readonly change: KeyChange,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(CreateKeyCommand)
export class CreateKeyHandler implements ICommandHandler<CreateKeyCommand, KeyAggregate> {
  constructor(
    private readonly repository: LedgerRepository,
    private readonly backingKeys: BackingKeys,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
    private readonly policies: InitialKeyPolicy,
  ) {}

  async execute({ input, context }: CreateKeyCommand): Promise<KeyAggregate> {
    const keyId = input.multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
    const keySpec = input.keySpec ?? 'SYMMETRIC_DEFAULT';
    const backingKey = input.origin === 'AWS_KMS' ? await this.backingKeys.generateFor(keyId, keySpec) : undefined;
    const { region } = context;
    const command: KeyCommand = {
      type: 'CreateKey',
      keyId,
      arn: keyArnOf(scopeIn(this.config, region), keyId),
      accountId: this.config.accountId,
      region,
      description: input.description,
      origin: input.origin,
      keySpec,
      keyUsage: input.keyUsage ?? 'ENCRYPT_DECRYPT',
      tags: input.tags,
      backingKey,
      multiRegion: input.multiRegion === true,
      now: this.clock.now(),
    };
    try {
      const policy = this.policies.decide(command.arn, input.policy, context, command.now);
      const ref = refIn(this.config, region, keyId);
      const outcome = await this.repository.decideOnKey(
        ref,
        (state) => policy.after(decideKey(command, state)),
        context,
        { expectNew: true },
      );
      return outcome.state;
    } catch (error) {
      if (backingKey) this.backingKeys.discard(backingKey);
      throw error;
    }
  }
}

/**
 * Every change to an existing key takes this one path: the id is resolved once
 * (no load), the key is loaded once by the repository, the decider decides (and
 * answers NotFound itself, with the ARN it was asked by), the events are appended.
 */
@CommandHandler(ChangeKeyCommand)
export class ChangeKeyHandler implements ICommandHandler<ChangeKeyCommand, KeyChangeOutcome> {
  constructor(
    private readonly repository: LedgerRepository,
    private readonly keys: KeyResolver,
    private readonly backingKeys: BackingKeys,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
    private readonly multiRegion: MultiRegionKeys,
  ) {}

  async execute({ keyId: keyIdInput, change, context }: ChangeKeyCommand): Promise<KeyChangeOutcome> {
    const ref = await this.keys.refOf(keyIdInput, { allowAlias: false, region: context.region });
    const keyId = bareId(ref);
    const arn = keyArnOf(scopeIn(this.config, context.region), keyId);
    const now = this.clock.now();
    const maxOnDemandRotations = this.config.maxOnDemandRotations;
    // Made once, and only when the decision could use it, so a refused rotation leaves no orphan shred key.
    let material: NewBackingKey | undefined;
    const decide = (state: KeyAggregate) => {
      const backingKey = needsNewBackingKey(change.type, state, now.getTime())
        ? (material ??= this.backingKeys.generate(keyId))
        : undefined;
      const supplied = { arn, now, backingKey, maxOnDemandRotations };
      const command: KeyCommand = { ...change, ...supplied };
      return decideKey(command, state);
    };
    let outcome: Outcome<KeyAggregate, KeyEvent>;
    try {
      outcome = await this.repository.decideOnKey(ref, decide, context);
    } catch (error) {
      if (material) this.backingKeys.discard(material);
      throw error;
    }
    // Made for a decision that, on fresh state, did not use it (another server rotated first).
    if (material && !outcome.events.some((e) => e.type === 'KeyMaterialGenerated')) this.backingKeys.discard(material);
    // The event is durable first; then the shred keys go. A crash in between is
    // finished by the scheduler's start-up sweep, which destroys what events say is destroyed.
    const destroyed = outcome.events.flatMap((e) =>
      'destroyedShredKeyIds' in e.data ? (e.data.destroyedShredKeyIds ?? []) : [],
    );
    if (destroyed.length > 0) this.backingKeys.destroy(ref, destroyed);
    if (outcome.events.length > 0) await this.multiRegion.afterChange(outcome.state, outcome.events, context);
    return { state: outcome.state, events: outcome.events };
  }
}

import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  decideKey,
  dueWork,
  keyStateOf,
  type Clock,
  type KeyAggregate,
  type KeyCommand,
  type KeyEvent,
  type KeyUsage,
  type NewBackingKey,
  type Origin,
  type ServedKeySpec,
  type Tag,
  keyArnOf,
} from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { BackingKeys } from '../cryptography/backing-keys.js';
import { CLOCK, CONFIG } from '../infrastructure/tokens.js';
import { LedgerRepository, type Outcome } from '../ledger/ledger-repository.js';
import type { RequestContext } from '../ledger/request-context.js';

export class CreateKeyCommand extends Command<KeyAggregate> {
  constructor(
    readonly input: {
      description: string;
      origin: Origin;
      tags: Tag[];
      keySpec?: ServedKeySpec;
      keyUsage?: KeyUsage;
    },
    readonly context: RequestContext,
  ) {
    super();
  }
}

/** A key command without what the handler supplies: the time, fresh material and limits. */
export type KeyChange =
  | { type: 'EnableKey' }
  | { type: 'DisableKey' }
  | { type: 'UpdateKeyDescription'; description: string }
  | { type: 'EnableKeyRotation'; rotationPeriodInDays?: number }
  | { type: 'DisableKeyRotation' }
  | { type: 'RotateKeyOnDemand' }
  | { type: 'RotateKeyIfDue' }
  | { type: 'ScheduleKeyDeletion'; pendingWindowInDays?: number }
  | { type: 'CancelKeyDeletion' }
  | { type: 'CompleteKeyDeletionIfDue' }
  | { type: 'TagResource'; tags: Tag[] }
  | { type: 'UntagResource'; tagKeys: string[] }
  | { type: 'DeleteImportedKeyMaterial'; keyMaterialId?: string }
  | { type: 'ExpireKeyMaterialIfDue' };

/** The key after the change, and the events the change recorded (none when nothing changed). */
export interface KeyChangeOutcome {
  state: KeyAggregate;
  events: KeyEvent[];
}

export class ChangeKeyCommand extends Command<KeyChangeOutcome> {
  constructor(
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
  ) {}

  async execute({ input, context }: CreateKeyCommand): Promise<KeyAggregate> {
    const keyId = randomUUID();
    const keySpec = input.keySpec ?? 'SYMMETRIC_DEFAULT';
    const backingKey = input.origin === 'AWS_KMS' ? await this.backingKeys.generateFor(keyId, keySpec) : undefined;
    const command: KeyCommand = {
      type: 'CreateKey',
      keyId,
      arn: keyArnOf(this.config, keyId),
      accountId: this.config.accountId,
      region: this.config.region,
      description: input.description,
      origin: input.origin,
      keySpec,
      keyUsage: input.keyUsage ?? 'ENCRYPT_DECRYPT',
      tags: input.tags,
      backingKey,
      now: this.clock.now(),
    };
    try {
      const outcome = await this.repository.decideOnKey(keyId, (state) => decideKey(command, state), context, {
        expectNew: true,
      });
      return outcome.state;
    } catch (error) {
      if (backingKey) this.backingKeys.discard(backingKey);
      throw error;
    }
  }
}

const NEEDS_NEW_MATERIAL = new Set<KeyChange['type']>(['RotateKeyOnDemand', 'RotateKeyIfDue']);

@CommandHandler(ChangeKeyCommand)
export class ChangeKeyHandler implements ICommandHandler<ChangeKeyCommand, KeyChangeOutcome> {
  constructor(
    private readonly repository: LedgerRepository,
    private readonly backingKeys: BackingKeys,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  async execute({ keyId, change, context }: ChangeKeyCommand): Promise<KeyChangeOutcome> {
    const now = this.clock.now();
    // Material is made once, and only when the decision could use it, so a refused
    // rotation leaves no orphan shred key behind.
    let material: NewBackingKey | undefined;
    const materialFor = (state: KeyAggregate): NewBackingKey | undefined => {
      if (!NEEDS_NEW_MATERIAL.has(change.type) || state.origin !== 'AWS_KMS' || keyStateOf(state) !== 'Enabled')
        return undefined;
      if (change.type === 'RotateKeyIfDue' && !dueWork(state, now.getTime()).rotate) return undefined;
      return (material ??= this.backingKeys.generate(keyId));
    };
    const decide = (state: KeyAggregate) => {
      const backingKey = materialFor(state);
      if (change.type === 'RotateKeyIfDue' && !backingKey) return [];
      const command = {
        ...change,
        now,
        backingKey,
        maxOnDemandRotations: this.config.maxOnDemandRotations,
      } as KeyCommand;
      return decideKey(command, state);
    };
    let outcome: Outcome<KeyAggregate, KeyEvent>;
    try {
      outcome = await this.repository.decideOnKey(keyId, decide, context);
    } catch (error) {
      if (material) this.backingKeys.discard(material);
      throw error;
    }
    // Made for a decision that, on fresh state, did not use it (another server rotated first).
    if (material && !outcome.events.some((e) => e.type === 'KeyMaterialGenerated')) this.backingKeys.discard(material);
    // The event is durable first; then the shred keys go. A crash in between is
    // finished by the scheduler's start-up sweep, which destroys what events say is destroyed.
    const destroyed = outcome.events.flatMap((e) =>
      'destroyedShredKeyIds' in e.data ? e.data.destroyedShredKeyIds : [],
    );
    if (destroyed.length > 0) this.backingKeys.destroy(keyId, destroyed);
    return { state: outcome.state, events: outcome.events };
  }
}

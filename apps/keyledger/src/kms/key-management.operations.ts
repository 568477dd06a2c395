import { Inject, Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainError, keyStateOf, type KeyAggregate } from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { ChangeKeyCommand, CreateKeyCommand, type KeyChange } from '../keys/key-commands.js';
import { GetKeyQuery, ListKeysQuery } from '../keys/key-queries.js';
import { MultiRegionKeys } from '../keys/multi-region-keys.js';
import { page } from '../ledger/paging.js';
import type { RequestContext } from '../ledger/request-context.js';
import { keyMetadata, pageFields, rotationEntries } from './aws-responses.js';
import { checkCreateKey } from './key-request-rules.js';
import type { OperationFamily } from './operation-table.js';

export type KeyManagementOperation =
  | 'CreateKey'
  | 'DescribeKey'
  | 'ListKeys'
  | 'UpdateKeyDescription'
  | 'EnableKey'
  | 'DisableKey'
  | 'EnableKeyRotation'
  | 'DisableKeyRotation'
  | 'GetKeyRotationStatus'
  | 'RotateKeyOnDemand'
  | 'ListKeyRotations'
  | 'ScheduleKeyDeletion'
  | 'CancelKeyDeletion'
  | 'TagResource'
  | 'UntagResource'
  | 'ListResourceTags';

const SYMMETRIC_DEFAULT = 'SYMMETRIC_DEFAULT';

/** Keys themselves: creation, description, state, rotation, deletion, tags. */
@Injectable()
export class KeyManagementOperations {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
    private readonly multiRegion: MultiRegionKeys,
  ) {}

  readonly handlers: OperationFamily<KeyManagementOperation> = {
    CreateKey: async (input, context) => {
      const { keySpec, keyUsage } = checkCreateKey(input);
      const key = await this.commands.execute(
        new CreateKeyCommand(
          {
            description: input.Description ?? '',
            origin: (input.Origin ?? 'AWS_KMS') as 'AWS_KMS' | 'EXTERNAL',
            tags: (input.Tags ?? []).map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })),
            keySpec,
            keyUsage,
            multiRegion: input.MultiRegion === true,
            ...(input.Policy === undefined
              ? {}
              : {
                  policy: {
                    text: input.Policy,
                    bypassLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck === true,
                  },
                }),
          },
          context,
        ),
      );
      return { KeyMetadata: keyMetadata(key, this.config) };
    },
    DescribeKey: async (input, context) => {
      const key = await this.key(input.KeyId, true, context);
      return { KeyMetadata: keyMetadata(key, this.config, await this.multiRegion.replicaRegionsOf(key)) };
    },
    ListKeys: async (input, context) => {
      const listed = await this.queries.execute(new ListKeysQuery(context.region, input.Limit, input.Marker));
      return { Keys: listed.items.map((k) => ({ KeyId: k.keyId, KeyArn: k.state.arn })), ...pageFields(listed) };
    },
    UpdateKeyDescription: (input, context) =>
      this.change(input.KeyId, { type: 'UpdateKeyDescription', description: input.Description }, context),
    EnableKey: (input, context) => this.change(input.KeyId, { type: 'EnableKey' }, context),
    DisableKey: (input, context) => this.change(input.KeyId, { type: 'DisableKey' }, context),
    EnableKeyRotation: (input, context) =>
      this.change(
        input.KeyId,
        { type: 'EnableKeyRotation', rotationPeriodInDays: input.RotationPeriodInDays },
        context,
      ),
    DisableKeyRotation: (input, context) => this.change(input.KeyId, { type: 'DisableKeyRotation' }, context),
    GetKeyRotationStatus: async (input, context) => {
      const asked = await this.key(input.KeyId, false, context);
      // Rotation settings are shared by a multi-Region key's members: its primary keeps them.
      const key = (await this.multiRegion.primaryOf(asked)) ?? asked;
      // AWS rotates symmetric encryption keys only, and says so for the others.
      if (key.keySpec !== SYMMETRIC_DEFAULT)
        throw new DomainError(
          'Unsupported',
          `${key.arn} key spec is ${key.keySpec} which is not valid for this operation.`,
        );
      return {
        KeyId: asked.arn,
        KeyRotationEnabled: key.rotationEnabled,
        RotationPeriodInDays: key.rotationEnabled ? (key.rotationPeriodInDays ?? undefined) : undefined,
        NextRotationDate:
          key.rotationEnabled && key.nextRotationDate !== null ? new Date(key.nextRotationDate) : undefined,
      };
    },
    RotateKeyOnDemand: async (input, context) => {
      const key = await this.changed(input.KeyId, { type: 'RotateKeyOnDemand' }, context);
      return { KeyId: key.arn };
    },
    ListKeyRotations: async (input, context) => {
      const key = await this.key(input.KeyId, false, context);
      const listed = page(
        rotationEntries(key, input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL'),
        input.Limit,
        input.Marker,
      );
      return { Rotations: listed.items, ...pageFields(listed) };
    },
    ScheduleKeyDeletion: async (input, context) => {
      const key = await this.changed(
        input.KeyId,
        { type: 'ScheduleKeyDeletion', pendingWindowInDays: input.PendingWindowInDays },
        context,
      );
      return {
        KeyId: key.arn,
        DeletionDate: key.deletionDate === null ? undefined : new Date(key.deletionDate),
        KeyState: keyStateOf(key),
        PendingWindowInDays: key.pendingWindowInDays ?? undefined,
      };
    },
    CancelKeyDeletion: async (input, context) => {
      const key = await this.changed(input.KeyId, { type: 'CancelKeyDeletion' }, context);
      return { KeyId: key.arn };
    },
    TagResource: (input, context) =>
      this.change(
        input.KeyId,
        { type: 'TagResource', tags: input.Tags.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })) },
        context,
      ),
    UntagResource: (input, context) =>
      this.change(input.KeyId, { type: 'UntagResource', tagKeys: input.TagKeys }, context),
    ListResourceTags: async (input, context) => {
      const listed = page((await this.key(input.KeyId, false, context)).tags, input.Limit, input.Marker);
      return { Tags: listed.items, ...pageFields(listed) };
    },
  };

  private async key(keyId: string, allowAlias: boolean, context: RequestContext): Promise<KeyAggregate> {
    return (await this.queries.execute(new GetKeyQuery(keyId, allowAlias, context.region))).state;
  }

  /** One command: the handler resolves the id, loads, decides and appends. */
  private async changed(keyId: string, change: KeyChange, context: RequestContext): Promise<KeyAggregate> {
    return (await this.commands.execute(new ChangeKeyCommand(keyId, change, context))).state;
  }

  private async change(keyId: string, change: KeyChange, context: RequestContext): Promise<Record<string, never>> {
    await this.changed(keyId, change, context);
    return {};
  }
}

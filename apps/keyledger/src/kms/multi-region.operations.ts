import { Inject, Injectable } from '@nestjs/common';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { MultiRegionKeys } from '../keys/multi-region-keys.js';
import { keyMetadata } from './aws-responses.js';
import type { OperationFamily } from './operation-table.js';

export type MultiRegionOperation = 'ReplicateKey' | 'UpdatePrimaryRegion';

/** Multi-Region keys: a replica in another region, and the primary role moving between them. */
@Injectable()
export class MultiRegionOperations {
  constructor(
    private readonly multiRegion: MultiRegionKeys,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  readonly handlers: OperationFamily<MultiRegionOperation> = {
    ReplicateKey: async (input, context) => {
      const tags = (input.Tags ?? []).map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue }));
      const replicated = await this.multiRegion.replicate(
        {
          keyId: input.KeyId,
          replicaRegion: input.ReplicaRegion,
          description: input.Description ?? '',
          tags,
          ...(input.Policy === undefined
            ? {}
            : {
                policy: { text: input.Policy, bypassLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck === true },
              }),
        },
        context,
      );
      return {
        ReplicaKeyMetadata: keyMetadata(replicated.replica, this.config, replicated.replicaRegions),
        ReplicaPolicy: replicated.policyText,
        ReplicaTags: replicated.replica.tags,
      };
    },
    UpdatePrimaryRegion: async (input, context) => {
      await this.multiRegion.updatePrimaryRegion(input.KeyId, input.PrimaryRegion, context);
      return {};
    },
  };
}

import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetKeyQuery } from '../keys/key-queries.js';
import type { OperationFamily } from '../kms/operation-table.js';
import { UsageRecorder } from './usage-recorder.js';

/** When each key was last used: AWS's GetKeyLastUsage, answered from the usage ledger. */
@Injectable()
export class UsageOperations {
  constructor(
    private readonly queries: QueryBus,
    private readonly recorder: UsageRecorder,
  ) {}

  readonly handlers: OperationFamily<'GetKeyLastUsage'> = {
    GetKeyLastUsage: async (input, { region }) => {
      const key = (await this.queries.execute(new GetKeyQuery(input.KeyId, true, region))).state;
      const last = await this.recorder.lastUse(key.keyId, region);
      const created = new Date(key.createdAt);
      const trackedSince = this.recorder.trackingStartedAt;
      return {
        KeyId: key.arn,
        KeyCreationDate: created,
        // A key older than usage recording on this ledger was tracked from that start, not from its creation.
        TrackingStartDate: created > trackedSince ? created : trackedSince,
        ...(last === undefined
          ? {}
          : {
              KeyLastUsage: { Operation: last.operation, Timestamp: new Date(last.at), KmsRequestId: last.requestId },
            }),
      };
    },
  };
}

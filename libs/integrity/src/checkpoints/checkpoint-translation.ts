import { withIntegrity, withoutIntegrity } from '@keyledger/ledger';
import {
  CHECKPOINT_STREAM,
  isCheckpointV2,
  signCheckpointV1,
  signCheckpointV2,
  type CheckpointData,
} from './checkpoint-format.js';
import type { CheckpointKeys } from './checkpoint-keys.js';

/** A checkpoint event as migration reads it from the source. */
export interface CheckpointEventCopy {
  revision: bigint;
  type: string;
  data: CheckpointData;
  metadata: Record<string, unknown>;
}

/**
 * For `keyledger migrate`, which holds the root key: each checkpoint event of
 * the source, in order, rewritten for the target store. Positions are
 * engine-specific, so the position a checkpoint covers (v1: what verify holds it
 * to; v2: only a hint) is translated to the target's, the checkpoint re-signed,
 * and the checkpoint stream re-chained (its events' hashes cover their data).
 * Everything else (what it covers, the heads, the Merkle root) stays: the
 * target's verify is then exactly as strong as the source's.
 *
 * `targetPositionOf` maps the position of an already-copied source event to
 * its position in the target ("0" stays 0: an empty ledger).
 */
export class CheckpointTranslator {
  /**
   * `previousHash`: the integrity hash of the last checkpoint event already in
   * the target, when a migration resumes after some were translated.
   */
  constructor(
    private readonly keys: CheckpointKeys,
    private previousHash: string | null = null,
  ) {}

  translate(
    event: CheckpointEventCopy,
    targetPositionOf: (sourcePosition: bigint) => bigint,
  ): { data: CheckpointData; metadata: Record<string, unknown> } {
    const source = event.data;
    const translate = (position: string) => {
      const p = BigInt(position);
      return (p === 0n ? 0n : targetPositionOf(p)).toString();
    };
    let data: CheckpointData;
    if (isCheckpointV2(source)) {
      data = signCheckpointV2(
        {
          ...source,
          covered: { ...source.covered, positionHint: translate(source.covered.positionHint) },
          previousCheckpointHash: this.previousHash,
        },
        this.keys,
      );
    } else {
      if (this.keys.macKey === undefined) throw new Error('re-signing a v1 checkpoint needs the root key');
      const body = { ...source, position: translate(source.position), previousCheckpointHash: this.previousHash };
      data = { ...body, signature: signCheckpointV1(body, this.keys.macKey) };
    }
    const metadata = withIntegrity(
      {
        streamName: CHECKPOINT_STREAM,
        revision: event.revision,
        type: event.type,
        data,
        metadata: withoutIntegrity(event.metadata),
      },
      this.previousHash,
    );
    this.previousHash = (metadata.integrity as { hash: string }).hash;
    return { data, metadata };
  }
}

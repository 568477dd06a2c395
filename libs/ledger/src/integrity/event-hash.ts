import { storedEventHash } from './canonical-json.js';

/**
 * Tamper evidence: every event's metadata carries `integrity.hash`, a SHA-256
 * over its stream, revision, type, data, the rest of its metadata and the hash
 * of the event before it in the stream. Editing any byte of an event, or
 * removing one, breaks the chain from there on; signed checkpoints over all
 * stream heads (see the audit verifier) catch removed tails and streams.
 */
export interface EventIntegrity {
  previousHash: string | null;
  hash: string;
}

export interface HashableEvent {
  streamName: string;
  revision: bigint;
  type: string;
  data: unknown;
  /** Metadata without its `integrity` member. */
  metadata: Record<string, unknown>;
}

export { canonicalJson, storedEventHash } from './canonical-json.js';

export function eventHash(event: HashableEvent, previousHash: string | null): string {
  return storedEventHash(event.streamName, event.revision, event.type, event.data, event.metadata, previousHash);
}

/** The metadata an event is stored with: `metadata` plus its link in the stream's chain. */
export function withIntegrity(event: HashableEvent, previousHash: string | null): Record<string, unknown> {
  const integrity: EventIntegrity = { previousHash, hash: eventHash(event, previousHash) };
  return { ...event.metadata, integrity };
}

export function integrityOf(metadata: unknown): EventIntegrity | undefined {
  const integrity = (metadata as { integrity?: EventIntegrity } | null)?.integrity;
  return integrity && typeof integrity.hash === 'string' ? integrity : undefined;
}

export function withoutIntegrity(metadata: Record<string, unknown>): Record<string, unknown> {
  const { integrity: _ignored, ...rest } = metadata;
  return rest;
}

import type { Actor } from '@keyledger/ledger';

/** Who is asking, carried from the protocol edge into every command and its events' metadata. */
export interface RequestContext {
  actor: Actor;
  requestId: string;
  /** The region the request acts in (its SigV4 scope's); the scheduler's is the key's. */
  region: string;
}

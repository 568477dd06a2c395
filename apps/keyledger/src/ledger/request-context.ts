import type { Actor, AuthorizationDecision } from '@keyledger/ledger';
import type { Caller } from '../authorization/authorizer.js';

/** Who is asking, carried from the protocol edge into every command and its events' metadata. */
export interface RequestContext {
  actor: Actor;
  requestId: string;
  /** The region the request acts in (its SigV4 scope's); the scheduler's is the key's. */
  region: string;
  /**
   * What the edge's authorization established: the caller as policies see it and the decisions, for the
   * commands whose rule depends on how the caller was allowed (a grant may only pass on what it has; the
   * lockout check reads the caller's identity policies). Never recorded in an event.
   */
  authorization?: { caller: Caller; decisions: readonly AuthorizationDecision[] };
}

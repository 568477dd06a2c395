import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@keyledger/event-store';
import { EVENT_STORE } from '../infrastructure/tokens.js';
import { AccessReplay } from './access-replay.js';

export * from './access-replay.js';

/** The server's AccessReplay over its own store (the CLI makes one over the ledger files, without Nest). */
@Injectable()
export class AccessAsOf extends AccessReplay {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store);
  }
}

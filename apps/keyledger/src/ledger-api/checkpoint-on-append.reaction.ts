import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { CHECKPOINT_STREAM } from '@keyledger/integrity';
import { LedgerEventRecorded } from '../reactions/ledger-event-recorded.js';
import { CheckpointWriter } from './checkpoint-writer.js';

/** Any event but a checkpoint makes a checkpoint due within the interval. */
@EventsHandler(LedgerEventRecorded)
export class CheckpointOnAppend implements IEventHandler<LedgerEventRecorded> {
  constructor(private readonly writer: CheckpointWriter) {}

  handle({ event }: LedgerEventRecorded): void {
    if (event.streamName !== CHECKPOINT_STREAM) this.writer.arm();
  }
}

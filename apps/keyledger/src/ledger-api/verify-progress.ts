import { PassThrough } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventStore } from '@keyledger/event-store';
import { ledgerWireError } from './ledger-api-errors.js';

export const NDJSON_TYPE = 'application/x-ndjson';

/** Whether the caller asked to follow verify as it goes (`Accept: application/x-ndjson`). */
export function wantsProgress(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.split(',').some((type) => type.split(';')[0]!.trim().toLowerCase() === NDJSON_TYPE);
}

/**
 * How many events the ledger holds, where that is cheap: an embedded ledger numbers its events 1, 2, 3… so
 * the last position is the count; read from where the server's projection stands (the few events it has not
 * applied yet, usually none). EventStoreDB positions are log offsets, not counts: null, verify then tells the
 * events checked without a total.
 */
export async function eventsInLedger(store: EventStore, projected: bigint | 'start'): Promise<number | null> {
  if ((await store.storeIdentity()).engine !== 'sqlite') return null;
  const PAGE = 512;
  let after = projected;
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE });
    if (page.length > 0) after = page[page.length - 1]!.position;
    if (page.length < PAGE) break;
  }
  return after === 'start' ? 0 : Number(after);
}

export interface VerifyProgress {
  eventsChecked: number;
  eventsTotal: number | null;
}

const logger = new Logger('LedgerApi');

/** The caller went away: the scan stops at its next page. */
class VerifyAbandoned extends Error {}

/**
 * Verify as JSON lines, each a whole object: `{"progress":{"eventsChecked","eventsTotal"}}` at the start and
 * then at every percent of the total (every page when the total is unknown), and last `{"result":{…}}` — or
 * `{"error":{"__type","message"}}` when the run fails once the answer has begun (its 200 is already sent).
 * When the caller closes the connection (the console's Cancel) the scan stops rather than read on for nobody.
 */
export async function streamVerify(
  reply: FastifyReply,
  eventsTotal: number | null,
  run: (onProgress: (eventsChecked: number) => void) => Promise<unknown>,
): Promise<void> {
  const out = new PassThrough();
  let abandoned = false;
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) abandoned = true;
  });
  const line = (value: unknown) => out.write(`${JSON.stringify(value)}\n`);
  const step = eventsTotal === null ? 0 : Math.max(1, Math.floor(eventsTotal / 100));
  let told = 0;
  let checked = 0;
  line({ progress: { eventsChecked: 0, eventsTotal } satisfies VerifyProgress });
  const sent = reply.status(200).header('content-type', NDJSON_TYPE).header('cache-control', 'no-store').send(out);
  try {
    const result = await run((eventsChecked) => {
      checked = eventsChecked;
      if (abandoned) throw new VerifyAbandoned();
      if (eventsChecked - told < step) return;
      told = eventsChecked;
      line({ progress: { eventsChecked, eventsTotal } satisfies VerifyProgress });
    });
    line({ result });
  } catch (error) {
    // An operator can see a verify cancelled, and how much of the ledger it had read.
    if (error instanceof VerifyAbandoned)
      logger.log(`verify stopped: its caller went away after ${checked} of ${eventsTotal ?? 'unknown'} events`);
    else {
      const wire = ledgerWireError(error);
      // As the error filter does for an answer not yet begun: the kind of fault, never its text.
      if (wire.statusCode >= 500)
        logger.error(`verify failed with ${error instanceof Error ? error.name : typeof error}`);
      line({ error: wire.body });
    }
  } finally {
    out.end();
  }
  await sent;
}

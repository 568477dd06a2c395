import { once } from 'node:events';
import type { EventStore, RecordedEvent } from '@keyledger/event-store';

const PAGE_SIZE = 4096;

/** One line of an export: the recorded event as stored, bigints as decimal strings. */
export function exportLine(event: RecordedEvent): string {
  return JSON.stringify({
    streamName: event.streamName,
    revision: event.revision.toString(),
    position: event.position.toString(),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString(),
  });
}

/**
 * Writes every event in global order as JSON lines. Nothing is decrypted:
 * backing key material is already sealed inside the events and stays so.
 */
export async function exportLedger(
  store: EventStore,
  out: NodeJS.WritableStream,
  onProgress?: (eventsWritten: number) => void,
): Promise<{ events: number }> {
  let after: bigint | 'start' = 'start';
  let events = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE_SIZE });
    const last = page.at(-1);
    if (last === undefined) break;
    let chunk = '';
    for (const event of page) chunk += `${exportLine(event)}\n`;
    // Honour back-pressure: a large ledger piped into a slow consumer must not pile up in memory.
    if (!out.write(chunk)) await once(out, 'drain');
    events += page.length;
    after = last.position;
    onProgress?.(events);
  }
  return { events };
}

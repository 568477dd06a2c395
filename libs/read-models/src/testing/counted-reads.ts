import type { EventStore } from '@keyledger/event-store';

/**
 * The real store, counting the events each stream read hands back (`read`) and every stream read asked for,
 * found or not (`asked`): for specs that hold a query to what it reads.
 */
export function countedReads(store: EventStore): { store: EventStore; read: Map<string, number>; asked: string[] } {
  const read = new Map<string, number>();
  const asked: string[] = [];
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      if (name !== 'readStream') return Reflect.get(target, name, receiver);
      return async (stream: string, options?: object) => {
        asked.push(stream);
        const events = await target.readStream(stream, options);
        read.set(stream, (read.get(stream) ?? 0) + events.length);
        return events;
      };
    },
  });
  return { store: proxy, read, asked };
}

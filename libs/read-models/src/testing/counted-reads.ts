import type { EventStore } from '@keyledger/event-store';

/** The real store, counting the events each stream read hands back: for specs that hold a query to what it reads. */
export function countedReads(store: EventStore): { store: EventStore; read: Map<string, number> } {
  const read = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      if (name !== 'readStream') return Reflect.get(target, name, receiver);
      return async (stream: string, options?: object) => {
        const events = await target.readStream(stream, options);
        read.set(stream, (read.get(stream) ?? 0) + events.length);
        return events;
      };
    },
  });
  return { store: proxy, read };
}

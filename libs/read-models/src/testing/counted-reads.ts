import type { EventStore } from '@keyledger/event-store';

/** What a counted store was asked: events per stream read, every stream read (found or not), log pages. */
export interface CountedReads {
  store: EventStore;
  read: Map<string, number>;
  asked: string[];
  logPages: { count: number };
}

/** The real store, counting what it is asked: for specs that hold a query to what it reads. */
export function countedReads(store: EventStore): CountedReads {
  const read = new Map<string, number>();
  const asked: string[] = [];
  const logPages = { count: 0 };
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'readAll')
        return (options?: Parameters<EventStore['readAll']>[0]) => {
          logPages.count++;
          return target.readAll(options);
        };
      if (name !== 'readStream') return Reflect.get(target, name, receiver);
      return async (stream: string, options?: object) => {
        asked.push(stream);
        const events = await target.readStream(stream, options);
        read.set(stream, (read.get(stream) ?? 0) + events.length);
        return events;
      };
    },
  });
  return { store: proxy, read, asked, logPages };
}

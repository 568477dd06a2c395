import { describe, expect, it } from 'vitest';
import type { Subscription } from '../event-store.port.js';
import { Collector, evt, uniqueStream, withTimeout } from './contract-helpers.js';
import type { ContractContext } from './event-store.contract.js';

/** The subscription half of the contract: history, catch-up, live, back-pressure, unsubscribe, resume. */
export function subscribeToAllContract(ctx: ContractContext): void {
  describe('subscribeToAll', () => {
    it('delivers history after an exclusive position, then onCaughtUp once, then live events in order', async () => {
      const stream = uniqueStream('sub');
      const first = await ctx.store.appendToStream(stream, [evt('H0')]);
      await ctx.store.appendToStream(stream, [evt('H1'), evt('H2')]);

      const collector = new Collector(new Set([stream]));
      ctx.subscriptions.push(ctx.store.subscribeToAll({ after: first.position }, collector.handler));
      await collector.caughtUp();
      expect(collector.caughtUpAfter).toBe(2);
      expect(collector.events.map((e) => e.type)).toEqual(['H1', 'H2']);

      await ctx.store.appendToStream(stream, [evt('L0')]);
      await ctx.store.appendToStream(stream, [evt('L1'), evt('L2')]);
      await collector.until(5);
      expect(collector.events.map((e) => e.type)).toEqual(['H1', 'H2', 'L0', 'L1', 'L2']);
      expect(collector.caughtUpCalls).toBe(1);
    });

    it('loses and duplicates nothing when appends race the hand-over from catch-up to live', async () => {
      const stream = uniqueStream('handover');
      const marker = await ctx.store.appendToStream(uniqueStream('marker'), [evt('M')]);
      await ctx.store.appendToStream(stream, [evt('E', { i: 0 })]);
      const collector = new Collector(new Set([stream]));
      ctx.subscriptions.push(ctx.store.subscribeToAll({ after: marker.position }, collector.handler));
      // Appends run while the subscription is catching up and switching to live.
      for (let i = 1; i < 60; i++) await ctx.store.appendToStream(stream, [evt('E', { i })]);
      await collector.until(60);
      await collector.caughtUp();
      const expected = (await ctx.store.readStream(stream)).map((e) => e.id);
      expect(collector.ids()).toEqual(expected);
      expect(collector.events.map((e) => e.data.i)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    });

    it('awaits each onEvent before delivering the next', async () => {
      const stream = uniqueStream('await');
      const marker = await ctx.store.appendToStream(uniqueStream('marker'), [evt('M')]);
      await ctx.store.appendToStream(stream, [evt('A'), evt('B'), evt('C')]);
      let inFlight = 0;
      let maxInFlight = 0;
      const order: string[] = [];
      let done!: () => void;
      const allDone = new Promise<void>((r) => (done = r));
      ctx.subscriptions.push(
        ctx.store.subscribeToAll(
          { after: marker.position },
          {
            onEvent: async (event) => {
              if (event.streamName !== stream) return;
              inFlight++;
              maxInFlight = Math.max(maxInFlight, inFlight);
              await new Promise<void>((r) => setImmediate(r));
              order.push(event.type);
              inFlight--;
              if (order.length === 3) done();
            },
          },
        ),
      );
      await withTimeout(allDone, 'handler never saw three events');
      expect(order).toEqual(['A', 'B', 'C']);
      expect(maxInFlight).toBe(1);
    });

    it('stops delivering after unsubscribe() resolves', async () => {
      const stream = uniqueStream('unsub');
      const marker = await ctx.store.appendToStream(uniqueStream('marker'), [evt('M')]);
      await ctx.store.appendToStream(stream, [evt('A')]);
      const stopped = new Collector(new Set([stream]));
      const subscription = ctx.store.subscribeToAll({ after: marker.position }, stopped.handler);
      await stopped.until(1);
      await subscription.unsubscribe();

      await ctx.store.appendToStream(stream, [evt('B')]);
      // A second subscription seeing B proves B was committed and delivered to live subscribers.
      const witness = new Collector(new Set([stream]));
      ctx.subscriptions.push(ctx.store.subscribeToAll({ after: marker.position }, witness.handler));
      await witness.until(2);
      expect(stopped.events.map((e) => e.type)).toEqual(['A']);
    });

    it('unsubscribe() resolves only once the in-flight handler call has finished', async () => {
      const stream = uniqueStream('idle');
      const marker = await ctx.store.appendToStream(uniqueStream('marker'), [evt('M')]);
      await ctx.store.appendToStream(stream, [evt('A'), evt('B')]);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inHandler = new Promise<void>((r) => (entered = r));
      let handlerFinished = false;
      const seen: string[] = [];
      const subscription = ctx.store.subscribeToAll(
        { after: marker.position },
        {
          onEvent: async (event) => {
            if (event.streamName !== stream) return;
            seen.push(event.type);
            entered();
            await gate;
            handlerFinished = true;
          },
        },
      );
      await withTimeout(inHandler, 'handler never called');
      let finishedWhenResolved: boolean | undefined;
      const unsubscribed = subscription.unsubscribe().then(() => (finishedWhenResolved = handlerFinished));
      release();
      await withTimeout(unsubscribed, 'unsubscribe never resolved');
      expect(finishedWhenResolved).toBe(true);
      expect(seen).toEqual(['A']);
    });

    it('ends the subscription with onError when a handler throws, delivering nothing after', async () => {
      const stream = uniqueStream('handlerfail');
      const marker = await ctx.store.appendToStream(uniqueStream('marker'), [evt('M')]);
      await ctx.store.appendToStream(stream, [evt('A'), evt('B'), evt('C')]);
      const seen: string[] = [];
      let failed!: (error: Error) => void;
      const onError = new Promise<Error>((r) => (failed = r));
      ctx.subscriptions.push(
        ctx.store.subscribeToAll(
          { after: marker.position },
          {
            onEvent: (event) => {
              if (event.streamName !== stream) return;
              seen.push(event.type);
              if (event.type === 'B') throw new Error('projection bug');
            },
            onError: (error) => failed(error),
          },
        ),
      );
      const error = await withTimeout(onError, 'onError never called');
      expect(error.message).toBe('projection bug');
      await ctx.store.appendToStream(stream, [evt('D')]);
      const witness = new Collector(new Set([stream]));
      ctx.subscriptions.push(ctx.store.subscribeToAll({ after: marker.position }, witness.handler));
      await witness.until(4);
      expect(seen).toEqual(['A', 'B']);
    });

    it('lets a handler unsubscribe its own subscription without deadlocking', async () => {
      const stream = uniqueStream('selfunsub');
      const marker = await ctx.store.appendToStream(uniqueStream('marker'), [evt('M')]);
      await ctx.store.appendToStream(stream, [evt('A'), evt('B'), evt('C')]);
      const seen: string[] = [];
      let unsubscribed!: () => void;
      const done = new Promise<void>((r) => (unsubscribed = r));
      const subscription: Subscription = ctx.store.subscribeToAll(
        { after: marker.position },
        {
          onEvent: async (event) => {
            if (event.streamName !== stream) return;
            seen.push(event.type);
            if (event.type === 'B') {
              await subscription.unsubscribe();
              unsubscribed();
            }
          },
        },
      );
      await withTimeout(done, 'self-unsubscribe deadlocked');
      await subscription.unsubscribe();
      expect(seen).toEqual(['A', 'B']);
    });

    it('resumes from a stored position after the store is reopened, missing and repeating nothing', async () => {
      const stream = uniqueStream('resume');
      const marker = await ctx.store.appendToStream(uniqueStream('marker'), [evt('M')]);
      await ctx.store.appendToStream(stream, [evt('E0'), evt('E1'), evt('E2')]);

      // A projection that checkpoints after each event it handled and is stopped right after E1.
      let checkpoint: bigint | undefined;
      const handled: string[] = [];
      let stop!: () => void;
      const stopped = new Promise<void>((r) => (stop = r));
      const subscription: Subscription = ctx.store.subscribeToAll(
        { after: marker.position },
        {
          onEvent: (event) => {
            if (event.streamName !== stream) return;
            handled.push(event.type);
            checkpoint = event.position;
            if (event.type === 'E1') void subscription.unsubscribe().then(stop);
          },
        },
      );
      await withTimeout(stopped, 'never reached E1');
      expect(handled).toEqual(['E0', 'E1']);

      let resumed = ctx.store;
      if (ctx.fixture.reopen) {
        await ctx.store.close();
        resumed = await ctx.fixture.reopen();
        ctx.store = resumed;
      }
      await resumed.appendToStream(stream, [evt('E3')]);

      const collector = new Collector(new Set([stream]));
      ctx.subscriptions.push(resumed.subscribeToAll({ after: checkpoint! }, collector.handler));
      await collector.until(2);
      await collector.caughtUp();
      expect(collector.events.map((e) => e.type)).toEqual(['E2', 'E3']);
      expect(handled).toEqual(['E0', 'E1']);
    });
  });
}

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent, StreamFilter } from '../event-store.port.js';
import { evt, rejection, uniqueStream, withTimeout } from './contract-helpers.js';
import type { ContractContext } from './event-store.contract.js';

/**
 * The test's own streams: a category to leave out, one that shares its name as a prefix, a stream with no
 * category, and a kept one. Categories are fresh per test, so a shared EventStoreDB's other traffic is neither
 * in them nor in the way.
 */
function streams() {
  const unique = randomUUID().replaceAll('-', '');
  // A '.' in the category: a filter built as a pattern must match it as itself, not as any character.
  const left = `lo.${unique}`;
  return {
    filter: { excludeCategories: [left] } satisfies StreamFilter,
    leftOut: `${left}-1`,
    leftOutToo: `${left}-2@eu-west-1`,
    samePrefix: `${left}x-1`,
    lookalike: `lo_${unique}-1`,
    noCategory: left,
    kept: uniqueStream('kept'),
  };
}

/** StreamFilter on readAll and subscribeToAll: what is left out, what is kept, and the positions passed. */
export function streamFilterContract(ctx: ContractContext): void {
  describe('stream filter', () => {
    it('readAll leaves out the streams of the excluded categories only, in order, pages filled with kept events', async () => {
      const s = streams();
      const marker = await ctx.store.appendToStream(uniqueStream('marker'), [evt('M')]);
      await ctx.store.appendToStream(s.kept, [evt('K0')]);
      await ctx.store.appendToStream(s.leftOut, [evt('X0'), evt('X1')]);
      await ctx.store.appendToStream(s.samePrefix, [evt('P0')]);
      await ctx.store.appendToStream(s.leftOutToo, [evt('X2')]);
      await ctx.store.appendToStream(s.noCategory, [evt('N0')]);
      await ctx.store.appendToStream(s.leftOut, [evt('X3')]);
      await ctx.store.appendToStream(s.lookalike, [evt('L0')]);
      await ctx.store.appendToStream(s.kept, [evt('K1')]);
      const mine = new Set(Object.values(s).filter((v): v is string => typeof v === 'string'));
      const types = (events: RecordedEvent[]) => events.filter((e) => mine.has(e.streamName)).map((e) => e.type);

      const filtered = await ctx.store.readAll({ after: marker.position, maxCount: 10_000, filter: s.filter });
      expect(types(filtered)).toEqual(['K0', 'P0', 'N0', 'L0', 'K1']);
      const unfiltered = await ctx.store.readAll({ after: marker.position, maxCount: 10_000 });
      expect(types(unfiltered)).toEqual(['K0', 'X0', 'X1', 'P0', 'X2', 'N0', 'X3', 'L0', 'K1']);

      // Two kept events a page, whatever lies between them; the next page starts after the last one.
      const paged: RecordedEvent[] = [];
      let after = marker.position;
      for (;;) {
        const page = await ctx.store.readAll({ after, maxCount: 2, filter: s.filter });
        expect(page.length).toBeLessThanOrEqual(2);
        paged.push(...page);
        if (page.length < 2) break;
        after = page[1].position;
      }
      expect(types(paged)).toEqual(['K0', 'P0', 'N0', 'L0', 'K1']);
      expect(types(paged.slice(0, 2))).toEqual(types(paged).slice(0, 2));
    });

    it('refuses a category no stream name can have', async () => {
      for (const category of ['', 'a-b']) {
        const filter = { excludeCategories: [category] };
        expect(await rejection(ctx.store.readAll({ filter }))).toBeInstanceOf(TypeError);
        expect(() => ctx.store.subscribeToAll({ filter }, { onEvent: () => undefined })).toThrow(TypeError);
      }
    });

    it('subscribeToAll delivers kept events only, passes a left-out tail before onCaughtUp, and live alike', async () => {
      const s = streams();
      const marker = await ctx.store.appendToStream(uniqueStream('marker'), [evt('M')]);
      await ctx.store.appendToStream(s.leftOut, [evt('X0')]);
      await ctx.store.appendToStream(s.kept, [evt('K0')]);
      const tail = await ctx.store.appendToStream(s.leftOut, [evt('X1'), evt('X2')]);

      const seen: string[] = [];
      const order: string[] = [];
      const checkpoints: bigint[] = [];
      let caughtUp!: () => void;
      const isCaughtUp = new Promise<void>((resolve) => (caughtUp = resolve));
      let live!: () => void;
      const liveSeen = new Promise<void>((resolve) => (live = resolve));
      ctx.subscriptions.push(
        ctx.store.subscribeToAll(
          { after: marker.position, filter: s.filter },
          {
            onEvent: (event) => {
              if (event.streamName === s.leftOut) seen.push(`left out: ${event.type}`);
              if (event.streamName === s.lookalike) seen.push(event.type);
              if (event.streamName !== s.kept) return;
              seen.push(event.type);
              order.push('event');
              if (event.type === 'K1') live();
            },
            onCheckpoint: (position) => {
              checkpoints.push(position);
              order.push('checkpoint');
            },
            onCaughtUp: () => {
              order.push('caught up');
              caughtUp();
            },
          },
        ),
      );
      await withTimeout(isCaughtUp, 'never caught up');
      expect(seen).toEqual(['K0']);
      // The tail was passed: a position at or after its last event, before the caught-up signal.
      expect(checkpoints.length).toBeGreaterThan(0);
      expect(checkpoints.at(-1)! >= tail.position).toBe(true);
      expect(order.slice(0, 3)).toEqual(['event', 'checkpoint', 'caught up']);
      // A position the store gave: a read from it is valid and holds none of the tail.
      const fromCheckpoint = await ctx.store.readAll({ after: checkpoints.at(-1)!, maxCount: 10_000 });
      expect(fromCheckpoint.filter((e) => e.streamName === s.leftOut)).toEqual([]);

      await ctx.store.appendToStream(s.leftOut, [evt('X3')]);
      await ctx.store.appendToStream(s.lookalike, [evt('L0')]);
      await ctx.store.appendToStream(s.kept, [evt('K1')]);
      await withTimeout(liveSeen, 'never saw the live kept event');
      expect(seen).toEqual(['K0', 'L0', 'K1']);
    });

    it('a subscription without a filter still delivers every stream', async () => {
      const s = streams();
      const marker = await ctx.store.appendToStream(uniqueStream('marker'), [evt('M')]);
      await ctx.store.appendToStream(s.leftOut, [evt('X0')]);
      await ctx.store.appendToStream(s.kept, [evt('K0')]);
      const seen: string[] = [];
      let done!: () => void;
      const both = new Promise<void>((resolve) => (done = resolve));
      ctx.subscriptions.push(
        ctx.store.subscribeToAll(
          { after: marker.position },
          {
            onEvent: (event) => {
              if (event.streamName !== s.leftOut && event.streamName !== s.kept) return;
              seen.push(event.type);
              if (seen.length === 2) done();
            },
          },
        ),
      );
      await withTimeout(both, 'never saw both events');
      expect(seen).toEqual(['X0', 'K0']);
    });
  });
}

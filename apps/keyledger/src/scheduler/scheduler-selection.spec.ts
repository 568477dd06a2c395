import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { ShredVault, StaticRootKeyProvider } from '@keyledger/crypto';
import { createEventStore, type EventStore } from '@keyledger/event-store';
import { decideKey, keyArnOf, keyStreamName, ManualClock } from '@keyledger/ledger';
import { KeyStateCache } from '@keyledger/key-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/keyledger-config.js';
import { BackingKeys } from '../cryptography/backing-keys.js';
import { ShredKeyPool } from '../cryptography/shred-key-pool.js';
import { CLOCK, CONFIG, EVENT_STORE, SHRED_VAULT } from '../infrastructure/tokens.js';
import { ChangeKeyCommand, ChangeKeyHandler, type KeyChange } from '../keys/key-commands.js';
import { KeyResolver } from '../keys/key-resolver.js';
import { MultiRegionKeys } from '../keys/multi-region-keys.js';
import { MultiRegionRepair, NOTHING_REPAIRED } from '../keys/multi-region-repair.js';
import { Authorizer } from '../authorization/authorizer.js';
import { InitialKeyPolicy } from '../authorization/initial-key-policy.js';
import { KeyAccessCache } from '../authorization/key-access-cache.js';
import { LedgerRepository } from '@keyledger/key-store';
import type { RequestContext } from '../ledger/request-context.js';
import { KeyledgerMetrics } from '../observability/metrics.js';
import { Scheduler } from './scheduler.service.js';

/*
 * The scheduler's selection of due work, through the real command path (CQRS bus, handler,
 * repository, SQLite store, vault) with a manual clock; no HTTP. Each key is on one side of a
 * boundary: due or not yet due by the clock.
 */
const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const config = { ...loadConfig({}), region: 'eu-west-1', regions: { homeRegion: 'eu-west-1', served: ['eu-west-1'] } };

let dir: string;
let store: EventStore;
let vault: ShredVault;
let clock: ManualClock;
/** What a sweep reports that rotated and deleted keys and did nothing else. */
const swept = (rotated: number, deleted: number) => ({
  rotated,
  deleted,
  expired: 0,
  repaired: 0,
  repairs: NOTHING_REPAIRED,
});

let app: TestingModule;
let scheduler: Scheduler;
let cache: KeyStateCache;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-scheduler-'));
  store = createEventStore({ dataDir: dir });
  vault = ShredVault.open(dir, StaticRootKeyProvider.fromKey(randomBytes(32)));
  clock = new ManualClock(T0);
  app = await Test.createTestingModule({
    imports: [CqrsModule.forRoot()],
    providers: [
      { provide: EVENT_STORE, useValue: store },
      { provide: SHRED_VAULT, useValue: vault },
      { provide: CLOCK, useValue: clock },
      { provide: CONFIG, useValue: config },
      KeyStateCache,
      LedgerRepository,
      KeyResolver,
      ShredKeyPool,
      BackingKeys,
      ChangeKeyHandler,
      MultiRegionKeys,
      MultiRegionRepair,
      InitialKeyPolicy,
      Authorizer,
      KeyAccessCache,
      KeyledgerMetrics,
      Scheduler,
    ],
  }).compile();
  // Registers the command handlers; the scheduler's own start-up sweep finds an empty ledger.
  await app.init();
  scheduler = app.get(Scheduler);
  cache = app.get(KeyStateCache);
});
afterEach(async () => {
  await app.close();
  vault.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const context = (): RequestContext => ({
  actor: { principal: 'arn:aws:iam::111122223333:user/alice', accessKeyId: null, sourceAddress: null },
  requestId: randomUUID(),
  region: 'eu-west-1',
});

async function createKey(): Promise<string> {
  const keyId = randomUUID();
  const backingKey = app.get(BackingKeys).generate(keyId);
  await app.get(LedgerRepository).decideOnKey(
    keyId,
    (state) =>
      decideKey(
        {
          type: 'CreateKey',
          keyId,
          arn: keyArnOf({ region: 'eu-west-1', accountId: config.accountId }, keyId),
          accountId: config.accountId,
          region: 'eu-west-1',
          description: '',
          origin: 'AWS_KMS',
          tags: [],
          backingKey,
          now: clock.now(),
        },
        state,
      ),
    context(),
    { expectNew: true },
  );
  return keyId;
}

const change = (keyId: string, what: KeyChange) =>
  app.get(CommandBus).execute(new ChangeKeyCommand(keyId, what, context()));

const typesOf = async (keyId: string) => (await store.readStream(keyStreamName(keyId))).map((e) => e.type);

describe('Scheduler: what a sweep selects', () => {
  it('rotates and deletes exactly the keys that are due, and nothing twice', async () => {
    const rotateDue = await createKey();
    const rotateNotYet = await createKey();
    const deleteDue = await createKey();
    const deleteNotYet = await createKey();
    await change(rotateDue, { type: 'EnableKeyRotation', rotationPeriodInDays: 90 });
    await change(deleteDue, { type: 'ScheduleKeyDeletion', pendingWindowInDays: 7 });
    clock.set(T0 + 2 * DAY);
    await change(rotateNotYet, { type: 'EnableKeyRotation', rotationPeriodInDays: 90 });
    clock.set(T0 + 85 * DAY);
    await change(deleteNotYet, { type: 'ScheduleKeyDeletion', pendingWindowInDays: 7 });
    const before = {
      rotateNotYet: await typesOf(rotateNotYet),
      deleteNotYet: await typesOf(deleteNotYet),
    };

    // The first two keys are due; the other two are due two days later.
    clock.set(T0 + 90 * DAY + 1);
    expect(await scheduler.sweep()).toEqual(swept(1, 1));
    expect(cache.key(rotateDue)!.state.backingKeys).toHaveLength(2);
    expect(cache.key(deleteDue)!.state.deleted).toBe(true);
    expect(await typesOf(rotateNotYet)).toEqual(before.rotateNotYet);
    expect(await typesOf(deleteNotYet)).toEqual(before.deleteNotYet);
    expect(cache.key(deleteNotYet)!.state.deleted).toBe(false);

    // Done work is not done again.
    const recorded = (await store.readAll()).length;
    expect(await scheduler.sweep()).toEqual(swept(0, 0));
    expect((await store.readAll()).length).toBe(recorded);
  });

  it('does nothing one millisecond before a deletion is due, and deletes at the instant', async () => {
    const keyId = await createKey();
    await change(keyId, { type: 'ScheduleKeyDeletion', pendingWindowInDays: 7 });
    const deletionDate = cache.key(keyId)!.state.deletionDate!;
    clock.set(deletionDate - 1);
    expect(await scheduler.sweep()).toEqual(swept(0, 0));
    clock.set(deletionDate);
    expect(await scheduler.sweep()).toEqual(swept(0, 1));
    expect(await typesOf(keyId)).toContain('KeyDeleted');
  });

  it('joins a sweep under way rather than running a second one', async () => {
    const keyId = await createKey();
    await change(keyId, { type: 'ScheduleKeyDeletion', pendingWindowInDays: 7 });
    clock.set(T0 + 8 * DAY);
    const [first, second] = [scheduler.sweep(), scheduler.sweep()];
    expect(second).toBe(first);
    expect(await first).toEqual(swept(0, 1));
  });
});

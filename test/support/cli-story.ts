import {
  CreateAliasCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { SqliteEventStore, LEDGER_FILE_NAME, type RecordedEvent } from '@keyledger/event-store';
import { ManualClock } from '@keyledger/ledger';
import { startKeyledger, type Harness } from './keyledger-harness.js';
import { REPO_ROOT as ROOT } from './cli-process.js';

export const DAY = 86_400_000;

export async function readLedger(dataDir: string): Promise<RecordedEvent[]> {
  const store = new SqliteEventStore(join(dataDir, LEDGER_FILE_NAME));
  try {
    const events: RecordedEvent[] = [];
    let after: bigint | 'start' = 'start';
    for (;;) {
      const page = await store.readAll({ after, maxCount: 1000 });
      if (page.length === 0) return events;
      events.push(...page);
      after = page[page.length - 1].position;
    }
  } finally {
    await store.close();
  }
}

/** What a migration must keep: everything but the target's own recorded time. */
export const essence = (e: RecordedEvent) => ({
  streamName: e.streamName,
  revision: e.revision.toString(),
  position: e.position.toString(),
  id: e.id,
  type: e.type,
  data: e.data,
  metadata: e.metadata,
});

/** The ledger the CLI specs read, export and migrate: written once per spec file by a server, then stopped. */
export interface CliStory {
  sourceDir: string;
  /** A directory the spec may write into; removed with the story. */
  scratch: string;
  source: RecordedEvent[];
  keyA: string;
  keyB: string;
  blobBeforeRotation: string;
  /** Domain times of the story the ledger tells, for --as-of. */
  t0: Date;
  afterDisable: Date;
}

/** Registers the beforeAll that writes the story and the afterAll that removes it; read it in a later hook or test. */
export function cliStory(): () => CliStory {
  let story: CliStory | undefined;
  beforeAll(async () => {
    let keyA: string, keyB: string, blobBeforeRotation: string, afterDisable: Date;
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    const scratch = mkdtempSync(join(tmpdir(), 'keyledger-cli-'));
    // The story starts 400 days ago and ends now, so a server on the real clock can serve it later.
    const t0 = new Date(Date.now() - 400 * DAY);
    const clock = new ManualClock(t0);
    const h: Harness = await startKeyledger({ clock });
    const sourceDir = h.dataDir;
    try {
      const kms = () => h.kms;
      keyA = (await kms().send(new CreateKeyCommand({ Description: 'payments' }))).KeyMetadata!.KeyId!;
      await kms().send(new CreateAliasCommand({ AliasName: 'alias/payments', TargetKeyId: keyA }));
      const encrypted = await kms().send(new EncryptCommand({ KeyId: keyA, Plaintext: Buffer.from('card 4111') }));
      blobBeforeRotation = Buffer.from(encrypted.CiphertextBlob!).toString('base64');
      clock.advanceDays(10);
      await kms().send(new RotateKeyOnDemandCommand({ KeyId: keyA }));
      await kms().send(new EnableKeyRotationCommand({ KeyId: keyA, RotationPeriodInDays: 90 }));
      keyB = (await kms().send(new CreateKeyCommand({ Description: 'legacy' }))).KeyMetadata!.KeyId!;
      await kms().send(new TagResourceCommand({ KeyId: keyB, Tags: [{ TagKey: 'team', TagValue: 'core' }] }));
      clock.advanceDays(10);
      await kms().send(new DisableKeyCommand({ KeyId: keyB }));
      afterDisable = clock.now();
      // Enough further events for migrations to span several batches and streams.
      for (let i = 0; i < 12; i++) {
        const keyId = (await kms().send(new CreateKeyCommand({ Description: `bulk ${i}` }))).KeyMetadata!.KeyId!;
        await kms().send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: `bulk ${i} (renamed)` }));
        if (i % 4 === 0) await kms().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
      }
    } finally {
      await h.stop();
    }
    const source = await readLedger(sourceDir);
    story = { sourceDir, scratch, source, keyA, keyB, blobBeforeRotation, t0, afterDisable };
  }, 180_000);

  afterAll(() => {
    if (story === undefined) return;
    rmSync(story.scratch, { recursive: true, force: true });
    rmSync(story.sourceDir, { recursive: true, force: true });
  });
  return () => {
    if (story === undefined) throw new Error('the CLI story is read before its beforeAll ran');
    return story;
  };
}

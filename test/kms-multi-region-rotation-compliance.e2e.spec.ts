import {
  CreateKeyCommand,
  EnableKeyRotationCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerGet } from './support/ledger-api-request.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

const DAY = 86_400_000;

/** AWS manages a multi-Region key's rotation on its primary and shares it: reports judge a replica by it. */
describe("rotation compliance judges a multi-Region replica by its primary's rotation", () => {
  let h: Harness;
  let keyId: string;
  const primary = () => h.client(ADMIN, 'us-east-1');
  const rowsIn = async (report: string, region: string, query: Record<string, string> = {}) =>
    (await ledgerGet(h, `/v1/reports/${report}`, { region, ...query })).json.keys.filter(
      (k: { keyId: string }) => k.keyId === keyId,
    );
  const compliance = async (region: string) => (await rowsIn('rotation-compliance', region, { maxAgeDays: '90' }))[0];

  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_REGIONS: 'us-east-1,eu-west-1' } });
    keyId = (await primary().send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
    // The replica is made long after the material: its copy arrived today, the material is 200 days old.
    h.clock.advance(200 * DAY);
    await primary().send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }));
  });
  afterAll(() => h.close());

  it('rotation off on the primary: the replica is as old, and as non-compliant, as the primary', async () => {
    const expected = { compliant: false, reason: 'ROTATION_DISABLED', currentKeyMaterialAgeDays: 200 };
    expect(await compliance('us-east-1')).toMatchObject({ ...expected, primaryRegion: 'us-east-1' });
    expect(await compliance('eu-west-1')).toMatchObject({ ...expected, primaryRegion: 'us-east-1' });
  });

  it("rotation on at the primary: the replica is OVERDUE like it, and the inventory shows the primary's settings", async () => {
    await primary().send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
    expect(await compliance('eu-west-1')).toMatchObject({ compliant: false, reason: 'OVERDUE' });
    const [replicaRow] = await rowsIn('inventory', 'eu-west-1');
    const [primaryRow] = await rowsIn('inventory', 'us-east-1');
    expect(replicaRow).toMatchObject({
      region: 'eu-west-1',
      rotationEnabled: true,
      rotationPeriodInDays: 90,
      nextRotationDate: primaryRow.nextRotationDate,
      currentKeyMaterialAgeDays: 200,
    });
    expect(primaryRow.nextRotationDate).not.toBeNull();
  });

  it("a rotation of the primary makes the replica's material young too, and compliant", async () => {
    h.clock.advance(DAY);
    await primary().send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    h.clock.advance(DAY);
    for (const region of ['us-east-1', 'eu-west-1'])
      expect(await compliance(region)).toMatchObject({
        compliant: true,
        reason: 'ROTATED_WITHIN_PERIOD',
        currentKeyMaterialAgeDays: 1,
      });
  });

  it('a young multi-Region key with rotation on: NOT_YET_DUE in every region', async () => {
    const young = (await primary().send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
    await primary().send(new EnableKeyRotationCommand({ KeyId: young }));
    await primary().send(new ReplicateKeyCommand({ KeyId: young, ReplicaRegion: 'eu-west-1' }));
    const rows = (await ledgerGet(h, '/v1/reports/rotation-compliance', { maxAgeDays: '90' })).json.keys.filter(
      (k: { keyId: string }) => k.keyId === young,
    );
    expect(rows.map((r: { region: string; reason: string }) => [r.region, r.reason]).sort()).toEqual([
      ['eu-west-1', 'NOT_YET_DUE'],
      ['us-east-1', 'NOT_YET_DUE'],
    ]);
  });
});

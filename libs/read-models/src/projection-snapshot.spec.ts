import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackingKey, KeyAggregate } from '@keyledger/ledger';
import {
  packBackingKey,
  packKey,
  readProjectionSnapshot,
  unpackBackingKey,
  unpackKey,
  writeProjectionSnapshot,
  type ProjectionSnapshot,
} from './projection-snapshot.js';

const SEAL = { macKey: Buffer.alloc(32, 7), storeIdentity: 'test-store' };

// Every field differs from every other of its type, so a swapped pair in the tuple order shows.
const backing = (n: number): BackingKey => ({
  keyMaterialId: `material-${n}`,
  origin: 'EXTERNAL',
  hasMaterial: n % 2 === 0,
  shredKeyId: `shred-${n}`,
  createdAt: 1000 + n,
  state: 'NON_CURRENT',
  rotationDate: 2000 + n,
  rotationType: 'ON_DEMAND',
  importState: 'IMPORTED',
  expirationModel: 'KEY_MATERIAL_EXPIRES',
  validTo: 3000 + n,
  description: `described ${n}`,
});

const key: KeyAggregate = {
  exists: true,
  keyId: 'key-id',
  arn: 'key-arn',
  region: 'eu-west-1',
  origin: 'EXTERNAL',
  description: 'key description',
  createdAt: 11,
  enabled: false,
  deleted: true,
  deletedAt: 12,
  deletionDate: 13,
  pendingWindowInDays: 14,
  rotationEnabled: true,
  rotationPeriodInDays: 15,
  nextRotationDate: 16,
  onDemandRotations: 17,
  lastRotatedAt: 18,
  currentKeyMaterialId: 'material-2',
  backingKeys: [backing(1), backing(2)],
  tags: [{ TagKey: 'team', TagValue: 'payments' }],
  importParameters: [
    {
      importTokenId: 't',
      wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      wrappingKeySpec: 'RSA_2048',
      sealedPrivateKey: 's',
      shredKeyId: 'p',
      validTo: 19,
      spent: true,
    },
  ],
  supersededShredKeyIds: ['q'],
  keySpec: 'RSA_2048',
  keyUsage: 'SIGN_VERIFY',
  multiRegion: { primaryRegion: 'us-east-1', replicaRegions: ['ap-south-1'], lastPrimaryMove: null },
  pendingReplicaDeletion: true,
};

describe('ledger view snapshot codec', () => {
  it('gives back every field of a key and its backing keys', () => {
    expect(unpackBackingKey(packBackingKey(backing(7)))).toEqual(backing(7));
    expect(unpackKey(structuredClone(packKey(key)))).toEqual(key);
  });

  it('writes a file read back whole, and takes no file that was cut short', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyledger-snapshot-'));
    try {
      const file = join(dir, 'view.snapshot');
      // More keys than one chunk holds, so the reader crosses chunk boundaries.
      const keys = Array.from(
        { length: 5000 },
        (_, i) =>
          [
            `k${i}`,
            { state: { ...key, keyId: `k${i}` }, revision: BigInt(i), lastHash: i % 2 ? `h${i}` : null },
          ] as const,
      );
      const snapshot: ProjectionSnapshot = {
        position: 42n,
        eventId: 'event',
        previousPosition: 41n,
        passedPosition: 45n,
        contents: {
          keys: keys.map(([id, v]) => [id, v]),
          aliases: [
            [
              'alias/a',
              {
                state: {
                  exists: true,
                  aliasName: 'alias/a',
                  aliasArn: 'arn',
                  targetKeyId: 'k1',
                  createdAt: 1,
                  lastUpdatedAt: 2,
                },
                revision: 0n,
                lastHash: 'ha',
              },
            ],
          ],
          keyOrder: keys.map(([id]) => id),
          times: {
            keys: keys.map(([id], i) => [
              id,
              { revision: BigInt(i), createdMs: i, maxTimeMs: i + 1, complete: i !== 3 },
            ]),
            aliases: [['alias/a', { revision: 0n, points: [{ timeMs: 5, target: 'k1' }] }]],
          },
          // Every field differs, and a key known never used (null) beside those used.
          lastUses: {
            whole: true,
            keys: keys.map(([id], i) => [
              id,
              i % 3 ? { atMs: 1000 + i, operation: `op${i % 7}`, principal: `p${i % 5}`, requestId: `r${i}` } : null,
            ]),
          },
        },
      };
      writeProjectionSnapshot(file, snapshot, SEAL);
      expect(readProjectionSnapshot(file, SEAL)).toEqual(snapshot);
      const whole = readFileSync(file);
      const reasons: string[] = [];
      const read = () => readProjectionSnapshot(file, SEAL, (why) => reasons.push(why));
      writeFileSync(file, whole.subarray(0, whole.length - 3));
      expect(read()).toBeUndefined();
      writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
      expect(read()).toBeUndefined();
      expect(reasons).toEqual([
        expect.stringContaining('fails its MAC check'),
        expect.stringContaining('fails its MAC check'),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes no snapshot with any bit flipped, made under another key, or from another store', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyledger-snapshot-'));
    try {
      const file = join(dir, 'view.snapshot');
      const snapshot: ProjectionSnapshot = {
        position: 7n,
        eventId: 'event',
        previousPosition: 'start',
        passedPosition: 7n,
        contents: {
          keys: [['k', { state: key, revision: 3n, lastHash: 'h' }]],
          aliases: [],
          keyOrder: ['k'],
          times: { keys: [], aliases: [] },
          lastUses: { whole: false, keys: [] },
        },
      };
      writeProjectionSnapshot(file, snapshot, SEAL);
      const whole = readFileSync(file);
      // Every byte, the MAC's own included: one flipped bit anywhere and the file is refused.
      for (let i = 0; i < whole.length; i++) {
        const flipped = Buffer.from(whole);
        flipped[i]! ^= 1 << (i % 8);
        writeFileSync(file, flipped);
        expect(readProjectionSnapshot(file, SEAL)).toBeUndefined();
      }
      writeFileSync(file, whole);
      expect(readProjectionSnapshot(file, SEAL)).toEqual(snapshot);
      const reasons: string[] = [];
      expect(
        readProjectionSnapshot(file, { ...SEAL, macKey: Buffer.alloc(32, 8) }, (w) => reasons.push(w)),
      ).toBeUndefined();
      expect(readProjectionSnapshot(file, { ...SEAL, storeIdentity: 'other' }, (w) => reasons.push(w))).toBeUndefined();
      expect(reasons).toEqual([
        `${file} fails its MAC check (damaged, edited, cut short, of an older format, or made under another root key)`,
        `${file} was made from store test-store, not from other`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

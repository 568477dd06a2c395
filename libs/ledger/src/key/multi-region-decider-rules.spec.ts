import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import type { KeyCommand } from './key-commands.js';
import { decideKey } from './key-decider.js';
import type { KeyEvent } from './key-events.js';
import { evolveKey, initialKeyState, type KeyAggregate } from './key-state.js';

// Given a multi-Region key's events, when a multi-Region command, then events or a refusal with its exact text:
// the refusals by text, keys that do not exist (named as asked), and the commands that quietly do nothing.
const KEY_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const arnIn = (region: string) => `arn:aws:kms:${region}:111122223333:key/${KEY_ID}`;
const T0 = new Date('2026-01-01T00:00:00.000Z');
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);

const when = (state: KeyAggregate, command: KeyCommand) => decideKey(command, state);
const events = (decision: KeyEvent[] | DomainError): KeyEvent[] => {
  if (decision instanceof DomainError) throw new Error(`expected events, got ${decision.code}: ${decision.message}`);
  return decision;
};
const refusal = (decision: KeyEvent[] | DomainError): { code: string; message: string } => {
  if (!(decision instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return { code: decision.code, message: decision.message };
};
const then = (state: KeyAggregate, command: KeyCommand) => events(when(state, command)).reduce(evolveKey, state);

const createIn = (multiRegion: boolean): KeyCommand => ({
  type: 'CreateKey',
  keyId: KEY_ID,
  arn: arnIn('us-east-1'),
  accountId: '111122223333',
  region: 'us-east-1',
  description: '',
  origin: 'AWS_KMS',
  tags: [],
  backingKey: { keyMaterialId: '1'.padStart(64, '0'), sealedMaterial: 's', shredKeyId: 'p/1' },
  multiRegion,
  now: T0,
});
const primary = () => then(initialKeyState(), createIn(true));
const single = () => then(initialKeyState(), createIn(false));
const replica = (): KeyAggregate =>
  then(initialKeyState(), {
    type: 'CreateReplica',
    keyId: KEY_ID,
    arn: arnIn('eu-west-1'),
    accountId: '111122223333',
    region: 'eu-west-1',
    description: '',
    tags: [],
    primary: { region: 'us-east-1', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS' },
    arrivals: [],
    now: T0,
  });
const deleted = (state: KeyAggregate) =>
  evolveKey(state, { type: 'KeyDeleted', data: { deletedAt: days(9).toISOString(), destroyedShredKeyIds: [] } });
const replicate = (region: string, arn?: string): KeyCommand => ({
  type: 'ReplicateKey',
  replicaRegion: region,
  replicaArn: arnIn(region),
  ...(arn ? { arn } : {}),
  now: days(1),
});
const updatePrimary = (region: string, newPrimary: KeyAggregate | undefined, arn?: string): KeyCommand => ({
  type: 'UpdatePrimaryRegion',
  primaryRegion: region,
  newPrimary,
  newPrimaryArn: arnIn(region),
  ...(arn ? { arn } : {}),
  now: days(2),
});

describe('refusals by their texts', () => {
  it('a single-Region key is not a multi-Region key', () => {
    expect(refusal(when(single(), replicate('eu-west-1')))).toEqual({
      code: 'Unsupported',
      message: `${arnIn('us-east-1')} is not a multi-Region key: this operation supports multi-Region keys only.`,
    });
  });

  it('a replica is not the primary', () => {
    expect(refusal(when(replica(), updatePrimary('us-east-1', primary())))).toEqual({
      code: 'Unsupported',
      message: `${arnIn('eu-west-1')} is a multi-Region replica key: this operation takes the primary key.`,
    });
  });

  it('the primary region is where the primary is already', () => {
    expect(refusal(when(then(primary(), replicate('eu-west-1')), updatePrimary('us-east-1', primary())))).toEqual({
      code: 'Validation',
      message: `${arnIn('us-east-1')} is already the primary key in us-east-1.`,
    });
  });
});

describe('a key that does not exist is named as it was asked for', () => {
  const asked = 'arn:aws:kms:us-east-1:111122223333:alias/payments';
  it.each([
    ['ReplicateKey', replicate('eu-west-1', asked)],
    ['UpdatePrimaryRegion', updatePrimary('eu-west-1', replica(), asked)],
  ] as const)('%s', (_, command) => {
    expect(refusal(when(initialKeyState(), command))).toEqual({
      code: 'NotFound',
      message: `Key '${asked}' does not exist`,
    });
  });

  it('a deleted primary is named by its ARN', () => {
    expect(refusal(when(deleted(primary()), replicate('eu-west-1', 'asked')))).toEqual({
      code: 'NotFound',
      message: `Key '${arnIn('us-east-1')}' does not exist`,
    });
  });
});

describe('UpdatePrimaryRegion', () => {
  const withReplica = () => then(primary(), replicate('eu-west-1'));

  it('given the replica region but no replica loaded there, or one that does not exist, refuses as not found', () => {
    const notFound = { code: 'NotFound', message: `Key '${arnIn('eu-west-1')}' does not exist` };
    expect(refusal(when(withReplica(), updatePrimary('eu-west-1', undefined)))).toEqual(notFound);
    expect(refusal(when(withReplica(), updatePrimary('eu-west-1', initialKeyState())))).toEqual(notFound);
  });

  it('given a replica loaded for a region the primary does not list, refuses as not found', () => {
    expect(refusal(when(withReplica(), updatePrimary('ap-south-1', replica()))).code).toBe('NotFound');
  });

  it('given rotation off, hands the rotation settings over with no next date', () => {
    const [moved] = events(when(withReplica(), updatePrimary('eu-west-1', replica())));
    expect(moved).toMatchObject({
      type: 'KeyPrimaryRegionUpdated',
      data: {
        rotation: { enabled: false, periodInDays: null, nextRotationDate: null, onDemandRotations: 0 },
        updatedAt: days(2).toISOString(),
      },
    });
  });
});

describe('commands that record nothing where there is nothing to change', () => {
  const update = {
    primaryRegion: 'eu-west-1',
    previousPrimaryRegion: 'us-east-1',
    replicaRegions: ['us-east-1'],
    rotation: { enabled: false, periodInDays: null, nextRotationDate: null, onDemandRotations: 0 },
    updatedAt: days(2).toISOString(),
  };
  const follow: KeyCommand = { type: 'FollowPrimaryRegion', update, now: days(2) };

  it('FollowPrimaryRegion: nothing on a key that does not exist, was deleted or is single-Region', () => {
    expect(when(initialKeyState(), follow)).toEqual([]);
    expect(when(deleted(replica()), follow)).toEqual([]);
    expect(when(single(), follow)).toEqual([]);
    expect(when(replica(), follow)).toEqual([{ type: 'KeyPrimaryRegionUpdated', data: update }]);
  });

  it('ForgetReplica: nothing on a key that does not exist, was deleted or is single-Region', () => {
    const forget: KeyCommand = { type: 'ForgetReplica', replicaRegion: 'eu-west-1', now: days(3) };
    const withReplica = then(primary(), replicate('eu-west-1'));
    expect(when(initialKeyState(), forget)).toEqual([]);
    expect(when(deleted(withReplica), forget)).toEqual([]);
    expect(when(single(), forget)).toEqual([]);
    expect(when(withReplica, forget)).toEqual([
      { type: 'KeyReplicaDeleted', data: { replicaRegion: 'eu-west-1', deletedAt: days(3).toISOString() } },
    ]);
  });
});

import { DomainError, type Decision } from '../domain-error.js';
import { DAY_MS } from '../common-constants.js';
import {
  DEFAULT_PENDING_WINDOW_DAYS,
  DEFAULT_ROTATION_PERIOD_DAYS,
  MAX_PENDING_WINDOW_DAYS,
  MAX_ROTATION_PERIOD_DAYS,
  MIN_PENDING_WINDOW_DAYS,
  MIN_ROTATION_PERIOD_DAYS,
  type KeyCommand,
  type NewBackingKey,
} from './key-commands.js';
import type { KeyEvent } from './key-events.js';
import { iso, keyCreated } from './key-creation.js';
import { validateTags } from './key-tag-rules.js';
import { keyErrors, requireEnabled, requireLiveKey, requireNotPendingDeletion } from './key-guards.js';
import { decideImport } from './key-import-decider.js';
import { dueWork } from './due-work.js';
import { decideMultiRegion, isMultiRegionCommand, multiRegionErrors } from './multi-region-decider.js';
import { isReplica, multiRegionKeyTypeOf } from './multi-region-state.js';
import { isPendingDeletion, keyStateOf, type KeyAggregate } from './key-state.js';
import { deadShredKeyIds, everyShredKeyId } from './shred-keys.js';

function generated(backingKey: NewBackingKey, now: Date): KeyEvent {
  return {
    type: 'KeyMaterialGenerated',
    data: {
      keyMaterialId: backingKey.keyMaterialId,
      sealedMaterial: backingKey.sealedMaterial,
      shredKeyId: backingKey.shredKeyId,
      ...(backingKey.publicKey === undefined ? {} : { publicKey: backingKey.publicKey }),
      generatedAt: iso(now),
    },
  };
}

/** AWS rotates only symmetric encryption keys; the others are refused before any state rule. */
const notRotatable = (key: KeyAggregate, message: string) =>
  key.keySpec === 'SYMMETRIC_DEFAULT' ? undefined : new DomainError('Unsupported', message);
const specNotValid = (key: KeyAggregate) =>
  `${key.arn} key spec is ${key.keySpec} which is not valid for this operation.`;

function rotatedTo(
  key: KeyAggregate,
  keyMaterialId: string,
  rotationType: 'AUTOMATIC' | 'ON_DEMAND',
  now: Date,
  nextRotationDate?: number,
): KeyEvent {
  return {
    type: 'KeyRotated',
    data: {
      keyMaterialId,
      previousKeyMaterialId: key.currentKeyMaterialId,
      rotationType,
      rotatedAt: iso(now),
      ...(nextRotationDate === undefined ? {} : { nextRotationDate: iso(nextRotationDate) }),
    },
  };
}

/** Rotation is a shared property of a multi-Region key: only its primary rotates or changes the settings. */
const replicaRotation = (key: KeyAggregate) =>
  isReplica(key) ? multiRegionErrors.replicaRotation(key.arn) : undefined;

export function decideKey(command: KeyCommand, key: KeyAggregate): Decision<KeyEvent> {
  if (isMultiRegionCommand(command)) return decideMultiRegion(command, key);
  if (command.type === 'CreateKey') {
    const created = keyCreated(key, {
      keyId: command.keyId,
      arn: command.arn,
      accountId: command.accountId,
      region: command.region,
      description: command.description,
      keyUsage: command.keyUsage ?? 'ENCRYPT_DECRYPT',
      keySpec: command.keySpec ?? 'SYMMETRIC_DEFAULT',
      origin: command.origin,
      tags: command.tags,
      now: command.now,
      ...(command.multiRegion ? { multiRegion: { primaryRegion: command.region } } : {}),
    });
    if (created instanceof DomainError) return created;
    if (command.origin === 'EXTERNAL') return [created];
    if (!command.backingKey) throw new Error('CreateKey of origin AWS_KMS needs a backing key');
    return [created, generated(command.backingKey, command.now)];
  }

  // Allowed on a deleted key too: its shred keys must go whatever its state.
  if (command.type === 'DestroyOrphanShredKeys') {
    const dead = new Set(deadShredKeyIds(key));
    const orphans = [...new Set(command.shredKeyIds)].filter((id) => dead.has(id));
    if (orphans.length === 0) return [];
    return [
      { type: 'OrphanShredKeysDestroyed', data: { destroyedShredKeyIds: orphans, destroyedAt: iso(command.now) } },
    ];
  }

  const dead = requireLiveKey(key, command.arn);
  if (dead) return dead;

  switch (command.type) {
    case 'EnableKey':
    case 'DisableKey': {
      const state = keyStateOf(key);
      if (isPendingDeletion(state)) return keyErrors.pendingDeletion(key);
      if (state === 'PendingImport') return keyErrors.pendingImport(key);
      const enable = command.type === 'EnableKey';
      // Already in the asked state: AWS answers success and nothing happened, so nothing is recorded.
      if (key.enabled === enable) return [];
      return [{ type: enable ? 'KeyEnabled' : 'KeyDisabled', data: {} }];
    }

    case 'UpdateKeyDescription': {
      const refused = requireNotPendingDeletion(key);
      if (refused) return refused;
      return [{ type: 'KeyDescriptionUpdated', data: { description: command.description } }];
    }

    case 'EnableKeyRotation': {
      const unsupported = notRotatable(key, specNotValid(key)) ?? replicaRotation(key);
      if (unsupported) return unsupported;
      if (key.origin !== 'AWS_KMS') return keyErrors.originNotValid(key);
      const refused = requireEnabled(key);
      if (refused) return refused;
      const period = command.rotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
      if (!Number.isInteger(period) || period < MIN_ROTATION_PERIOD_DAYS || period > MAX_ROTATION_PERIOD_DAYS)
        return new DomainError(
          'Validation',
          `RotationPeriodInDays must be between ${MIN_ROTATION_PERIOD_DAYS} and ${MAX_ROTATION_PERIOD_DAYS}.`,
        );
      if (key.rotationEnabled && key.rotationPeriodInDays === period) return [];
      return [
        {
          type: 'KeyRotationEnabled',
          data: { rotationPeriodInDays: period, nextRotationDate: iso(command.now.getTime() + period * DAY_MS) },
        },
      ];
    }

    case 'DisableKeyRotation': {
      const unsupported = notRotatable(key, specNotValid(key)) ?? replicaRotation(key);
      if (unsupported) return unsupported;
      if (key.origin !== 'AWS_KMS') return keyErrors.originNotValid(key);
      const refused = requireEnabled(key);
      if (refused) return refused;
      if (!key.rotationEnabled) return [];
      return [{ type: 'KeyRotationDisabled', data: {} }];
    }

    case 'RotateKeyOnDemand': {
      // AWS answers a non-symmetric key with an empty message (recorded).
      const unsupported = notRotatable(key, '') ?? replicaRotation(key);
      if (unsupported) return unsupported;
      const refused = requireEnabled(key);
      if (refused) return refused;
      if (key.onDemandRotations >= command.maxOnDemandRotations)
        return new DomainError(
          'LimitExceeded',
          `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`,
        );
      if (key.origin === 'EXTERNAL') {
        const pending = key.backingKeys.find((b) => b.state === 'PENDING_ROTATION');
        if (!pending)
          return new DomainError(
            'InvalidState',
            `${key.arn} has no imported key material pending rotation. Import new key material first.`,
          );
        return [rotatedTo(key, pending.keyMaterialId, 'ON_DEMAND', command.now)];
      }
      if (!command.backingKey) throw new Error('RotateKeyOnDemand of an AWS_KMS key needs a backing key');
      return [
        generated(command.backingKey, command.now),
        rotatedTo(key, command.backingKey.keyMaterialId, 'ON_DEMAND', command.now),
      ];
    }

    case 'RotateKeyIfDue': {
      // AWS does not rotate a disabled key or one pending deletion; it rotates once re-enabled.
      const now = command.now.getTime();
      if (!dueWork(key, now).rotate) return [];
      // Stryker disable next-line ConditionalExpression,ArrayDeclaration: dueWork's rotate needs a next date
      if (key.nextRotationDate === null) return [];
      if (!command.backingKey) throw new Error('RotateKeyIfDue of a key due for rotation needs a backing key');
      const period = (key.rotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS) * DAY_MS;
      // Counted from the due date so rotation does not drift; from now if the server was down past a period.
      const next = key.nextRotationDate + period > now ? key.nextRotationDate + period : now + period;
      return [
        generated(command.backingKey, command.now),
        rotatedTo(key, command.backingKey.keyMaterialId, 'AUTOMATIC', command.now, next),
      ];
    }

    case 'ScheduleKeyDeletion': {
      if (key.deletionDate !== null || key.pendingReplicaDeletion) return keyErrors.pendingDeletion(key);
      const window = command.pendingWindowInDays ?? DEFAULT_PENDING_WINDOW_DAYS;
      if (!Number.isInteger(window) || window < MIN_PENDING_WINDOW_DAYS || window > MAX_PENDING_WINDOW_DAYS)
        return new DomainError(
          'Validation',
          `PendingWindowInDays must be between ${MIN_PENDING_WINDOW_DAYS} and ${MAX_PENDING_WINDOW_DAYS}.`,
        );
      // AWS: a primary with replicas waits for them; its waiting period begins when the last one is deleted.
      if (multiRegionKeyTypeOf(key) === 'PRIMARY' && key.multiRegion!.replicaRegions.length > 0)
        return [{ type: 'KeyDeletionAwaitingReplicas', data: { pendingWindowInDays: window } }];
      return [
        {
          type: 'KeyDeletionScheduled',
          data: { deletionDate: iso(command.now.getTime() + window * DAY_MS), pendingWindowInDays: window },
        },
      ];
    }

    case 'CancelKeyDeletion': {
      if (key.deletionDate === null && !key.pendingReplicaDeletion) return keyErrors.notPendingDeletion(key);
      return [{ type: 'KeyDeletionCanceled', data: {} }];
    }

    case 'CompleteKeyDeletionIfDue': {
      if (!dueWork(key, command.now.getTime()).completeDeletion) return [];
      return [
        { type: 'KeyDeleted', data: { deletedAt: iso(command.now), destroyedShredKeyIds: everyShredKeyId(key) } },
      ];
    }

    case 'TagResource': {
      const refused = requireNotPendingDeletion(key);
      if (refused) return refused;
      const tagError = validateTags(key, command.tags);
      if (tagError) return tagError;
      return [{ type: 'KeyTagsAdded', data: { tags: command.tags } }];
    }

    case 'UntagResource': {
      const refused = requireNotPendingDeletion(key);
      if (refused) return refused;
      return [{ type: 'KeyTagsRemoved', data: { tagKeys: command.tagKeys } }];
    }

    case 'GetParametersForImport':
    case 'ImportKeyMaterial':
    case 'DeleteImportedKeyMaterial':
    case 'ExpireKeyMaterialIfDue':
      return decideImport(command, key);
  }
}

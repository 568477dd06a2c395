import { DomainError, type Decision } from '../domain-error.js';
import { isPendingDeletion, type KeyState } from '../key/key-state.js';
import type { AliasEvent } from './alias-events.js';
import { MAX_ALIASES_PER_KEY } from '../quotas.js';

export interface AliasAggregate {
  exists: boolean;
  aliasName: string;
  aliasArn: string;
  targetKeyId: string | null;
  createdAt: number | null;
  lastUpdatedAt: number | null;
}

export const initialAliasState = (): AliasAggregate => ({
  exists: false,
  aliasName: '',
  aliasArn: '',
  targetKeyId: null,
  createdAt: null,
  lastUpdatedAt: null,
});

/** What the alias decider needs to know of the key it would point at. */
export interface AliasTarget {
  keyId: string;
  arn: string;
  keyState: KeyState;
  /** Aliases pointing at the key now (MAX_ALIASES_PER_KEY). */
  aliasCount: number;
}

export type AliasCommand =
  | { type: 'CreateAlias'; aliasName: string; aliasArn: string; target: AliasTarget; now: Date }
  | { type: 'UpdateAlias'; aliasName: string; aliasArn: string; target: AliasTarget; now: Date }
  | { type: 'DeleteAlias'; aliasName: string; aliasArn: string; now: Date };

/** The key an alias points at once `event` has happened (null: deleted); each event names it whole. */
export function aliasTargetAfter(event: AliasEvent): string | null {
  switch (event.type) {
    case 'AliasCreated':
      return event.data.targetKeyId;
    case 'AliasMoved':
      return event.data.toKeyId;
    case 'AliasDeleted':
      return null;
  }
}

export function evolveAlias(alias: AliasAggregate, event: AliasEvent): AliasAggregate {
  switch (event.type) {
    case 'AliasCreated': {
      const at = Date.parse(event.data.createdAt);
      return {
        exists: true,
        aliasName: event.data.aliasName,
        aliasArn: event.data.aliasArn,
        targetKeyId: aliasTargetAfter(event),
        createdAt: at,
        lastUpdatedAt: at,
      };
    }
    case 'AliasMoved':
      return { ...alias, targetKeyId: aliasTargetAfter(event), lastUpdatedAt: Date.parse(event.data.movedAt) };
    case 'AliasDeleted':
      return { ...alias, exists: false, targetKeyId: aliasTargetAfter(event) };
  }
}

const ALIAS_PREFIX = 'alias/';
const RESERVED_PREFIX = 'alias/aws/';

/** AWS's rules for a customer alias name, beyond the wire pattern the protocol layer checks. */
export function validateAliasName(aliasName: string): DomainError | undefined {
  if (!aliasName.startsWith(ALIAS_PREFIX) || aliasName.length === ALIAS_PREFIX.length)
    return new DomainError(
      'Validation',
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  // Case-insensitive: `alias/AWS/x` would pass for an AWS managed key's alias to a reader.
  if (aliasName.toLowerCase().startsWith(RESERVED_PREFIX))
    return new DomainError(
      'InvalidAliasName',
      `Alias name ${aliasName} must not begin with '${RESERVED_PREFIX}': it is reserved for AWS managed keys.`,
    );
  return undefined;
}

function refuseTarget(target: AliasTarget): DomainError | undefined {
  if (isPendingDeletion(target.keyState)) return new DomainError('InvalidState', `${target.arn} is pending deletion.`);
  if (target.aliasCount >= MAX_ALIASES_PER_KEY)
    return new DomainError(
      'LimitExceeded',
      `The key ${target.arn} already has ${MAX_ALIASES_PER_KEY} aliases, the most a key can have.`,
    );
  return undefined;
}

export function decideAlias(command: AliasCommand, alias: AliasAggregate): Decision<AliasEvent> {
  const nameError = validateAliasName(command.aliasName);
  if (nameError) return nameError;
  const at = command.now.toISOString();
  switch (command.type) {
    case 'CreateAlias': {
      if (alias.exists)
        return new DomainError('AlreadyExists', `An alias with the name ${command.aliasArn} already exists`);
      const refused = refuseTarget(command.target);
      if (refused) return refused;
      return [
        {
          type: 'AliasCreated',
          data: {
            aliasName: command.aliasName,
            aliasArn: command.aliasArn,
            targetKeyId: command.target.keyId,
            createdAt: at,
          },
        },
      ];
    }
    case 'UpdateAlias': {
      // An alias names a key exactly while it exists (evolveAlias).
      if (alias.targetKeyId === null) return new DomainError('NotFound', `Alias ${command.aliasArn} is not found.`);
      // Pointing an alias at the key it already names adds none.
      const refused =
        alias.targetKeyId === command.target.keyId
          ? refuseTarget({ ...command.target, aliasCount: 0 })
          : refuseTarget(command.target);
      if (refused) return refused;
      return [
        {
          type: 'AliasMoved',
          data: {
            aliasName: command.aliasName,
            fromKeyId: alias.targetKeyId,
            toKeyId: command.target.keyId,
            movedAt: at,
          },
        },
      ];
    }
    case 'DeleteAlias': {
      // An alias names a key exactly while it exists (evolveAlias).
      if (alias.targetKeyId === null) return new DomainError('NotFound', `Alias ${command.aliasArn} is not found.`);
      return [
        { type: 'AliasDeleted', data: { aliasName: command.aliasName, targetKeyId: alias.targetKeyId, deletedAt: at } },
      ];
    }
  }
}

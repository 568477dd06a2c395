import { isKmsKeyId } from '../common-constants.js';
import { DomainError } from '../domain-error.js';

/** Where this server's keys live: every ARN it builds or accepts names this account and region. */
export interface KmsScope {
  region: string;
  accountId: string;
}

/**
 * The one partition Keyledger's ARNs carry. It builds `arn:aws:` for every region,
 * so an ARN of another partition (aws-cn, aws-us-gov, …) cannot name one of its keys.
 */
export const ARN_PARTITION = 'aws';
const ALIAS_PREFIX = 'alias/';
const KEY_PREFIX = 'key/';

export const keyArnOf = (scope: KmsScope, keyId: string): string =>
  `arn:${ARN_PARTITION}:kms:${scope.region}:${scope.accountId}:${KEY_PREFIX}${keyId}`;

export const aliasArnOf = (scope: KmsScope, aliasName: string): string =>
  `arn:${ARN_PARTITION}:kms:${scope.region}:${scope.accountId}:${aliasName}`;

/** What a KeyId names: a key by its id, or an alias still to be followed. */
export type KeyIdentifier = { kind: 'key'; keyId: string } | { kind: 'alias'; aliasName: string };

const ARN = /^arn:([^:]+):kms:([^:]*):([^:]*):(.+)$/;

/**
 * A KeyId as AWS accepts it (key id, key ARN, alias name, alias ARN), with AWS's
 * NotFound texts. A `key/` ARN must name a key id: `…:key/alias/x` is refused, as AWS
 * refuses it. Operations that do not take aliases say so (`allowAlias: false`).
 */
export function parseKeyIdentifier(
  input: string,
  scope: KmsScope,
  options: { allowAlias: boolean },
): KeyIdentifier | DomainError {
  let name = input;
  let fromArn = false;
  if (input.startsWith('arn:')) {
    const arn = ARN.exec(input);
    if (!arn || arn[1] !== ARN_PARTITION) return invalidArn(input);
    // Every group of the pattern takes part in a match: region and account may be empty, the resource may not.
    const region = arn[2]!;
    const account = arn[3]!;
    const resource = arn[4]!;
    if (region !== scope.region) return invalidArn(region);
    if (account !== scope.accountId) return invalidArn(input);
    if (resource.startsWith(KEY_PREFIX)) name = resource.slice(KEY_PREFIX.length);
    else if (resource.startsWith(ALIAS_PREFIX)) name = resource;
    else return invalidArn(input);
    fromArn = resource.startsWith(KEY_PREFIX);
  }
  if (!fromArn && name.startsWith(ALIAS_PREFIX)) {
    if (!options.allowAlias) return invalidKeyId(input);
    return { kind: 'alias', aliasName: name };
  }
  if (!isKmsKeyId(name)) return invalidKeyId(input);
  return { kind: 'key', keyId: name };
}

const invalidArn = (what: string) => new DomainError('NotFound', `Invalid arn ${what}`);
const invalidKeyId = (input: string) => new DomainError('NotFound', `Invalid keyId '${input}'`);

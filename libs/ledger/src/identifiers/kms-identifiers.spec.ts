import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { validateAliasName } from '../alias/alias-decider.js';
import { aliasArnOf, keyArnOf, parseKeyIdentifier, type KmsScope } from './kms-identifiers.js';

const SCOPE: KmsScope = { region: 'eu-west-1', accountId: '111122223333' };
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;
const ALIASES = { allowAlias: true };
const NO_ALIASES = { allowAlias: false };

const refusal = (answer: unknown): DomainError => {
  if (!(answer instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(answer)}`);
  return answer;
};

describe('key id and ARN builder', () => {
  it('given a scope, when building, then key and alias ARNs of the aws partition', () => {
    expect(keyArnOf(SCOPE, KEY_ID)).toBe(KEY_ARN);
    expect(aliasArnOf(SCOPE, 'alias/app')).toBe('arn:aws:kms:eu-west-1:111122223333:alias/app');
  });

  it('given a built ARN, when parsed back, then the same key id', () => {
    expect(parseKeyIdentifier(keyArnOf(SCOPE, KEY_ID), SCOPE, NO_ALIASES)).toEqual({ kind: 'key', keyId: KEY_ID });
  });
});

describe('key id and ARN parser', () => {
  it('given a key id, then that key', () => {
    expect(parseKeyIdentifier(KEY_ID, SCOPE, NO_ALIASES)).toEqual({ kind: 'key', keyId: KEY_ID });
  });

  it("given a multi-Region key id or its ARN, then that key; a malformed mrk id gets AWS's text", () => {
    const mrk = 'mrk-1234abcd12ab34cd56ef1234567890ab';
    expect(parseKeyIdentifier(mrk, SCOPE, NO_ALIASES)).toEqual({ kind: 'key', keyId: mrk });
    expect(parseKeyIdentifier(keyArnOf(SCOPE, mrk), SCOPE, NO_ALIASES)).toEqual({ kind: 'key', keyId: mrk });
    expect(refusal(parseKeyIdentifier('mrk-fake-key-id', SCOPE, NO_ALIASES)).message).toBe(
      "Invalid keyId 'mrk-fake-key-id'",
    );
    expect(refusal(parseKeyIdentifier(`${mrk}0`, SCOPE, NO_ALIASES)).code).toBe('NotFound');
    expect(refusal(parseKeyIdentifier(mrk.toUpperCase(), SCOPE, NO_ALIASES)).code).toBe('NotFound');
  });

  it('given an alias name or alias ARN where aliases are taken, then the alias', () => {
    expect(parseKeyIdentifier('alias/app/prod', SCOPE, ALIASES)).toEqual({
      kind: 'alias',
      aliasName: 'alias/app/prod',
    });
    expect(parseKeyIdentifier('arn:aws:kms:eu-west-1:111122223333:alias/app', SCOPE, ALIASES)).toEqual({
      kind: 'alias',
      aliasName: 'alias/app',
    });
  });

  it('given an alias where aliases are not taken, then NotFound "Invalid keyId"', () => {
    expect(refusal(parseKeyIdentifier('alias/app', SCOPE, NO_ALIASES))).toMatchObject({
      code: 'NotFound',
      message: "Invalid keyId 'alias/app'",
    });
  });

  it('given a malformed or upper-case key id, then NotFound "Invalid keyId"', () => {
    expect(refusal(parseKeyIdentifier('fake-key-id', SCOPE, ALIASES)).message).toBe("Invalid keyId 'fake-key-id'");
    expect(refusal(parseKeyIdentifier(KEY_ID.toUpperCase(), SCOPE, ALIASES)).code).toBe('NotFound');
  });

  it('given a key/ ARN whose resource is an alias, then it is refused as AWS refuses it', () => {
    const input = 'arn:aws:kms:eu-west-1:111122223333:key/alias/app';
    expect(refusal(parseKeyIdentifier(input, SCOPE, ALIASES))).toMatchObject({
      code: 'NotFound',
      message: `Invalid keyId '${input}'`,
    });
  });

  it('given an ARN of another partition, then NotFound "Invalid arn"', () => {
    for (const partition of ['aws-cn', 'aws-us-gov', 'anything', 'AWS']) {
      const input = `arn:${partition}:kms:eu-west-1:111122223333:key/${KEY_ID}`;
      expect(refusal(parseKeyIdentifier(input, SCOPE, ALIASES)).message).toBe(`Invalid arn ${input}`);
    }
  });

  it('given an ARN of another region, then NotFound naming the region, as AWS does', () => {
    const input = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
    expect(refusal(parseKeyIdentifier(input, SCOPE, ALIASES)).message).toBe('Invalid arn us-east-1');
  });

  it('given an ARN of another account, another service or no resource type, then NotFound "Invalid arn"', () => {
    for (const input of [
      `arn:aws:kms:eu-west-1:999999999999:key/${KEY_ID}`,
      `arn:aws:s3:eu-west-1:111122223333:key/${KEY_ID}`,
      `arn:aws:kms:eu-west-1:111122223333:${KEY_ID}`,
      'arn:',
    ])
      expect(refusal(parseKeyIdentifier(input, SCOPE, ALIASES)).message).toBe(`Invalid arn ${input}`);
  });
});

describe('reserved alias prefix', () => {
  it('given alias/aws/ in any case, then the name is refused', () => {
    for (const name of ['alias/aws/s3', 'alias/AWS/s3', 'alias/Aws/x'])
      expect(validateAliasName(name)).toMatchObject({ code: 'InvalidAliasName' });
  });

  it('given a name that only starts like it, then it is accepted', () => {
    expect(validateAliasName('alias/awsome')).toBeUndefined();
    expect(validateAliasName('alias/aws')).toBeUndefined();
  });
});

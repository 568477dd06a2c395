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

  it.each([
    `x${KEY_ID}`,
    `${KEY_ID}x`,
    `${KEY_ID}\n`,
    ` ${KEY_ID}`,
    KEY_ID.slice(1),
    KEY_ID.replaceAll('-', ''),
    KEY_ID.replace('-', '_'),
    `${KEY_ID.slice(0, -1)}g`,
    'mrk-1234abcd12ab34cd56ef1234567890a',
    'xmrk-1234abcd12ab34cd56ef1234567890ab',
    'mrk-1234abcd12ab34cd56ef1234567890ab\n',
    'mrk1234abcd12ab34cd56ef1234567890ab',
    '',
  ])('given %j, which is not a whole key id, then NotFound "Invalid keyId"', (input) => {
    expect(refusal(parseKeyIdentifier(input, SCOPE, NO_ALIASES))).toMatchObject({
      code: 'NotFound',
      message: `Invalid keyId '${input}'`,
    });
  });

  it.each(['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', KEY_ID])(
    'given the key id %s, then that key',
    (keyId) => expect(parseKeyIdentifier(keyId, SCOPE, NO_ALIASES)).toEqual({ kind: 'key', keyId }),
  );

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
      expect(refusal(parseKeyIdentifier(input, SCOPE, ALIASES))).toMatchObject({
        code: 'NotFound',
        message: `Invalid arn ${input}`,
      });
    }
  });

  it('given a valid ARN inside a longer text, then NotFound: the ARN must be the whole input', () => {
    for (const input of [
      `arn:x:${KEY_ARN}`,
      `arn:aws:kms:eu-west-1:111122223333:arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`,
      `${KEY_ARN}\n`,
      `${KEY_ARN}\nx`,
      `${KEY_ARN}x`,
    ])
      expect(refusal(parseKeyIdentifier(input, SCOPE, ALIASES)).code).toBe('NotFound');
  });

  it('given an ARN with an empty part, then NotFound "Invalid arn", never a key', () => {
    for (const input of [
      `arn::kms:eu-west-1:111122223333:key/${KEY_ID}`,
      `arn:aws:kms::111122223333:key/${KEY_ID}`,
      `arn:aws:kms:eu-west-1::key/${KEY_ID}`,
      'arn:aws:kms:eu-west-1:111122223333:',
      'arn:aws:kms:eu-west-1:111122223333:key/',
    ])
      expect(refusal(parseKeyIdentifier(input, SCOPE, ALIASES)).code).toBe('NotFound');
    expect(refusal(parseKeyIdentifier(`arn:aws:kms::111122223333:key/${KEY_ID}`, SCOPE, ALIASES)).message).toBe(
      'Invalid arn ',
    );
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

import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  ListGrantsCommand,
  ListKeyPoliciesCommand,
  ListRetirableGrantsCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { writePrincipalsFile, type PrincipalsFile } from './support/principals-file.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

const APP = { accessKeyId: 'AKIAAUTHZAPPUSER0001', secretAccessKey: 'authz-app-secret-0123456789abcdef' };
const OTHER = { accessKeyId: 'AKIAAUTHZOTHERUSER01', secretAccessKey: 'authz-other-secret-0123456789abcd' };
const AUDIT = { accessKeyId: 'AKIAAUTHZAUDITOR0001', secretAccessKey: 'authz-audit-secret-0123456789abcd' };
const ENCRYPTOR = { accessKeyId: 'AKIAAUTHZENCRYPTOR01', secretAccessKey: 'authz-encryptor-secret-0123456789' };
/** A principal with an identity policy of its own and no role. */
const ENCRYPT_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] };
const ACCOUNT = '111122223333';
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const text = (s: string) => Buffer.from(s);

/** Admin manages; only `app` may use the key. No statement names the account, so IAM cannot add anyone. */
const ONLY_APP = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: arn('admin') }, Action: 'kms:*', Resource: '*' },
    {
      Sid: 'AppUses',
      Effect: 'Allow',
      Principal: { AWS: arn('app') },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
    },
  ],
});

describe('key policies and grants, enforced on every request (issue 12)', () => {
  let h: Harness;
  let principals: PrincipalsFile;
  beforeAll(async () => {
    principals = writePrincipalsFile([
      { name: 'app', role: 'key-user', ...APP },
      { name: 'other', role: 'key-user', ...OTHER },
      { name: 'audit', role: 'auditor', ...AUDIT },
      { name: 'encryptor', policy: ENCRYPT_ONLY, ...ENCRYPTOR },
    ]);
    h = await startKeyledger({ env: { KEYLEDGER_PRINCIPALS_FILE: principals.path } });
  });
  afterAll(async () => {
    await h.close();
    principals.remove();
  });

  it('a key policy that lets only one key-user decrypt: the other key-user is refused with AWS text', async () => {
    const key = (await h.kms.send(new CreateKeyCommand({ Policy: ONLY_APP }))).KeyMetadata!;
    const app = h.client(APP);
    const other = h.client(OTHER);
    const sealed = await app.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('only app') }));
    expect(
      Buffer.from((await app.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))).Plaintext!),
    ).toEqual(text('only app'));
    expect(await failure(other.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })))).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message:
        `User: ${arn('other')} is not authorized to perform: kms:Decrypt on resource: ${key.Arn} ` +
        'because no resource-based policy allows the kms:Decrypt action',
    });
    // The key-user role has Describe*, yet this key's policy does not delegate to IAM.
    expect((await failure(other.send(new GetKeyPolicyCommand({ KeyId: key.KeyId })))).name).toBe(
      'AccessDeniedException',
    );
  });

  it('GetKeyPolicy returns the policy byte for byte; ListKeyPolicies names only default', async () => {
    const odd = `{ "Statement" : [ {"Effect":"Allow", "Principal": {"AWS": "${ACCOUNT}"},\n\t"Action":"kms:*","Resource":"*"} ] }`;
    const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const initial = await h.kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }));
    expect(JSON.parse(initial.Policy!)).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    await h.kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: odd }));
    expect((await h.kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy).toBe(odd);
    expect((await h.kms.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId }))).PolicyNames).toEqual(['default']);
    expect(
      (await failure(h.kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: '{"Statement":' })))).name,
    ).toBe('MalformedPolicyDocumentException');
  });

  it('a Deny on kms:Decrypt unless an encryption context is present wins over every allow', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'NeedsPurpose',
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringNotEquals: { 'kms:EncryptionContext:purpose': 'billing' } },
        },
      ],
    });
    const key = (await h.kms.send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata!;
    const app = h.client(APP);
    const context = { purpose: 'billing' };
    const withContext = await app.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('a'), EncryptionContext: context }),
    );
    await app.send(new DecryptCommand({ CiphertextBlob: withContext.CiphertextBlob, EncryptionContext: context }));
    const without = await app.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('b') }));
    // Even the admin, whose identity policy is kms:*, is refused: an explicit deny wins.
    expect(await failure(h.kms.send(new DecryptCommand({ CiphertextBlob: without.CiphertextBlob })))).toMatchObject({
      name: 'AccessDeniedException',
      message:
        `User: ${arn('admin')} is not authorized to perform: kms:Decrypt on resource: ${key.Arn} ` +
        'with an explicit deny in a resource-based policy',
    });
  });

  it('the lockout check refuses a policy the caller could not change again, unless bypassed', async () => {
    const lockedOut = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { AWS: arn('app') }, Action: 'kms:*', Resource: '*' }],
    });
    expect(await failure(h.kms.send(new CreateKeyCommand({ Policy: lockedOut })))).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: 'The new key policy will not allow you to update the key policy in the future.',
    });
    const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    expect((await failure(h.kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: lockedOut })))).name).toBe(
      'MalformedPolicyDocumentException',
    );
    await h.kms.send(
      new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: lockedOut, BypassPolicyLockoutSafetyCheck: true }),
    );
    // The admin locked itself out, as it asked to.
    expect((await failure(h.kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId })))).name).toBe(
      'AccessDeniedException',
    );
    const bypassed = await h.kms.send(
      new CreateKeyCommand({ Policy: lockedOut, BypassPolicyLockoutSafetyCheck: true }),
    );
    expect(bypassed.KeyMetadata!.KeyId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a grant lets a principal with no identity permission decrypt, within its constraints, until retired', async () => {
    const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const audit = h.client(AUDIT);
    const app = h.client(APP);
    const inScope = { dept: 'a', extra: 'x' };
    const sealed = await h.kms.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('s'), EncryptionContext: inScope }),
    );
    const outOfScope = await h.kms.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('t'), EncryptionContext: { dept: 'b' } }),
    );
    const decrypt = (blob: Uint8Array, ctx: Record<string, string>, tokens?: string[]) =>
      audit.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: ctx, GrantTokens: tokens }));
    expect((await failure(decrypt(sealed.CiphertextBlob!, inScope))).message).toContain(
      'because no identity-based policy allows the kms:Decrypt action',
    );

    const grant = await h.kms.send(
      new CreateGrantCommand({
        KeyId: key.KeyId,
        GranteePrincipal: arn('audit'),
        RetiringPrincipal: arn('app'),
        Operations: ['Decrypt'],
        Constraints: { EncryptionContextSubset: { dept: 'a' } },
        Name: 'audit-reads-a',
      }),
    );
    expect(grant.GrantId).toMatch(/^[0-9a-f]{64}$/);
    // Immediately effective, with or without its token; a token that is not ours is refused.
    expect(Buffer.from((await decrypt(sealed.CiphertextBlob!, inScope, [grant.GrantToken!])).Plaintext!)).toEqual(
      text('s'),
    );
    await decrypt(sealed.CiphertextBlob!, inScope);
    expect((await failure(decrypt(sealed.CiphertextBlob!, inScope, ['not-a-token']))).name).toBe(
      'InvalidGrantTokenException',
    );
    expect((await failure(decrypt(outOfScope.CiphertextBlob!, { dept: 'b' }))).name).toBe('AccessDeniedException');
    // The grant gives Decrypt only.
    expect(
      (
        await failure(
          audit.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionContext: inScope })),
        )
      ).name,
    ).toBe('AccessDeniedException');

    // The same name with the same parameters is the same grant.
    const again = await h.kms.send(
      new CreateGrantCommand({
        KeyId: key.KeyId,
        GranteePrincipal: arn('audit'),
        RetiringPrincipal: arn('app'),
        Operations: ['Decrypt'],
        Constraints: { EncryptionContextSubset: { dept: 'a' } },
        Name: 'audit-reads-a',
      }),
    );
    expect(again.GrantId).toBe(grant.GrantId);
    const listed = await h.kms.send(new ListGrantsCommand({ KeyId: key.KeyId }));
    expect(listed.Grants).toEqual([
      expect.objectContaining({
        KeyId: key.Arn,
        GrantId: grant.GrantId,
        Name: 'audit-reads-a',
        GranteePrincipal: arn('audit'),
        RetiringPrincipal: arn('app'),
        IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
        Operations: ['Decrypt'],
        Constraints: { EncryptionContextSubset: { dept: 'a' } },
      }),
    ]);
    const retirable = await app.send(new ListRetirableGrantsCommand({ RetiringPrincipal: arn('app') }));
    expect(retirable.Grants!.map((g) => g.GrantId)).toContain(grant.GrantId);

    // The grantee may not retire it (its grant does not include RetireGrant); the retiring principal may.
    expect((await failure(audit.send(new RetireGrantCommand({ GrantToken: grant.GrantToken })))).name).toBe(
      'AccessDeniedException',
    );
    await app.send(new RetireGrantCommand({ GrantToken: grant.GrantToken }));
    expect((await failure(decrypt(sealed.CiphertextBlob!, inScope))).name).toBe('AccessDeniedException');
    expect((await h.kms.send(new ListGrantsCommand({ KeyId: key.KeyId }))).Grants).toEqual([]);
  });

  it('a second principal: denied, allowed by a grant, denied again after RevokeGrant', async () => {
    const key = (await h.kms.send(new CreateKeyCommand({ Policy: ONLY_APP }))).KeyMetadata!;
    const other = h.client(OTHER);
    const encrypt = () => other.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('o') }));
    expect((await failure(encrypt())).name).toBe('AccessDeniedException');
    const grant = await h.kms.send(
      new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: arn('other'), Operations: ['Encrypt'] }),
    );
    expect((await encrypt()).KeyId).toBe(key.Arn);
    // RevokeGrant is for those the key policy allows: not the grantee.
    expect((await failure(other.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: grant.GrantId })))).name).toBe(
      'AccessDeniedException',
    );
    await h.kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: grant.GrantId }));
    expect((await failure(encrypt())).name).toBe('AccessDeniedException');
    expect((await failure(h.kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: grant.GrantId })))).name).toBe(
      'InvalidGrantIdException',
    );
  });

  it('a principal with only an identity policy may do what it allows, through a key policy that delegates', async () => {
    const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const encryptor = h.client(ENCRYPTOR);
    const sealed = await encryptor.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('e') }));
    expect(await failure(encryptor.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })))).toMatchObject({
      name: 'AccessDeniedException',
      message:
        `User: ${arn('encryptor')} is not authorized to perform: kms:Decrypt on resource: ${key.Arn} ` +
        'because no identity-based policy allows the kms:Decrypt action',
    });
    // A key whose policy does not name the account gives the identity policy nothing to add to.
    const onlyApp = (await h.kms.send(new CreateKeyCommand({ Policy: ONLY_APP }))).KeyMetadata!;
    expect(
      (await failure(encryptor.send(new EncryptCommand({ KeyId: onlyApp.KeyId, Plaintext: text('e') })))).message,
    ).toContain('because no resource-based policy allows the kms:Encrypt action');
  });

  it('a grant that gives CreateGrant passes on only what it has; its grantee may retire a grant that says so', async () => {
    const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const audit = h.client(AUDIT);
    await h.kms.send(
      new CreateGrantCommand({
        KeyId: key.KeyId,
        GranteePrincipal: arn('audit'),
        Operations: ['Decrypt', 'CreateGrant', 'RetireGrant'],
        Constraints: { EncryptionContextSubset: { dept: 'a' } },
      }),
    );
    const subGrant = (extra: object) =>
      audit.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: arn('other'), ...extra } as never));
    expect((await failure(subGrant({ Operations: ['Decrypt', 'Encrypt'] }))).name).toBe('AccessDeniedException');
    expect((await failure(subGrant({ Operations: ['Decrypt'] }))).name).toBe('AccessDeniedException');
    const narrower = await subGrant({
      Operations: ['Decrypt', 'RetireGrant'],
      Constraints: { EncryptionContextSubset: { dept: 'a', team: 'x' } },
    });
    expect(narrower.GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect((await failure(subGrant({ Operations: ['Decrypt'], DryRun: true }))).name).toBe('AccessDeniedException');
    await h.kms.send(new RetireGrantCommand({ KeyId: key.Arn, GrantId: narrower.GrantId }));
    expect(
      (await h.kms.send(new ListGrantsCommand({ KeyId: key.KeyId }))).Grants!.map((g) => g.GranteePrincipal),
    ).toEqual([arn('audit')]);
    expect(
      (
        await failure(
          h.kms.send(
            new CreateGrantCommand({
              KeyId: key.KeyId,
              GranteePrincipal: arn('other'),
              Operations: ['Decrypt'],
              DryRun: true,
            }),
          ),
        )
      ).name,
    ).toBe('DryRunOperationException');
  });

  it('ReEncrypt needs ReEncryptFrom on the source key and ReEncryptTo on the destination', async () => {
    const app = h.client(APP);
    const open = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const onlyApp = (await h.kms.send(new CreateKeyCommand({ Policy: ONLY_APP }))).KeyMetadata!;
    const sealed = await app.send(new EncryptCommand({ KeyId: open.KeyId, Plaintext: text('r') }));
    // ONLY_APP lets app Encrypt and Decrypt, not ReEncryptTo: the destination refuses.
    expect(
      await failure(
        app.send(new ReEncryptCommand({ CiphertextBlob: sealed.CiphertextBlob, DestinationKeyId: onlyApp.KeyId })),
      ),
    ).toMatchObject({
      name: 'AccessDeniedException',
      message:
        `User: ${arn('app')} is not authorized to perform: kms:ReEncryptTo on resource: ${onlyApp.Arn} ` +
        'because no resource-based policy allows the kms:ReEncryptTo action',
    });
    const moved = await app.send(
      new ReEncryptCommand({ CiphertextBlob: sealed.CiphertextBlob, DestinationKeyId: open.KeyId }),
    );
    expect(moved.KeyId).toBe(open.Arn);
  });
});

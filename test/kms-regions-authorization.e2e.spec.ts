import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  ListGrantsCommand,
  ListRetirableGrantsCommand,
  RetireGrantCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { writePrincipalsFile, type PrincipalsFile } from './support/principals-file.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

const APP = { accessKeyId: 'AKIAREGIONSAPPUSER01', secretAccessKey: 'regions-app-secret-0123456789abcd' };
const OTHER = { accessKeyId: 'AKIAREGIONSOTHER0001', secretAccessKey: 'regions-other-secret-0123456789ab' };
const AUDIT = { accessKeyId: 'AKIAREGIONSAUDITOR01', secretAccessKey: 'regions-audit-secret-0123456789ab' };
const arn = (name: string) => `arn:aws:iam::111122223333:user/${name}`;
const EU = 'eu-west-1';

const ONLY_APP = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: arn('admin') }, Action: 'kms:*', Resource: '*' },
    {
      Sid: 'App',
      Effect: 'Allow',
      Principal: { AWS: arn('app') },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
    },
  ],
});

/** Policies and grants are the key's, in its region: enforcement reads them from the key's regional stream. */
describe('key policies and grants outside the home region', () => {
  let h: Harness;
  let principals: PrincipalsFile;
  beforeAll(async () => {
    principals = writePrincipalsFile([
      { name: 'app', role: 'key-user', ...APP },
      { name: 'other', role: 'key-user', ...OTHER },
      { name: 'audit', role: 'auditor', ...AUDIT },
    ]);
    h = await startKeyledger({
      env: { KEYLEDGER_PRINCIPALS_FILE: principals.path, KEYLEDGER_REGIONS: `us-east-1,${EU}` },
    });
  });
  afterAll(async () => {
    await h.close();
    principals.remove();
  });

  it('a key policy of a key in eu-west-1 decides who may use it there', async () => {
    const admin = h.client(ADMIN, EU);
    const key = (await admin.send(new CreateKeyCommand({ Policy: ONLY_APP }))).KeyMetadata!;
    expect(JSON.parse((await admin.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy!)).toEqual(
      JSON.parse(ONLY_APP),
    );
    const sealed = await h.client(APP, EU).send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('a') }));
    const refused = await failure(
      h.client(OTHER, EU).send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })),
    );
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.message).toContain(`arn:aws:kms:${EU}:111122223333:key/${key.KeyId}`);
  });

  it('a grant in eu-west-1: used, listed and retired there; unknown in the home region', async () => {
    const admin = h.client(ADMIN, EU);
    const keyId = (await admin.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const sealed = await admin.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('g') }));
    const audit = h.client(AUDIT, EU);
    const decrypt = () => audit.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
    expect((await failure(decrypt())).name).toBe('AccessDeniedException');
    const grant = await admin.send(
      new CreateGrantCommand({
        KeyId: keyId,
        GranteePrincipal: arn('audit'),
        RetiringPrincipal: arn('app'),
        Operations: ['Decrypt'],
      }),
    );
    expect(Buffer.from((await decrypt()).Plaintext!).toString()).toBe('g');
    expect((await admin.send(new ListGrantsCommand({ KeyId: keyId }))).Grants!.map((g) => g.GrantId)).toEqual([
      grant.GrantId,
    ]);
    const retirable = await admin.send(new ListRetirableGrantsCommand({ RetiringPrincipal: arn('app') }));
    expect(retirable.Grants!.map((g) => g.GrantId)).toEqual([grant.GrantId]);
    const home = await h.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: arn('app') }));
    expect(home.Grants).toEqual([]);
    expect((await failure(h.kms.send(new ListGrantsCommand({ KeyId: keyId })))).name).toBe('NotFoundException');
    await h.client(APP, EU).send(new RetireGrantCommand({ GrantToken: grant.GrantToken }));
    expect((await failure(decrypt())).name).toBe('AccessDeniedException');
  });
});

import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageRecorder } from '@keyledger/app';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';
import { cli } from './support/cli-process.js';

// The built CLI (npm run build first), each run its own Node process: slow on a loaded machine.
describe('keyledger usage, deletion-impact and access take --key-region', { timeout: 120_000 }, () => {
  let h: Harness;
  let eu: string;
  let api: string[];
  let direct: string[];

  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_REGIONS: 'us-east-1,eu-west-1', KEYLEDGER_USAGE_FLUSH_MS: '0' } });
    const euKms = h.client(ADMIN, 'eu-west-1');
    eu = (await euKms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    for (let i = 0; i < 2; i++) await euKms.send(new EncryptCommand({ KeyId: eu, Plaintext: Buffer.from(`${i}`) }));
    await h.app.get(UsageRecorder).flush();
    api = ['--url', h.url, '--access-key-id', ADMIN.accessKeyId, '--secret-access-key', ADMIN.secretAccessKey];
    direct = ['--data-dir', h.dataDir];
  }, 120_000);
  afterAll(() => h.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked field by field
  async function bothModes(args: string[]): Promise<[any, any]> {
    const viaApi = await cli([...args, ...api]);
    expect(viaApi.code, viaApi.stderr).toBe(0);
    const viaFiles = await cli([...args, ...direct]);
    expect(viaFiles.code, viaFiles.stderr).toBe(0);
    return [JSON.parse(viaApi.stdout), JSON.parse(viaFiles.stdout)];
  }

  /** An answer without the times of its default window (now, when each CLI run asked). */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-explicit-any
  const untimed = ({ from, to, asOf, since, ...rest }: any) => rest;

  it('usage and deletion impact of a key of eu-west-1, through the API and from the files', async () => {
    const [usage, usageFiles] = await bothModes(['usage', eu, '--key-region', 'eu-west-1']);
    expect(usage).toMatchObject({ keyId: eu, region: 'eu-west-1', totals: { count: 2 } });
    expect(untimed(usageFiles)).toEqual(untimed(usage));
    const [impact, impactFiles] = await bothModes(['deletion-impact', eu, '--key-region', 'eu-west-1']);
    expect(impact).toMatchObject({ region: 'eu-west-1', used: true, count: 2 });
    expect(untimed(impactFiles)).toEqual(untimed(impact));
    const home = await cli(['usage', eu, ...direct]);
    expect(home.code).not.toBe(0);
  });

  it('access of a key of eu-west-1', async () => {
    const [access, accessFiles] = await bothModes(['access', eu, '--key-region', 'eu-west-1']);
    expect(access.keyArn).toBe(`arn:aws:kms:eu-west-1:111122223333:key/${eu}`);
    expect(accessFiles.keyArn).toBe(access.keyArn);
  });
});

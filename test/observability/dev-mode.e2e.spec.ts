import { CreateKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { OperatorLog } from '../../apps/keyledger/src/observability/operator-log.js';
import { startKeyledger } from '../support/keyledger-harness.js';

const TEST_TEST = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('development mode, as LocalStack and local-kms users expect (issue 17 point 5)', () => {
  it('KEYLEDGER_DEV=1 accepts test/test as an admin and says so loudly', async () => {
    const lines: string[] = [];
    const log = new OperatorLog('json', 'warn', { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    const h = await startKeyledger({ log, env: { KEYLEDGER_DEV: '1' } });
    try {
      const kms = h.client(TEST_TEST);
      const key = await kms.send(new CreateKeyCommand({ Description: 'made with test/test' }));
      expect((await kms.send(new ListKeysCommand({}))).Keys?.map((k) => k.KeyId)).toContain(key.KeyMetadata!.KeyId);
      // The configured admin still works beside it.
      expect((await h.kms.send(new ListKeysCommand({}))).Keys).toHaveLength(1);
      const warnings = lines.map((l) => JSON.parse(l) as { level: string; msg: string });
      expect(warnings).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/^DEVELOPMENT MODE \(KEYLEDGER_DEV=1\)/) }),
      );
    } finally {
      await h.close();
    }
  });

  it('without it, test/test is an unknown caller', async () => {
    const h = await startKeyledger();
    try {
      const kms = new KMSClient({ endpoint: h.url, region: 'us-east-1', credentials: TEST_TEST, maxAttempts: 1 });
      await expect(kms.send(new ListKeysCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
      kms.destroy();
    } finally {
      await h.close();
    }
  });
});

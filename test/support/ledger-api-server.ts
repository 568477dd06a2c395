import { EncryptCommand } from '@aws-sdk/client-kms';
import { EVENT_STORE } from '@keyledger/app';
import type { EventStore } from '@keyledger/event-store';
import { afterAll, beforeAll } from 'vitest';
import { startKeyledger, type Harness } from './keyledger-harness.js';
import { ledgerApi, type ApiAnswer, type Credentials } from './ledger-api-request.js';
import { writePrincipalsFile, type PrincipalsFile } from './principals-file.js';

export const AUDITOR = { accessKeyId: 'AKIAAUDITOR000000001', secretAccessKey: 'auditor-secret-0123456789abcdef' };
export const KEY_USER = { accessKeyId: 'AKIAKEYUSER000000001', secretAccessKey: 'keyuser-secret-0123456789abcdef' };

export interface LedgerApiServer {
  /** The server, started before the spec's first test (its beforeAll). */
  readonly h: Harness;
  get(path: string, query?: Record<string, string>, as?: Credentials | null): Promise<ApiAnswer>;
  post(path: string, body?: unknown, as?: Credentials | null): Promise<ApiAnswer>;
  createKey(description?: string): Promise<string>;
  /** The ciphertext of 'secret' under the key. */
  encrypt(keyId: string): Promise<Buffer>;
  store(): EventStore;
}

/**
 * One server for a ledger-API spec, with an auditor and a key user besides the admin: registers its own
 * beforeAll/afterAll, so a spec calls it once at its top level.
 */
export function ledgerApiServer(): LedgerApiServer {
  let h: Harness | undefined;
  let principals: PrincipalsFile | undefined;
  const server = (): Harness => {
    if (h === undefined) throw new Error('the ledger API server is used before its beforeAll ran');
    return h;
  };
  beforeAll(async () => {
    principals = writePrincipalsFile([
      { name: 'auditor', role: 'auditor', ...AUDITOR },
      { name: 'app', role: 'key-user', ...KEY_USER },
    ]);
    h = await startKeyledger({ env: { KEYLEDGER_PRINCIPALS_FILE: principals.path } });
  });
  afterAll(async () => {
    await h?.close();
    principals?.remove();
  });
  return {
    get h() {
      return server();
    },
    get: (path, query, as) => ledgerApi(server(), 'GET', path, { query, as }),
    post: (path, body, as) => ledgerApi(server(), 'POST', path, { body, as }),
    createKey: async (description = 'ledger api test') => (await server().createKey(description)).KeyId!,
    encrypt: async (keyId) =>
      Buffer.from(
        (await server().kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('secret') })))
          .CiphertextBlob!,
      ),
    store: () => server().app.get<EventStore>(EVENT_STORE),
  };
}

import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../apps/keyledger/src/cli/api/sigv4-signer.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';
import { ledgerGet } from './support/ledger-api-request.js';
import { writePrincipalsFile, type PrincipalsFile } from './support/principals-file.js';

// GET /v1/audit/verify streamed as JSON lines (Accept: application/x-ndjson): what the console's verify button
// shows as "events checked of total" while a large ledger is read.

const KEY_USER = { accessKeyId: 'AKIAVERIFYKEYUSER001', secretAccessKey: 'verify-key-user-secret-0123456789' };

interface Line {
  progress?: { eventsChecked: number; eventsTotal: number | null };
  result?: { ok: boolean; eventsChecked: number; publicKey: { algorithm: string } };
  error?: { __type: string; message: string };
}

let h: Harness;
let principals: PrincipalsFile;

async function streamedVerify(as = ADMIN): Promise<{ status: number; type: string; lines: Line[]; text: string }> {
  const url = new URL('/v1/audit/verify', h.url);
  const headers = signRequest(
    { method: 'GET', url, headers: { accept: 'application/x-ndjson' }, body: '' },
    as,
    'us-east-1',
    h.clock.now(),
  );
  const response = await fetch(url, { headers });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  const lines = type.startsWith('application/x-ndjson')
    ? text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Line)
    : [];
  return { status: response.status, type, lines, text };
}

beforeAll(async () => {
  principals = writePrincipalsFile([{ name: 'app', role: 'key-user', ...KEY_USER }]);
  h = await startKeyledger({ env: { KEYLEDGER_PRINCIPALS_FILE: principals.path } });
});

afterAll(async () => {
  await h?.close();
  principals?.remove();
});

describe('GET /v1/audit/verify with Accept: application/x-ndjson', () => {
  it('starts with the number of events to check and ends with the result verify gives as JSON', async () => {
    await h.kms.send(new CreateKeyCommand({ Description: 'verify progress' }));
    const plain = await ledgerGet(h, '/v1/audit/verify');
    expect(plain.type).toMatch(/^application\/json/);
    const streamed = await streamedVerify();
    expect(streamed.status).toBe(200);
    expect(streamed.type).toMatch(/^application\/x-ndjson/);
    const first = streamed.lines[0]!;
    const last = streamed.lines.at(-1)!;
    expect(first.progress).toEqual({ eventsChecked: 0, eventsTotal: plain.json.eventsChecked });
    expect(last.result).toEqual(plain.json);
    expect(last.result!.ok).toBe(true);
    // Every line is one of the three kinds, and only the last is the result.
    for (const line of streamed.lines.slice(0, -1)) expect(Object.keys(line)).toEqual(['progress']);
  });

  it('tells how far it got as it reads a ledger of more than one page, up to the total', async () => {
    // Each key is at least two events: well over the verifier's page of 512.
    for (let batch = 0; batch < 30; batch++)
      await Promise.all(Array.from({ length: 10 }, () => h.kms.send(new CreateKeyCommand({}))));
    const { lines } = await streamedVerify();
    const progress = lines.filter((line) => line.progress !== undefined).map((line) => line.progress!);
    const total = progress[0]!.eventsTotal!;
    expect(total).toBeGreaterThan(600);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const checked = progress.map((p) => p.eventsChecked);
    expect(checked[0]).toBe(0);
    expect(checked.some((n) => n > 0 && n < total)).toBe(true);
    for (let i = 1; i < checked.length; i++) expect(checked[i]!).toBeGreaterThan(checked[i - 1]!);
    expect(checked.at(-1)).toBeLessThanOrEqual(total);
    expect(progress.every((p) => p.eventsTotal === total)).toBe(true);
    expect(lines.at(-1)!.result).toMatchObject({ ok: true, eventsChecked: total });
  });

  it('lets a caller walk away mid-scan (the console cancels so), and answers the next caller in full', async () => {
    const url = new URL('/v1/audit/verify', h.url);
    const headers = signRequest(
      { method: 'GET', url, headers: { accept: 'application/x-ndjson' }, body: '' },
      ADMIN,
      'us-east-1',
      h.clock.now(),
    );
    const controller = new AbortController();
    const response = await fetch(url, { headers, signal: controller.signal });
    const reader = response.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toMatch(/^\{"progress":\{"eventsChecked":0,/);
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
    const { lines } = await streamedVerify();
    expect(lines.at(-1)!.result).toMatchObject({ ok: true });
  });

  it('is refused before anything is streamed to a role without the ledger API', async () => {
    const refused = await streamedVerify(KEY_USER);
    expect(refused.status).toBe(403);
    expect(refused.type).toMatch(/^application\/json/);
    expect(JSON.parse(refused.text)).toMatchObject({ __type: 'AccessDeniedException' });
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await ledgerGet(h, '/v1/openapi.json')).json;
    const content = doc.paths['/v1/audit/verify'].get.responses['200'].content;
    expect(content['application/x-ndjson'].schema.$ref).toBe('#/components/schemas/VerifyProgressLine');
    expect(doc.components.schemas.VerifyProgressLine.properties.progress.properties.eventsTotal).toBeDefined();
  });
});

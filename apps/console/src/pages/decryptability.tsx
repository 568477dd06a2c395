import { useState } from 'preact/hooks';
import { ledgerJson, pathPart } from '../api.js';
import { Busy, ErrorNote, Section, Shown, useLoad, When } from '../components.js';
import { keyHref } from '../key-link.js';
import { inRegion, type KeyRef } from '../key-ref.js';
import { parseInstant } from '../time.js';
import { keyLife } from '../timeline/key-life.js';
import { Timeline } from '../timeline/timeline.js';
import type { Decryptability, KeyStateAsOf } from '../types.js';
import { keyEvents } from './key.js';

const REASONS: Record<string, string> = {
  DECRYPTABLE: 'The key and its backing key could decrypt this ciphertext at that time.',
  KEY_NOT_CREATED: 'The key did not exist yet at that time.',
  KEY_MATERIAL_NOT_CREATED: 'The backing key this ciphertext names did not exist yet at that time.',
  KEY_DISABLED: 'The key was disabled at that time.',
  KEY_PENDING_DELETION: 'The key was pending deletion at that time.',
  KEY_DELETED: 'The key had been deleted: its material is destroyed.',
  KEY_MATERIAL_NOT_IMPORTED: 'The imported backing key was not present (deleted or expired) at that time.',
  INVALID_CIPHERTEXT: 'This is not a ciphertext this server made.',
};

export function DecryptabilityPage() {
  const [blob, setBlob] = useState('');
  const [keyId, setKeyId] = useState('');
  const [region, setRegion] = useState('');
  const [when, setWhen] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Decryptability | null>(null);
  const [error, setError] = useState<unknown>(null);
  const at = parseInstant(when);

  const check = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const body: Record<string, string> = { ciphertextBlob: blob.replace(/\s+/g, '') };
      if (keyId.trim() !== '') body.keyId = keyId.trim();
      // A ciphertext is decrypted by its key in a region: a multi-Region key's replicas each answer for their own.
      if (region.trim() !== '') body.region = region.trim();
      if (at !== null) body.asOf = at.toISOString();
      setResult(await ledgerJson<Decryptability>('decryptability', { body: JSON.stringify(body) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Decryptability</h1>
      <p class="muted">Could this ciphertext be decrypted at a given time? Nothing is decrypted: the ledger answers.</p>
      <form class="stack" onSubmit={check}>
        <label>
          Ciphertext (base64)
          <textarea
            name="ciphertext"
            rows={4}
            required
            value={blob}
            spellcheck={false}
            onInput={(e) => setBlob((e.currentTarget as HTMLTextAreaElement).value)}
          />
        </label>
        <label>
          Key id (needed for RSA ciphertexts only)
          <input
            type="text"
            name="keyId"
            value={keyId}
            onInput={(e) => setKeyId((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label>
          Region (empty for the server's own)
          <input
            type="text"
            name="region"
            value={region}
            placeholder="eu-west-1"
            onInput={(e) => setRegion((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label>
          At time (UTC; empty for now)
          <input
            type="text"
            name="asOf"
            value={when}
            placeholder="2026-03-01T12:00:00Z"
            aria-invalid={when !== '' && at === null}
            onInput={(e) => setWhen((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={busy || blob.trim() === '' || (when !== '' && at === null)}>
          Check
        </button>
      </form>
      {busy && <Busy label="Checking…" />}
      <ErrorNote error={error} />
      {result && <Verdict result={result} />}
    </>
  );
}

function Verdict({ result }: { result: Decryptability }) {
  return (
    <Section title="Verdict" id="verdict">
      <p class={`verdict ${result.decryptable ? 'ok' : 'bad'}`} data-testid="verdict">
        {result.decryptable ? 'Decryptable' : 'Not decryptable'}
      </p>
      <p>
        <strong data-testid="reason">{result.reason}</strong>: {REASONS[result.reason] ?? ''}
      </p>
      <dl class="facts">
        <dt>At</dt>
        <dd>
          <When iso={result.asOf} />
        </dd>
        <dt>Key</dt>
        <dd class="mono">
          {result.keyId ? (
            <a
              href={keyHref(keyOf(result, result.keyId), {
                at: result.asOf,
                material: result.keyMaterialId ?? undefined,
                reason: result.reason,
              })}
            >
              {result.keyId} (show on its timeline)
            </a>
          ) : (
            '—'
          )}
        </dd>
        <dt>Key state then</dt>
        <dd>{result.keyState ?? '—'}</dd>
        <dt>Backing key</dt>
        <dd class="mono small">{result.keyMaterialId ?? '—'}</dd>
      </dl>
      {result.keyId && <MarkedTimeline keyRef={keyOf(result, result.keyId)} result={result} />}
    </Section>
  );
}

/** The key that judged the ciphertext: in the region the question was asked in (older servers name none). */
const keyOf = (result: Decryptability, keyId: string): KeyRef =>
  result.region === undefined ? { keyId } : { keyId, region: result.region };

/** The key's timeline with that backing key and that instant marked. */
function MarkedTimeline({ keyRef, result }: { keyRef: KeyRef; result: Decryptability }) {
  const { keyId, region } = keyRef;
  const loaded = useLoad(
    async (signal) => {
      const [events, now] = await Promise.all([
        keyEvents(keyRef, signal),
        ledgerJson<KeyStateAsOf>(`keys/${pathPart(keyId)}`, { query: inRegion(keyRef), signal }),
      ]);
      return keyLife(keyId, events, Date.parse(now.asOf));
    },
    [keyId, region],
  );
  const at = Date.parse(result.asOf);
  return (
    <Shown load={loaded}>
      {(life) => (
        <Timeline
          life={life}
          cursor={at}
          onCursor={() => undefined}
          mark={{ at, keyMaterialId: result.keyMaterialId, label: `${result.reason} at ${result.asOf}` }}
        />
      )}
    </Shown>
  );
}

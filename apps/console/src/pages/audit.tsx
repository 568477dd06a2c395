import { useEffect, useState } from 'preact/hooks';
import { ledgerJson } from '../api.js';
import { Busy, ErrorNote, Section, When } from '../components.js';
import { parseInstant } from '../time.js';
import type { AuditPage, LedgerEvent, VerifyResult } from '../types.js';
import { EventTable } from './key-panels.js';

interface Filters {
  keyId: string;
  actor: string;
  type: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { keyId: '', actor: '', type: '', from: '', to: '' };

export function AuditPage() {
  return (
    <>
      <h1>Audit</h1>
      <Verify />
      <Events />
    </>
  );
}

function Verify() {
  const [running, setRunning] = useState<AbortController | null>(null);
  const [result, setResult] = useState<VerifyResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    const controller = new AbortController();
    setRunning(controller);
    setResult(null);
    setError(null);
    try {
      setResult(await ledgerJson<VerifyResult>('audit/verify', { signal: controller.signal }));
    } catch (err) {
      setError(controller.signal.aborted ? new Error('Verification cancelled') : err);
    } finally {
      setRunning(null);
    }
  };
  const { ok, lastCheckpoint, publicKey, firstBadEvent, ...rest } = result ?? ({} as VerifyResult);
  void publicKey;
  const bad = firstBadEvent as { streamName: string; revision: string; position: string; problem: string } | undefined;
  return (
    <Section title="Verify the ledger" id="verify">
      <p class="muted">Recomputes every event's hash and chain and checks the signed checkpoints.</p>
      <button type="button" onClick={run} disabled={running !== null}>
        Verify the ledger
      </button>
      {running && <Busy label="Verifying…" onCancel={() => running.abort()} />}
      <ErrorNote error={error} />
      {result && (
        <div data-testid="verify-result">
          <p class={`verdict ${ok ? 'ok' : 'bad'}`}>{ok ? 'The ledger verifies' : 'The ledger does NOT verify'}</p>
          <dl class="facts">
            {Object.entries(rest).map(([k, v]) => (
              <>
                <dt>{k}</dt>
                <dd class={typeof v === 'object' ? 'mono small' : undefined}>
                  {typeof v === 'object' ? JSON.stringify(v) : String(v)}
                </dd>
              </>
            ))}
            {bad && (
              <>
                <dt>First bad event</dt>
                <dd data-testid="first-bad-event">
                  <strong>{bad.problem}</strong>
                  <div class="mono small">
                    {bad.streamName} revision {bad.revision}, position {bad.position}
                  </div>
                </dd>
              </>
            )}
            <dt>Last signed checkpoint</dt>
            <dd>
              {lastCheckpoint ? (
                <>
                  <When iso={String(lastCheckpoint.time)} /> covering {String(lastCheckpoint.events)} events
                  <div class="mono small">{String(lastCheckpoint.checkpointHash)}</div>
                </>
              ) : (
                'none'
              )}
            </dd>
          </dl>
        </div>
      )}
    </Section>
  );
}

function Events() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [events, setEvents] = useState<LedgerEvent[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState<AbortController | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = async (more: boolean) => {
    const controller = new AbortController();
    setLoading(controller);
    setError(null);
    try {
      const page = await ledgerJson<AuditPage>('audit/events', {
        query: {
          keyId: draft.keyId.trim(),
          actor: draft.actor.trim(),
          type: draft.type.trim(),
          from: parseInstant(draft.from)?.toISOString(),
          to: parseInstant(draft.to)?.toISOString(),
          limit: '200',
          cursor: more ? (cursor ?? undefined) : undefined,
        },
        signal: controller.signal,
      });
      setEvents(more ? [...(events ?? []), ...page.events] : page.events);
      setCursor(page.nextCursor);
    } catch (err) {
      if (!controller.signal.aborted) setError(err);
    } finally {
      setLoading(null);
    }
  };
  useEffect(() => void load(false), []);
  const field = (name: keyof Filters, label: string, placeholder = '') => (
    <label>
      {label}
      <input
        type="text"
        name={name}
        value={draft[name]}
        placeholder={placeholder}
        onInput={(e) => setDraft({ ...draft, [name]: (e.currentTarget as HTMLInputElement).value })}
      />
    </label>
  );
  return (
    <Section title="Events" id="audit-events">
      <form class="filters" onSubmit={(e) => (e.preventDefault(), load(false))}>
        {field('keyId', 'Key id')}
        {field('actor', 'Actor', 'principal ARN or access key id')}
        {field('type', 'Event types', 'KeyDisabled,KeyRotated')}
        {field('from', 'From (UTC)', '2026-03-01')}
        {field('to', 'To (UTC)')}
        <button type="submit" disabled={loading !== null}>
          Show events
        </button>
      </form>
      {loading && <Busy label="Loading events…" onCancel={() => loading.abort()} />}
      <ErrorNote error={error} />
      {events && <EventTable events={events} showStream />}
      {events && cursor !== null && (
        <button type="button" class="secondary" disabled={loading !== null} onClick={() => load(true)}>
          More events
        </button>
      )}
    </Section>
  );
}

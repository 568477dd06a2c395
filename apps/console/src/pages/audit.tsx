import { useEffect, useState } from 'preact/hooks';
import { ApiError, ledgerJson, ledgerLines } from '../api.js';
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

interface Progress {
  eventsChecked: number;
  eventsTotal: number | null;
}

/** One line of the streamed verify: one of the three (a plain JSON answer is the result itself). */
interface VerifyLine {
  progress?: Progress;
  result?: VerifyResult;
  error?: { __type: string; message: string };
}

const count = (n: number) => n.toLocaleString('en-US');

/** "1,024 of 2,048 events checked (50%)", or without a total where the store cannot count cheaply. */
export function progressText(p: Progress): string {
  if (p.eventsTotal === null || p.eventsTotal === 0) return `${count(p.eventsChecked)} events checked`;
  const checked = Math.min(p.eventsChecked, p.eventsTotal);
  return `${count(checked)} of ${count(p.eventsTotal)} events checked (${Math.floor((checked / p.eventsTotal) * 100)}%)`;
}

function Verify() {
  const [running, setRunning] = useState<AbortController | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [result, setResult] = useState<VerifyResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    const controller = new AbortController();
    setRunning(controller);
    setProgress(null);
    setResult(null);
    setError(null);
    let last: Progress | null = null;
    let done = false;
    try {
      await ledgerLines(
        'audit/verify',
        (line) => {
          const l = line as VerifyLine;
          if (l.progress) setProgress((last = l.progress));
          else if (l.error) throw new ApiError(500, l.error.__type, l.error.message);
          else {
            done = true;
            setResult(l.result ?? (line as VerifyResult));
          }
        },
        { signal: controller.signal },
      );
      if (!done)
        throw new Error(`The verification stopped before its result${last ? `, at ${progressText(last)}` : ''}`);
    } catch (err) {
      setError(controller.signal.aborted ? new Error('Verification cancelled') : err);
    } finally {
      // Whatever ended the run, the answer is no longer read: the server stops the scan when it is dropped.
      controller.abort();
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
      {running && (
        <div data-testid="verify-progress">
          <Busy
            label={progress ? `Verifying: ${progressText(progress)}` : 'Verifying…'}
            onCancel={() => running.abort()}
          />
          {progress && progress.eventsTotal !== null && progress.eventsTotal > 0 && (
            <progress
              max={progress.eventsTotal}
              value={Math.min(progress.eventsChecked, progress.eventsTotal)}
              aria-label="Events checked"
            />
          )}
        </div>
      )}
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

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { keyHref } from './key-link.js';
import { local, utc } from './time.js';

/** A time in UTC, with the viewer's local time next to it. */
export function When({ iso }: { iso: string | null | undefined }) {
  if (iso === null || iso === undefined || iso === '') return <span class="muted">—</span>;
  return (
    <time dateTime={iso} class="when">
      <span>{utc(iso)}</span> <span class="local">{local(iso)}</span>
    </time>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const text =
    error instanceof ApiError
      ? `${error.type}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

export function Busy({ label, onCancel }: { label: string; onCancel?: () => void }) {
  return (
    <p class="busy" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {label}
      {onCancel && (
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      )}
    </p>
  );
}

export type Load<T> =
  { state: 'loading' } | { state: 'done'; value: T } | { state: 'missing' } | { state: 'failed'; error: unknown };

/**
 * Runs a request when its inputs change, cancelling the one before. An endpoint this server does not have yet
 * is 'missing': the page hides what needs it rather than showing an error.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, inputs: unknown[]): Load<T> {
  const [result, setResult] = useState<Load<T>>({ state: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    setResult({ state: 'loading' });
    load(controller.signal).then(
      (value) => !controller.signal.aborted && setResult({ state: 'done', value }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setResult(error instanceof ApiError && error.missing ? { state: 'missing' } : { state: 'failed', error });
      },
    );
    return () => controller.abort();
  }, inputs);
  return result;
}

export function Shown<T>({ load, children }: { load: Load<T>; children: (value: T) => ComponentChildren }) {
  if (load.state === 'loading') return <Busy label="Loading…" />;
  if (load.state === 'failed') return <ErrorNote error={load.error} />;
  if (load.state === 'missing') return null;
  return <>{children(load.value)}</>;
}

/** Saves text as a file, from memory: nothing is fetched again and no URL carries it. */
export function saveFile(name: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function shortId(id: string, length = 8): string {
  return id.length > length ? `${id.slice(0, length)}…` : id;
}

export function CreateKeyHint() {
  const endpoint = `${location.protocol}//${location.host}`;
  return (
    <div class="empty">
      <p>No keys yet. Create one with the AWS CLI, pointed at this server:</p>
      <pre>
        <code>aws kms create-key --endpoint-url {endpoint} --description "my first key"</code>
      </pre>
    </div>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section aria-labelledby={id ? `${id}-title` : undefined} class="card">
      <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
      {children}
    </section>
  );
}

type Row = Record<string, unknown>;

/** The rows of an answer whose shape this console does not know in advance: its first array (`keys`, …). */
export function rowsOf(answer: unknown): Row[] {
  if (Array.isArray(answer)) return answer as Row[];
  const list = Object.values((answer ?? {}) as Row).find(Array.isArray);
  return (list ?? []) as Row[];
}

export const cell = (value: unknown): string =>
  value === null || value === undefined
    ? '—'
    : Array.isArray(value)
      ? value.map(cell).join(', ')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);

/** A table of whatever columns the rows have (the ARN is left out: the key id is there). */
export function RowsTable({ rows, empty }: { rows: Row[]; empty: string }) {
  const [first] = rows;
  if (first === undefined) return <p class="muted">{empty}</p>;
  const columns = Object.keys(first).filter((c) => c !== 'arn');
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col">{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr>
              {columns.map((c) => (
                <td class={typeof row[c] === 'number' ? 'num' : undefined}>
                  <Cell column={c} value={row[c]} region={row.region} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A key id opens its page (in the row's region, if it names one); a time shows in UTC and local time. */
function Cell({ column, value, region }: { column: string; value: unknown; region: unknown }) {
  if (column === 'keyId' && typeof value === 'string')
    return (
      <a class="mono nowrap" href={keyHref(typeof region === 'string' ? { keyId: value, region } : { keyId: value })}>
        {value}
      </a>
    );
  if (typeof value === 'string' && ISO_TIME.test(value)) return <When iso={value} />;
  return <>{cell(value)}</>;
}

import { useState } from 'preact/hooks';
import { ledgerCsv, ledgerJson } from '../api.js';
import { Busy, cell, ErrorNote, rowsOf, RowsTable, saveFile, Section, useLoad, When } from '../components.js';
import { parseInstant } from '../time.js';

interface ReportSpec {
  id: string;
  title: string;
  path: string;
  about: string;
}

/** The reports this console knows; one the server does not have (404) is left out of the page. */
const REPORTS: ReportSpec[] = [
  { id: 'inventory', title: 'Inventory', path: 'reports/inventory', about: 'Every key, its state and backing keys.' },
  {
    id: 'rotation-compliance',
    title: 'Rotation compliance',
    path: 'reports/rotation-compliance',
    about: 'Is every key rotated within the period?',
  },
  { id: 'access-review', title: 'Access review', path: 'reports/access-review', about: 'Who can use which key.' },
  { id: 'unused-keys', title: 'Unused keys', path: 'reports/unused-keys', about: 'Keys nobody used lately.' },
];

export function ReportsPage() {
  const [asOfText, setAsOfText] = useState('');
  const asOf = parseInstant(asOfText)?.toISOString();
  return (
    <>
      <h1>Reports</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          As of (UTC; empty for now)
          <input
            type="text"
            name="asOf"
            value={asOfText}
            placeholder="2026-03-01"
            onChange={(e) => setAsOfText((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
      </form>
      {REPORTS.map((spec) => (
        <Report spec={spec} asOf={asOf} />
      ))}
    </>
  );
}

function Report({ spec, asOf }: { spec: ReportSpec; asOf?: string }) {
  const report = useLoad((signal) => ledgerJson<unknown>(spec.path, { query: { asOf }, signal }), [spec.path, asOf]);
  const [downloading, setDownloading] = useState<AbortController | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (report.state === 'missing') return null;

  const download = async () => {
    const controller = new AbortController();
    setDownloading(controller);
    setError(null);
    try {
      const csv = await ledgerCsv(spec.path, { query: { asOf }, signal: controller.signal });
      saveFile(`${spec.id}${asOf ? `-${asOf.slice(0, 10)}` : ''}.csv`, csv);
    } catch (err) {
      if (!controller.signal.aborted) setError(err);
    } finally {
      setDownloading(null);
    }
  };

  return (
    <Section title={spec.title} id={`report-${spec.id}`}>
      <p class="muted">{spec.about}</p>
      <p>
        <button type="button" onClick={download} disabled={downloading !== null} data-testid={`csv-${spec.id}`}>
          Download CSV
        </button>
      </p>
      {downloading && <Busy label="Preparing the CSV…" onCancel={() => downloading.abort()} />}
      <ErrorNote error={error} />
      {report.state === 'loading' && <Busy label="Loading…" />}
      {report.state === 'failed' && <ErrorNote error={report.error} />}
      {report.state === 'done' && <ReportTable report={report.value} />}
    </Section>
  );
}

function ReportTable({ report }: { report: unknown }) {
  const summary = (report ?? {}) as { summary?: Record<string, unknown>; asOf?: string };
  return (
    <>
      {summary.asOf && (
        <p class="muted small">
          As of <When iso={summary.asOf} />
          {summary.summary && ` · ${cell(summary.summary.compliant)} of ${cell(summary.summary.total)} compliant`}
        </p>
      )}
      <RowsTable rows={rowsOf(report)} empty="Nothing to report." />
    </>
  );
}

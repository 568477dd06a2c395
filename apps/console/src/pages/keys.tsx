import { useState } from 'preact/hooks';
import { ledgerJson } from '../api.js';
import { CreateKeyHint, Shown, useLoad, When } from '../components.js';
import { keyHref } from '../key-link.js';
import { parseInstant } from '../time.js';
import type { InventoryKey, InventoryReport } from '../types.js';

const regionOf = (key: InventoryKey): string | undefined => key.region ?? key.arn.split(':')[3];

function matches(key: InventoryKey, search: string, state: string): boolean {
  if (state !== '' && key.keyState !== state) return false;
  if (search === '') return true;
  const s = search.toLowerCase();
  return [key.keyId, key.description, ...key.aliases].some((v) => v.toLowerCase().includes(s));
}

/** Every key, from the inventory report: with an "as of" time it is the inventory at that instant. */
export function KeysPage() {
  const [asOfText, setAsOfText] = useState('');
  const [search, setSearch] = useState('');
  const [state, setState] = useState('');
  const asOf = parseInstant(asOfText);
  const report = useLoad(
    (signal) => ledgerJson<InventoryReport>('reports/inventory', { query: { asOf: asOf?.toISOString() }, signal }),
    [asOf?.getTime()],
  );
  return (
    <>
      <h1>Keys</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} role="search">
        <label>
          Search
          <input
            type="search"
            value={search}
            placeholder="key id, alias, description"
            onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label>
          State
          <select value={state} onChange={(e) => setState((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">any</option>
            {['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Deleted'].map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          As of (UTC; empty for now)
          <input
            type="text"
            name="asOf"
            value={asOfText}
            placeholder="2026-03-01 or 2026-03-01T12:00:00Z"
            aria-invalid={asOfText !== '' && asOf === null}
            onChange={(e) => setAsOfText((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
      </form>
      <Shown load={report}>
        {(value) => {
          if (value.keys.length === 0 && asOf === null) return <CreateKeyHint />;
          const keys = value.keys.filter((k) => matches(k, search, state));
          return (
            <>
              <p class="muted">
                {keys.length} of {value.keys.length} keys, as of <When iso={value.asOf} />
                <UsageTracking since={value.usageTrackingStartedAt} />
              </p>
              <KeyTable
                keys={keys}
                asOf={asOf === null ? undefined : value.asOf}
                withUse={value.usageTrackingStartedAt !== undefined}
              />
            </>
          );
        }}
      </Shown>
    </>
  );
}

/** What "never" means in the last-use column: no use recorded since then (older uses are not known). */
function UsageTracking({ since }: { since: string | null | undefined }) {
  if (since === undefined) return null;
  if (since === null) return <>; no use recorded yet</>;
  return (
    <>
      ; uses recorded since <When iso={since} />
    </>
  );
}

/** withUse: the server's inventory has the last use (one from before it had does not: the column is hidden). */
function KeyTable({ keys, asOf, withUse }: { keys: InventoryKey[]; asOf?: string; withUse: boolean }) {
  return (
    <div class="table-wrap">
      <table data-testid="keys">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Aliases</th>
            <th scope="col">Region</th>
            <th scope="col">Spec</th>
            <th scope="col">State</th>
            <th scope="col">Rotation</th>
            <th scope="col">Backing keys</th>
            {withUse && <th scope="col">Last use</th>}
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.keyId} data-key-id={key.keyId}>
              <td>
                <a class="mono" href={keyHref({ keyId: key.keyId, region: regionOf(key) }, { at: asOf })}>
                  {key.keyId}
                </a>
                <div class="muted small">{key.description}</div>
              </td>
              <td>{key.aliases.join(', ') || '—'}</td>
              <td>{regionOf(key) ?? '—'}</td>
              <td>{key.keySpec ?? 'SYMMETRIC_DEFAULT'}</td>
              <td>
                <span class={`pill state-${key.keyState}`}>{key.keyState}</span>
              </td>
              <td>{key.rotationEnabled ? `every ${key.rotationPeriodInDays} d` : 'off'}</td>
              <td class="num">{key.keyMaterialCount}</td>
              {withUse && (
                <td data-testid="last-use">
                  <LastUse row={key} />
                </td>
              )}
              <td>
                <When iso={key.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A key's last use then, or none: none since usage recording began (the list's caption says when). */
function LastUse({ row }: { row: InventoryKey }) {
  if (row.lastUsedAt === null || row.lastUsedAt === undefined) return <span class="muted">never</span>;
  return (
    <>
      <When iso={row.lastUsedAt} />
      {row.lastOperation && <div class="muted small">{row.lastOperation}</div>}
    </>
  );
}

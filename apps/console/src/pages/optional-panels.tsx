import { ledgerJson, pathPart } from '../api.js';
import { rowsOf, RowsTable, Section, shortId, useLoad, When } from '../components.js';
import { inRegion, type KeyRef } from '../key-ref.js';
import type { BackingKeyUse, UsageReport } from '../types.js';

/**
 * Panels for ledger endpoints that may not be on every server (usage, access). Each
 * asks; an endpoint this server does not have answers 404 and its panel stays hidden, so the console shows
 * them as soon as the server has them.
 */

/** The key's daily use since it was created, for the timeline's usage row; null where there is no usage ledger. */
export function useDailyUsage(key: KeyRef, from: number, to: number): UsageReport | null {
  const usage = useLoad(
    (signal) =>
      ledgerJson<UsageReport>(`keys/${pathPart(key.keyId)}/usage`, {
        query: { groupBy: 'day', from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...inRegion(key) },
        signal,
      }),
    [key.keyId, key.region, from, to],
  );
  return usage.state === 'done' ? usage.value : null;
}

/** Who used the key for what, and each backing key's last use: what to re-encrypt before material goes. */
export function UsagePanel({ keyRef, from, to }: { keyRef: KeyRef; from: number; to: number }) {
  const { keyId, region } = keyRef;
  const query = { from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...inRegion(keyRef) };
  const byPrincipal = useLoad(
    (signal) =>
      ledgerJson<UsageReport>(`keys/${pathPart(keyId)}/usage`, {
        query: { ...query, groupBy: 'principal,operation' },
        signal,
      }),
    [keyId, region, from, to],
  );
  const backing = useLoad(
    (signal) => ledgerJson<{ backingKeys: BackingKeyUse[] }>(`keys/${pathPart(keyId)}/backing-keys`, { query, signal }),
    [keyId, region, from, to],
  );
  if (byPrincipal.state !== 'done') return null;
  const report = byPrincipal.value;
  return (
    <Section title="Usage" id="usage">
      <p class="muted small">
        {report.totals.count} uses, {report.totals.refused} refused
        {report.trackingStartedAt && (
          <>
            {' '}
            · recorded since <When iso={report.trackingStartedAt} />
          </>
        )}
      </p>
      <RowsTable
        rows={report.groups.map((g) => ({
          principal: g.principal,
          operation: g.operation,
          count: g.count,
          refused: g.refused,
          lastAt: g.lastAt,
        }))}
        empty="No recorded use in this window."
      />
      {backing.state === 'done' && (
        <>
          <h3>Backing keys in use</h3>
          <RowsTable
            rows={backing.value.backingKeys.map((b) => ({
              backingKey: shortId(b.keyMaterialId, 16),
              state: b.state,
              uses: b.count,
              refused: b.refused,
              principals: b.principals,
              lastUsedAt: b.lastUse?.at ?? null,
              lastUsedBy: b.lastUse ? `${b.lastUse.principal} (${b.lastUse.operation})` : null,
            }))}
            empty="No backing keys."
          />
        </>
      )}
    </Section>
  );
}

/** Who could use the key at the cursor: the policy in force, grants, and each principal's operations. */
export function AccessPanel({ keyRef, asOf }: { keyRef: KeyRef; asOf: string }) {
  const access = useLoad(
    (signal) =>
      ledgerJson<Record<string, unknown>>(`keys/${pathPart(keyRef.keyId)}/access`, {
        query: { asOf, ...inRegion(keyRef) },
        signal,
      }),
    [keyRef.keyId, keyRef.region, asOf],
  );
  if (access.state !== 'done') return null;
  return (
    <Section title="Who could use it, at the cursor" id="access">
      <RowsTable rows={rowsOf(access.value.principals ?? access.value).map(principalRow)} empty="Nobody." />
      {Array.isArray(access.value.grants) && (
        <>
          <h3>Grants</h3>
          <RowsTable rows={access.value.grants as Array<Record<string, unknown>>} empty="No active grants." />
        </>
      )}
    </Section>
  );
}

interface Operation {
  action?: string;
  decision?: string;
}

/** One line per principal: the operations it may call, by name, rather than each one's whole reasoning. */
function principalRow(row: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(row.operations)) return row;
  const operations = row.operations as Operation[];
  const allowed = operations.filter((o) => o.decision === 'ALLOWED').map((o) => (o.action ?? '').replace(/^kms:/, ''));
  return {
    name: row.name,
    principal: row.principalArn ?? row.principal,
    allowed: allowed.length === 0 ? 'nothing' : allowed.join(', '),
    denied: operations.length - allowed.length,
  };
}

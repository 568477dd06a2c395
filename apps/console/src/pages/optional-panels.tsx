import { ledgerJson, pathPart } from '../api.js';
import { rowsOf, RowsTable, Section, useLoad } from '../components.js';

/**
 * Panels for ledger endpoints that other work adds (usage, access, multi-Region replicas). Each asks; an
 * endpoint this server does not have answers 404 and its panel stays hidden, so the console shows them as
 * soon as the server has them.
 */

interface UsagePoint {
  at: string;
  count: number;
}

/** Pulls a [time, count] series out of the usage answer, whatever its field names; [] when there is none. */
function series(answer: unknown): UsagePoint[] {
  const list = Array.isArray(answer)
    ? answer
    : (Object.values((answer ?? {}) as Record<string, unknown>).find(Array.isArray) ?? []);
  const points: UsagePoint[] = [];
  for (const item of list as Array<Record<string, unknown>>) {
    if (typeof item !== 'object' || item === null) continue;
    const at = Object.values(item).find((v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)));
    const count = Object.values(item).find((v) => typeof v === 'number');
    if (typeof at === 'string' && typeof count === 'number') points.push({ at, count });
  }
  return points;
}

/** Usage as a small series, where the server keeps a usage ledger; hidden where it does not. */
export function UsagePanel({ keyId }: { keyId: string }) {
  const usage = useLoad(
    (signal) => ledgerJson<unknown>(`keys/${pathPart(keyId)}/usage`, { query: { groupBy: 'day' }, signal }),
    [keyId],
  );
  if (usage.state !== 'done') return null;
  const points = series(usage.value);
  const max = Math.max(1, ...points.map((p) => p.count));
  return (
    <Section title="Usage" id="usage">
      {points.length === 0 ? (
        <p class="muted">No recorded use.</p>
      ) : (
        <svg
          class="usage"
          width="100%"
          height="60"
          viewBox={`0 0 ${points.length * 8} 60`}
          role="img"
          aria-label={`Use over time, at most ${max} in one period`}
          preserveAspectRatio="none"
        >
          {points.map((p, i) => (
            <rect x={i * 8} y={60 - (p.count / max) * 56} width={6} height={(p.count / max) * 56}>
              <title>{`${p.at}: ${p.count}`}</title>
            </rect>
          ))}
        </svg>
      )}
    </Section>
  );
}

/** Who could use the key at the cursor: the policy in force, grants, and each principal's operations. */
export function AccessPanel({ keyId, asOf }: { keyId: string; asOf: string }) {
  const access = useLoad(
    (signal) => ledgerJson<Record<string, unknown>>(`keys/${pathPart(keyId)}/access`, { query: { asOf }, signal }),
    [keyId, asOf],
  );
  if (access.state !== 'done') return null;
  return (
    <Section title="Who could use it, at the cursor" id="access">
      <RowsTable rows={rowsOf(access.value.principals ?? access.value)} empty="Nobody." />
      {Array.isArray(access.value.grants) && (
        <>
          <h3>Grants</h3>
          <RowsTable rows={access.value.grants as Array<Record<string, unknown>>} empty="No active grants." />
        </>
      )}
    </Section>
  );
}

/** A multi-Region key's replicas, side by side. */
export function ReplicasPanel({ keyId }: { keyId: string }) {
  const replication = useLoad(
    (signal) => ledgerJson<unknown>(`keys/${pathPart(keyId)}/replication`, { signal }),
    [keyId],
  );
  if (replication.state !== 'done') return null;
  const rows = rowsOf(replication.value);
  if (rows.length === 0) return null;
  return (
    <Section title="Replicas" id="replicas">
      <RowsTable rows={rows} empty="No replicas." />
    </Section>
  );
}

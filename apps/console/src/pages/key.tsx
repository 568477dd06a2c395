import { useMemo, useState } from 'preact/hooks';
import { ledgerJson, pathPart } from '../api.js';
import { Section, Shown, useLoad } from '../components.js';
import { inRegion, type KeyRef } from '../key-ref.js';
import { href, type Route } from '../router.js';
import { parseInstant } from '../time.js';
import { keyLife } from '../timeline/key-life.js';
import { Timeline, type TimelineMark } from '../timeline/timeline.js';
import type { AuditPage, KeyStateAsOf, LedgerEvent } from '../types.js';
import { AsOfPanel, EventTable } from './key-panels.js';
import { AccessPanel, UsagePanel, useDailyUsage } from './optional-panels.js';
import { ReplicasPanel } from './replicas-panel.js';

const MAX_PAGES = 50;

/** Every event of the key, its aliases' events that concern it included, oldest first. */
export async function keyEvents(key: KeyRef, signal: AbortSignal): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = { keyId: key.keyId, ...inRegion(key), limit: '1000', cursor };
    const answer = await ledgerJson<AuditPage>('audit/events', { query, signal });
    events.push(...answer.events);
    if (answer.nextCursor === null) break;
    cursor = answer.nextCursor;
  }
  return events;
}

/** The key of the page's URL: `#/keys/<id>?region=<region>` (no region: the home region's key). */
export function KeyPage({ route, keyId }: { route: Route; keyId: string }) {
  const region = route.params.get('region') ?? undefined;
  const loaded = useLoad(
    async (signal) => {
      const key = { keyId, region };
      const [events, now] = await Promise.all([
        keyEvents(key, signal),
        ledgerJson<KeyStateAsOf>(`keys/${pathPart(keyId)}`, { query: inRegion(key), signal }),
      ]);
      return { events, now };
    },
    [keyId, region],
  );
  return (
    <>
      <p class="crumbs">
        <a href={href(['keys'])}>Keys</a> / <span class="mono">{keyId}</span>
        {region !== undefined && <span class="muted"> in {region}</span>}
      </p>
      <Shown load={loaded}>
        {({ events, now }) => (
          <KeyLifeView keyRef={{ keyId: now.keyId, region }} events={events} now={now} route={route} />
        )}
      </Shown>
    </>
  );
}

function KeyLifeView({
  keyRef,
  events,
  now,
  route,
}: {
  keyRef: KeyRef;
  events: LedgerEvent[];
  now: KeyStateAsOf;
  route: Route;
}) {
  const { keyId } = keyRef;
  const nowMs = Date.parse(now.asOf);
  const life = useMemo(() => keyLife(keyId, events, nowMs), [keyId, events, nowMs]);
  const markAt = parseInstant(route.params.get('at') ?? '');
  const [cursor, setCursor] = useState<number>(markAt?.getTime() ?? life.to);
  const usage = useDailyUsage(keyRef, life.from, life.to);
  const [typed, setTyped] = useState<string | null>(null);
  const mark: TimelineMark | null =
    markAt === null
      ? null
      : {
          at: markAt.getTime(),
          keyMaterialId: route.params.get('material'),
          label: `Decryptability checked here: ${route.params.get('reason') ?? ''}`,
        };
  const cursorIso = new Date(cursor).toISOString();
  const asOf = useLoad(
    (signal) =>
      ledgerJson<KeyStateAsOf>(`keys/${pathPart(keyId)}`, { query: { asOf: cursorIso, ...inRegion(keyRef) }, signal }),
    [keyId, keyRef.region, cursorIso],
  );
  const applyTyped = () => {
    if (typed === null) return;
    const at = parseInstant(typed);
    if (at !== null) setCursor(at.getTime());
    setTyped(null);
  };
  return (
    <>
      <header class="key-head">
        <h1>
          {now.aliases[0] ?? 'Key'} <span class="mono small">{keyId}</span>
        </h1>
        <p class="muted">
          {now.description || 'No description'} · {now.arn.split(':')[3]} · {now.keySpec ?? 'SYMMETRIC_DEFAULT'} ·{' '}
          {now.origin} · <span class={`pill state-${now.keyState}`}>{now.keyState}</span>
        </p>
      </header>
      <Section title="Timeline" id="timeline">
        <Timeline life={life} cursor={cursor} onCursor={setCursor} mark={mark} usage={usage?.groups} />
        <div class="cursor-controls">
          <label>
            Time cursor
            <input
              type="range"
              min={life.from}
              max={life.to}
              step={1000}
              value={cursor}
              onInput={(e) => setCursor(Number((e.currentTarget as HTMLInputElement).value))}
              aria-valuetext={cursorIso}
            />
          </label>
          <label>
            Cursor time (UTC, ISO 8601)
            <input
              type="text"
              name="cursor"
              class="mono"
              value={typed ?? cursorIso}
              onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)}
              onChange={applyTyped}
              onKeyDown={(e) => e.key === 'Enter' && applyTyped()}
            />
          </label>
          <button type="button" class="secondary" onClick={() => setCursor(life.to)}>
            Now
          </button>
        </div>
        <ul class="legend" aria-label="Legend">
          <li>
            <span class="swatch current" /> current backing key
          </li>
          <li>
            <span class="swatch exists" /> backing key kept for decryption
          </li>
          <li>
            <span class="swatch alias-span" /> alias points here
          </li>
          {life.grants.length > 0 && (
            <li>
              <span class="swatch grant-span" /> grant in force
            </li>
          )}
          <li>
            <span class="swatch marker" /> policy, grant, alias or rotation change
          </li>
          {usage && (
            <li>
              <span class="swatch use" /> uses per UTC day (orange: some refused)
            </li>
          )}
        </ul>
      </Section>
      <Section title="State at the cursor" id="as-of">
        <Shown load={asOf}>{(state) => <AsOfPanel state={state} />}</Shown>
      </Section>
      <AccessPanel keyRef={keyRef} asOf={cursorIso} />
      <UsagePanel keyRef={keyRef} from={life.from} to={life.to} />
      <ReplicasPanel keyRef={keyRef} here={now.arn.split(':')[3] ?? ''} asOf={cursorIso} />
      <KeyEvents events={events} onPick={setCursor} />
    </>
  );
}

const isUsageRecord = (event: LedgerEvent) => event.type === 'KeyUsageRecorded' || event.type === 'KeyUsageRefused';

/** The key's changes; its usage records (one per minute of use, drawn on the timeline) only when asked for. */
function KeyEvents({ events, onPick }: { events: LedgerEvent[]; onPick: (at: number) => void }) {
  const [withUsage, setWithUsage] = useState(false);
  const usageRecords = events.filter(isUsageRecord).length;
  const shown = withUsage ? events : events.filter((e) => !isUsageRecord(e));
  return (
    <Section title={`Events (${shown.length})`} id="events">
      {usageRecords > 0 && (
        <label class="inline">
          <input type="checkbox" checked={withUsage} onChange={(e) => setWithUsage(e.currentTarget.checked)} />
          Include the {usageRecords} usage records
        </label>
      )}
      <EventTable events={shown} onPick={onPick} />
    </Section>
  );
}

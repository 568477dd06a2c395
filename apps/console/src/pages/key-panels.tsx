import { shortId, When } from '../components.js';
import { keyHref } from '../key-link.js';
import { keyOfStream } from '../key-ref.js';
import type { KeyStateAsOf, LedgerEvent } from '../types.js';

export function AsOfPanel({ state }: { state: KeyStateAsOf }) {
  return (
    <div data-testid="as-of">
      <dl class="facts">
        <dt>As of</dt>
        <dd>
          <When iso={state.asOf} />
        </dd>
        <dt>State</dt>
        <dd>
          <span class={`pill state-${state.keyState}`} data-testid="as-of-state">
            {state.keyState}
          </span>
        </dd>
        <dt>Description</dt>
        <dd>{state.description || '—'}</dd>
        <dt>Automatic rotation</dt>
        <dd>{state.rotationEnabled ? `every ${state.rotationPeriodInDays} days` : 'off'}</dd>
        <dt>Aliases</dt>
        <dd>{state.aliases.length === 0 ? '—' : state.aliases.join(', ')}</dd>
        <dt>Deletion date</dt>
        <dd>
          <When iso={state.deletionDate} />
        </dd>
      </dl>
      <h3>
        Backing keys at this time: <span data-testid="as-of-material-count">{state.keyMaterials.length}</span>
      </h3>
      <ul class="materials">
        {state.keyMaterials.map((m) => (
          <li data-key-material-id={m.keyMaterialId}>
            <abbr class="mono" title={m.keyMaterialId} tabIndex={0} aria-label={`Backing key ${m.keyMaterialId}`}>
              {shortId(m.keyMaterialId, 16)}
            </abbr>{' '}
            <span class="pill">{m.state}</span> {m.origin} since <When iso={m.createdAt} />
            {m.validTo && (
              <>
                {' '}
                valid to <When iso={m.validTo} />
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function actorOf(event: LedgerEvent): string {
  if (event.actor === null) return '—';
  const principal = event.actor.principal.split(':').pop() ?? event.actor.principal;
  return principal;
}

export function EventTable({
  events,
  onPick,
  showStream = false,
}: {
  events: LedgerEvent[];
  onPick?: (at: number) => void;
  showStream?: boolean;
}) {
  if (events.length === 0) return <p class="muted">No events.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Time</th>
            {showStream && <th scope="col">Stream</th>}
            <th scope="col">Event</th>
            <th scope="col">Actor</th>
            <th scope="col">Request id</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => {
            const time = event.time ?? event.recordedAt;
            return (
              <tr key={event.id}>
                <td>
                  {onPick ? (
                    <button
                      type="button"
                      class="link"
                      onClick={() => onPick(Date.parse(time))}
                      aria-label={`Move the cursor to ${time}`}
                    >
                      <When iso={time} />
                    </button>
                  ) : (
                    <When iso={time} />
                  )}
                </td>
                {showStream && (
                  <td>
                    <Stream name={event.streamName ?? ''} />
                  </td>
                )}
                <td>
                  {event.type}
                  {event.streamName?.startsWith('alias-') && (
                    <span class="muted"> {String(event.data.aliasName ?? '')}</span>
                  )}
                </td>
                <td title={event.actor?.principal}>
                  {actorOf(event)}
                  {event.actor?.accessKeyId && <span class="muted mono"> {event.actor.accessKeyId}</span>}
                </td>
                <td class="mono small">{event.requestId ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A key's stream opens the key's page; other streams (aliases, checkpoints, usage) are named. */
function Stream({ name }: { name: string }) {
  const key = keyOfStream(name);
  if (key !== null)
    return (
      <a class="mono small" href={keyHref(key)} title={name}>
        key {shortId(key.keyId)}
        {key.region !== undefined && ` in ${key.region}`}
      </a>
    );
  return <span class="small">{name}</span>;
}

import { scaleUtc } from 'd3-scale';
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { shortId } from '../components.js';
import './timeline.css';
import { utc } from '../time.js';
import type { UsageGroup } from '../types.js';
import type { GrantLane, KeyLife, Marker, Span } from './key-life.js';

const ROW = 26;
const AXIS = 28;
const BAR = 14;

export interface TimelineMark {
  at: number;
  keyMaterialId: string | null;
  label: string;
}

interface Props {
  life: KeyLife;
  cursor: number;
  onCursor: (at: number) => void;
  mark?: TimelineMark | null;
  /** Uses per UTC day, where the server keeps a usage ledger: a row of bars under the lanes. */
  usage?: UsageGroup[];
}

function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(900);
  useEffect(() => {
    if (!ref.current) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.max(320, Math.floor(entry.contentRect.width)));
    });
    observer.observe(ref.current);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

const range = (span: Span) => `${utc(new Date(span.from))} to ${utc(new Date(span.to))}`;

const markerLabel = (m: Marker) => `${m.label}, ${utc(new Date(m.at))}${m.actor ? `, by ${m.actor}` : ''}`;

const grantLabel = (g: GrantLane) =>
  `Grant ${g.grantId}${g.name ? ` (${g.name})` : ''} for ${g.grantee}: ${g.operations.join(', ')}; from ${utc(
    new Date(g.from),
  )}${g.ended ? `, ${g.ended} ${utc(new Date(g.to))}` : ''}`;

/**
 * The key's life as lanes over time: its state, one lane per backing key (darker while it was the current one),
 * one per alias that pointed at it, and the policy, grant and rotation events. Every shape is focusable with
 * its full description, so the picture reads the same by keyboard and screen reader.
 */
export function Timeline({ life, cursor, onCursor, mark, usage }: Props) {
  const [ref, width] = useWidth();
  // A narrow window gives the lanes the room and keeps a shorter prefix of each id.
  const labelWidth = width < 560 ? 96 : 150;
  const prefix = width < 560 ? 8 : 12;
  const x = scaleUtc()
    .domain([new Date(life.from), new Date(life.to)])
    .range([labelWidth, width - 12]);
  const ticks = x.ticks(Math.max(2, Math.floor((width - labelWidth) / 130)));
  const format = x.tickFormat();
  const grantRow = 1 + life.materials.length + life.aliases.length;
  const usageRow = usage === undefined ? -1 : grantRow + life.grants.length;
  const rows = grantRow + life.grants.length + (usage === undefined ? 0 : 1) + 1;
  const height = AXIS + rows * ROW + 8;
  const rowY = (i: number) => AXIS + i * ROW;
  const px = (t: number) => x(new Date(Math.min(Math.max(t, life.from), life.to)));
  const w = (span: Span) => Math.max(2, px(span.to) - px(span.from));

  const click = (event: MouseEvent) => {
    const svg = event.currentTarget as SVGSVGElement;
    const at = x.invert(event.clientX - svg.getBoundingClientRect().left).getTime();
    if (event.clientX - svg.getBoundingClientRect().left >= labelWidth) onCursor(Math.round(at));
  };

  return (
    <div ref={ref} class="timeline">
      <svg width={width} height={height} role="group" aria-label="Key timeline" onClick={click} data-testid="timeline">
        <g class="axis" aria-hidden="true">
          <text x={8} y={AXIS - 10}>
            UTC
          </text>
          {ticks.map((t) => (
            <g transform={`translate(${x(t)},0)`}>
              <line y1={AXIS - 6} y2={height - 4} />
              <text y={AXIS - 10} text-anchor="middle">
                {format(t)}
              </text>
            </g>
          ))}
        </g>
        <g class="row states" transform={`translate(0,${rowY(0)})`}>
          <text class="row-label" x={8} y={ROW / 2 + 4}>
            State
          </text>
          {life.states.map((band) => (
            <rect
              class={`band state-${band.state}`}
              x={px(band.from)}
              y={(ROW - BAR) / 2}
              width={w(band)}
              height={BAR}
              tabindex={0}
              aria-label={`${band.state} from ${range(band)}`}
            >
              <title>{`${band.state}: ${range(band)}`}</title>
            </rect>
          ))}
          {life.states.map(
            (band) =>
              w(band) > 90 && (
                <text class="band-label" x={px(band.from) + 6} y={ROW / 2 + 4} aria-hidden="true">
                  {band.state}
                </text>
              ),
          )}
        </g>
        {life.materials.map((lane, i) => (
          <g
            class={`row material${lane.from > cursor ? ' after-cursor' : ''}`}
            data-lane="material"
            data-key-material-id={lane.keyMaterialId}
            transform={`translate(0,${rowY(1 + i)})`}
            tabindex={0}
            aria-label={`Backing key ${lane.keyMaterialId}, ${lane.origin} ${utc(new Date(lane.from))}${
              lane.ended ? `, ${lane.ended} ${utc(new Date(lane.to))}` : ''
            }`}
          >
            <title>{`Backing key ${lane.keyMaterialId} (${lane.origin})`}</title>
            <text class="row-label mono" x={8} y={ROW / 2 + 4}>
              {shortId(lane.keyMaterialId, prefix)}
            </text>
            <rect class="exists" x={px(lane.from)} y={(ROW - BAR) / 2} width={w(lane)} height={BAR} rx={3} />
            {lane.current.map((span) => (
              <rect class="current" x={px(span.from)} y={(ROW - BAR) / 2} width={w(span)} height={BAR} rx={3}>
                <title>{`Current: ${range(span)}`}</title>
              </rect>
            ))}
            {lane.ended && (
              <text class="end" x={px(lane.to) + 4} y={ROW / 2 + 4}>
                {lane.ended}
              </text>
            )}
          </g>
        ))}
        {life.aliases.map((alias, i) => (
          <g
            class="row alias"
            data-lane="alias"
            transform={`translate(0,${rowY(1 + life.materials.length + i)})`}
            tabindex={0}
            aria-label={`${alias.aliasName} pointed at this key ${alias.spans.map(range).join('; ')}`}
          >
            <title>{alias.aliasName}</title>
            <text class="row-label" x={8} y={ROW / 2 + 4}>
              {shortId(alias.aliasName, prefix + 8)}
            </text>
            {alias.spans.map((span) => (
              <rect class="alias-span" x={px(span.from)} y={(ROW - BAR) / 2 + 2} width={w(span)} height={BAR - 4} />
            ))}
          </g>
        ))}
        {life.grants.map((grant, i) => (
          <g
            class={`row grant${grant.ended ? ' ended' : ''}`}
            data-lane="grant"
            data-grant-id={grant.grantId}
            transform={`translate(0,${rowY(grantRow + i)})`}
            tabindex={0}
            aria-label={grantLabel(grant)}
          >
            <title>{grantLabel(grant)}</title>
            <text class="row-label" x={8} y={ROW / 2 + 4}>
              {shortId(`grant ${grant.name ?? grant.grantId}`, prefix + 8)}
            </text>
            <rect class="grant-span" x={px(grant.from)} y={(ROW - BAR) / 2 + 2} width={w(grant)} height={BAR - 4} />
            {grant.ended && (
              <text class="end" x={px(grant.to) + 4} y={ROW / 2 + 4}>
                {grant.ended}
              </text>
            )}
          </g>
        ))}
        {usage !== undefined && (
          <g class="row usage" data-testid="usage-row" transform={`translate(0,${rowY(usageRow)})`}>
            <text class="row-label" x={8} y={ROW / 2 + 4}>
              Usage
            </text>
            <UsageBars usage={usage} px={px} />
          </g>
        )}
        <g class="row markers" transform={`translate(0,${rowY(rows - 1)})`}>
          <text class="row-label" x={8} y={ROW / 2 + 4}>
            Changes
          </text>
          {life.markers.map((m) => (
            <g
              class={`marker marker-${m.kind}`}
              data-marker={m.kind}
              transform={`translate(${px(m.at)},${ROW / 2})`}
              tabindex={0}
              aria-label={markerLabel(m)}
            >
              <title>{markerLabel(m)}</title>
              <path d="M0,-7 L6,0 L0,7 L-6,0 Z" />
            </g>
          ))}
        </g>
        {mark && (
          <g class="mark" aria-label={mark.label} role="img">
            <title>{mark.label}</title>
            <circle
              cx={px(mark.at)}
              cy={
                rowY(
                  1 +
                    Math.max(
                      0,
                      life.materials.findIndex((l) => l.keyMaterialId === mark.keyMaterialId),
                    ),
                ) +
                ROW / 2
              }
              r={7}
            />
          </g>
        )}
        <g class="cursor" aria-hidden="true" transform={`translate(${px(cursor)},0)`}>
          <line y1={AXIS - 4} y2={height - 4} />
        </g>
      </svg>
    </div>
  );
}

const DAY = 86_400_000;

function UsageBars({ usage, px }: { usage: UsageGroup[]; px: (t: number) => number }) {
  const days = usage.filter((g) => g.day !== undefined && g.count + g.refused > 0);
  if (days.length === 0)
    return (
      <text class="muted-label" x={px(Number.NEGATIVE_INFINITY) + 4} y={ROW / 2 + 4}>
        no recorded use
      </text>
    );
  const max = Math.max(...days.map((g) => g.count + g.refused));
  return (
    <>
      {days.map((g) => {
        const from = Date.parse(`${g.day}T00:00:00Z`);
        const height = Math.max(2, ((g.count + g.refused) / max) * (ROW - 6));
        return (
          <rect
            class={g.refused > 0 ? 'use refused' : 'use'}
            data-day={g.day}
            x={px(from)}
            y={ROW - 3 - height}
            width={Math.max(2, px(from + DAY) - px(from) - 1)}
            height={height}
            tabindex={0}
            aria-label={`${g.day}: ${g.count} uses, ${g.refused} refused`}
          >
            <title>{`${g.day}: ${g.count} uses, ${g.refused} refused`}</title>
          </rect>
        );
      })}
    </>
  );
}

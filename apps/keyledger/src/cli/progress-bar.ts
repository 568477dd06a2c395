import { formatCount } from './cli-output.js';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 30;

function rate(perSecond: number): string {
  if (perSecond >= 1_000_000) return `${(perSecond / 1_000_000).toFixed(1)}M`;
  if (perSecond >= 1_000) return `${Math.round(perSecond / 1_000)}k`;
  return `${Math.round(perSecond)}`;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * `[#####-----] 52% 520,000/1,000,000 events 48k ev/s ETA 10s` on stderr.
 * On a terminal it redraws one line at most ten times a second; in a log file
 * or a pipe, carriage returns would be noise, so it prints a line every 10%.
 */
export class ProgressBar {
  private readonly startedAt = Date.now();
  private lastDraw = 0;
  private lastDecile = -1;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private total: number | undefined,
    private readonly unit = 'events',
    /** Already done before this run (a resumed migration): counted in the bar, not in the rate. */
    private readonly initial = 0,
  ) {}

  setTotal(total: number): void {
    this.total = total;
  }

  update(done: number, force = false): void {
    const now = Date.now();
    if (this.stream.isTTY) {
      if (!force && now - this.lastDraw < REDRAW_INTERVAL_MS) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.line(done, now)}\x1b[K`);
      this.drawn = true;
      return;
    }
    const decile = this.total ? Math.floor((Math.min(done, this.total) / this.total) * 10) : -1;
    if (decile > this.lastDecile || (force && this.total === undefined)) {
      this.lastDecile = decile;
      this.stream.write(`${this.line(done, now)}\n`);
    }
  }

  /** Draws the final state and ends the line. */
  finish(done: number): void {
    this.update(done, true);
    if (this.stream.isTTY && this.drawn) this.stream.write('\n');
  }

  private line(done: number, now: number): string {
    const seconds = (now - this.startedAt) / 1000;
    const perSecond = seconds > 0 ? (done - this.initial) / seconds : 0;
    const counts = `${formatCount(done)}${this.total !== undefined ? `/${formatCount(this.total)}` : ''} ${this.unit}`;
    const speed = `${rate(perSecond)} ev/s`;
    if (!this.total) return `${counts} ${speed}`;
    const fraction = Math.min(1, done / this.total);
    const filled = Math.round(fraction * BAR_WIDTH);
    const eta = perSecond > 0 ? (this.total - done) / perSecond : Infinity;
    return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${counts} ${speed} ETA ${duration(eta)}`;
  }
}

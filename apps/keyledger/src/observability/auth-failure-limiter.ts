/** Logged at most once per window per (access key id, source), and at most MAX_PER_WINDOW in all. */
const WINDOW_MS = 60_000;
const MAX_PER_WINDOW = 100;
const MAX_TRACKED = 10_000;

interface Slot {
  windowStart: number;
  suppressed: number;
}

/**
 * Authentication failures are worth a warning, but a flood of them (55,000 badly
 * signed requests in the hardening test) must not fill the disk. Per access key
 * id and source address, the first failure of a minute is logged and the rest are
 * counted into the next one logged; a global cap bounds a flood that varies the
 * access key id. Memory is bounded too: the oldest entries go first.
 */
export class AuthFailureLimiter {
  private readonly slots = new Map<string, Slot>();
  private globalWindowStart = 0;
  private globalLogged = 0;
  private globalSuppressed = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** undefined: do not log; otherwise how many failures of this caller went unlogged since its last line. */
  admit(accessKeyId: string | undefined, source: string): { suppressed: number } | undefined {
    const now = this.now();
    if (now - this.globalWindowStart >= WINDOW_MS) {
      this.globalWindowStart = now;
      this.globalLogged = 0;
    }
    const key = `${accessKeyId ?? '-'}\u0000${source}`;
    const slot = this.slots.get(key);
    if (slot && now - slot.windowStart < WINDOW_MS) {
      slot.suppressed++;
      return undefined;
    }
    if (this.globalLogged >= MAX_PER_WINDOW) {
      this.globalSuppressed++;
      return undefined;
    }
    this.globalLogged++;
    const suppressed = (slot?.suppressed ?? 0) + this.globalSuppressed;
    this.globalSuppressed = 0;
    this.slots.delete(key);
    if (this.slots.size >= MAX_TRACKED) this.slots.delete(this.slots.keys().next().value!);
    this.slots.set(key, { windowStart: now, suppressed: 0 });
    return { suppressed };
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** 2026-03-01 14:05:09 UTC */
export function utc(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} UTC`;
}

/** The same instant on the viewer's clock, with its zone. */
export function local(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  });
}

/** Reads what a person types as a time: ISO 8601 with a zone, or a date / date-time taken as UTC. */
export function parseInstant(text: string): Date | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const withZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(trimmed)
    ? trimmed
    : /^\d{4}-\d{2}-\d{2}$/.test(trimmed)
      ? `${trimmed}T00:00:00Z`
      : `${trimmed.replace(' ', 'T')}Z`;
  const d = new Date(withZone);
  return Number.isNaN(d.getTime()) ? null : d;
}

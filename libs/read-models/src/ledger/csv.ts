/**
 * RFC 4180 CSV (CRLF line ends, fields quoted when they hold a quote, comma,
 * CR or LF). A cell that a spreadsheet would run as a formula (starting with
 * = + - @, or a tab or CR that some spreadsheets strip first) is prefixed with
 * a single quote: report values such as descriptions and alias names are
 * chosen by whoever can call the KMS API, and the CSV is opened by auditors.
 */
export function toCsv(rows: Array<Record<string, unknown>>, columns: string[]): string {
  const lines: string[] = [columns.map(csvCell).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvCell(cellText(row[column]))).join(','));
  return lines.join('\r\n') + '\r\n';
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cellText).join(';');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

function csvCell(text: string): string {
  const guarded = FORMULA_START.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

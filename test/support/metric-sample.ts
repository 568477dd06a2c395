import { ledgerGet } from './ledger-api-request.js';
import type { Harness } from './keyledger-harness.js';

/** The value of one series (name and labels, as exposed) in the server's GET /metrics, or undefined. */
export async function metricSample(h: Harness, series: string): Promise<number | undefined> {
  const line = (await ledgerGet(h, '/metrics')).text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

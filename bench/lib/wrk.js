// wrk (the C load generator, Debian package `wrk`) beside autocannon: a load generator
// that saturates before the server does would cap both figures and hide the gap, and
// wrk costs far less CPU per request than autocannon. Used only where /usr/bin/wrk exists.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const WRK = '/usr/bin/wrk';

export const hasWrk = () => existsSync(WRK);

/** A Lua script that replays one request: wrk sets Host (from the URL) and Content-Length itself. */
function script({ method, path, headers, body }) {
  const lines = [`wrk.method = ${JSON.stringify(method)}`, `wrk.path = ${JSON.stringify(path)}`];
  lines.push(`wrk.body = ${JSON.stringify(body ?? '')}`);
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'host' || name.toLowerCase() === 'content-length') continue;
    lines.push(`wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(String(value))}`);
  }
  return lines.join('\n') + '\n';
}

/** Runs wrk against `url` for `durationSec`; resolves with requests/s and the count of non-2xx answers. */
export function runWrk({ url, request, connections, durationSec, threads = 2 }) {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-bench-wrk-'));
  const file = join(dir, 'request.lua');
  writeFileSync(file, script(request));
  const args = [`-t${threads}`, `-c${connections}`, `-d${durationSec}s`, '-s', file, url];
  return new Promise((resolve, reject) => {
    execFile(WRK, args, { timeout: (durationSec + 30) * 1000 }, (error, stdout) => {
      rmSync(dir, { recursive: true, force: true });
      if (error) return reject(error);
      const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
      if (!rate) return reject(new Error(`wrk printed no rate: ${stdout}`));
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
      const socketErrors = /Socket errors: (.*)/.exec(stdout)?.[1];
      resolve({ requestsPerSec: Number(rate[1]), non2xx, socketErrors });
    });
  });
}

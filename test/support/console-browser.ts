import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { chromium, type Browser, type BrowserContext, type Request } from 'playwright-core';
import { ADMIN, type Harness } from './keyledger-harness.js';
import { Sha256 } from './sha256.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = resolve(ROOT, 'test/artifacts');

const BUILD = resolve(ROOT, 'apps/console/build');

/**
 * The console's static files, built as `npm run build` builds them (the server reads them when it starts).
 * Several test files build it at once: each builds into a directory of its own, then moves every file into
 * the served build one atomic rename at a time, so a server starting meanwhile reads whole files (the same
 * sources give the same files) and never an emptied build.
 */
export function buildConsole(): void {
  const out = mkdtempSync(join(tmpdir(), 'keyledger-console-build-'));
  // Staged beside the build, on its file system (a rename is atomic only there), out of the server's sight.
  mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
  const staging = mkdtempSync(join(ROOT, 'node_modules/.cache/keyledger-console-staging-'));
  try {
    // Vitest sets NODE_ENV=test, which Vite would carry into the bundle: the test must load what ships.
    const env = { ...process.env, NODE_ENV: 'production' };
    const args = ['run', 'build', '-w', '@keyledger/console', '--', '--outDir', out, '--emptyOutDir'];
    execFileSync('npm', args, { cwd: ROOT, stdio: 'pipe', env });
    if (!existsSync(join(out, 'index.html'))) throw new Error('the console build has no index.html');
    const built = filesUnder(out);
    // index.html last: it names the assets, which are then all in place.
    for (const file of [...built.filter((f) => f !== 'index.html'), 'index.html']) {
      mkdirSync(dirname(join(BUILD, file)), { recursive: true });
      const staged = join(staging, file.replaceAll('/', '_'));
      copyFileSync(join(out, file), staged);
      renameSync(staged, join(BUILD, file));
    }
    // Assets of an older build (other sources) would be served too: they go.
    for (const file of filesUnder(BUILD)) if (!built.includes(file)) rmSync(join(BUILD, file), { force: true });
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/** Debian's Chromium, headless. No browser is ever downloaded: .ci/run installs the package when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (as .ci/run does)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

export interface SeenRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

/**
 * A browser context that can reach the server and nothing else, recording every request the page makes
 * (what the test then searches for the secret) and every one it tried elsewhere.
 */
export async function isolatedContext(
  browser: Browser,
  serverUrl: string,
): Promise<{ context: BrowserContext; seen: () => Promise<SeenRequest[]>; blocked: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
    acceptDownloads: true,
  });
  const origin = new URL(serverUrl).origin;
  const pending: Array<Promise<SeenRequest>> = [];
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  context.on('request', (request: Request) => {
    const seen = (headers: Record<string, string>) => ({
      url: request.url(),
      method: request.method(),
      headers,
      body: request.postData(),
    });
    // allHeaders() has what went on the wire (Authorization included); headers() if the request is already gone.
    pending.push(request.allHeaders().then(seen, () => seen(request.headers())));
  });
  return { context, seen: () => Promise.all(pending), blocked };
}

/** A ledger API GET signed in Node as the SDKs sign, at the server's clock: the reference the page is compared with. */
export async function signedGet(h: Harness, path: string, query: Record<string, string>): Promise<string> {
  const url = new URL(h.url);
  const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: ADMIN, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query,
      headers: { host: url.host },
    },
    { signingDate: h.clock.now() },
  );
  const qs = Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const response = await fetch(`${h.url}${path}?${qs}`, { headers: signed.headers as Record<string, string> });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.text();
}

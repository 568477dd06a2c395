import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The console's build (apps/console/build): this file sits at apps/keyledger/{src,dist}/console/. */
export const CONSOLE_BUILD_DIR = fileURLToPath(new URL('../../../console/build/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ConsoleAsset {
  type: string;
  body: Buffer;
  gzipped: Buffer;
  /** Vite names built assets by their content hash: they never change under one name. */
  immutable: boolean;
}

/**
 * The built console, read once at start (a few files, well under a megabyte) and compressed once, so serving
 * it touches no disk and no request can name a path outside the build. Keys are URL paths under /console/.
 * Never throws: the console is not worth a server that does not start.
 */
export function loadConsoleAssets(dir: string = CONSOLE_BUILD_DIR): Map<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  if (!existsSync(join(dir, 'index.html'))) return assets;
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const body = readFileSync(path);
        const urlPath = relative(dir, path).split(sep).join('/');
        assets.set(urlPath, {
          type: TYPES[extname(name)] ?? 'application/octet-stream',
          body,
          gzipped: gzipSync(body, { level: 9 }),
          immutable: urlPath.startsWith('assets/'),
        });
      }
    }
  };
  try {
    walk(dir);
  } catch {
    // A build being replaced while we read it (files gone between the listing and the read): the server
    // starts without the console, which then says to build it, rather than not at all.
    return new Map();
  }
  return assets.has('index.html') ? assets : new Map();
}

/**
 * Same origin only, no inline script or style, no framing: the page holds a signing secret, so nothing but its
 * own files may run in it and it may talk to nothing but this server.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

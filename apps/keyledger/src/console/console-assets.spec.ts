import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, loadConsoleAssets } from './console-assets.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the console assets', () => {
  it('are read once into a map keyed by URL path, typed, gzipped, hashed assets marked immutable', () => {
    dir = mkdtempSync(join(tmpdir(), 'console-build-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    const assets = loadConsoleAssets(dir);
    expect([...assets.keys()].sort()).toEqual(['assets/index-abc.js', 'favicon.svg', 'index.html']);
    expect(assets.get('index.html')).toMatchObject({ type: 'text/html; charset=utf-8', immutable: false });
    expect(assets.get('assets/index-abc.js')).toMatchObject({
      type: 'text/javascript; charset=utf-8',
      immutable: true,
    });
    expect(assets.get('favicon.svg')?.type).toBe('image/svg+xml');
    expect(gunzipSync(assets.get('assets/index-abc.js')!.gzipped).toString()).toBe('console.log(1)');
    // Only these names answer: a request cannot reach anything outside the build.
    expect(assets.has('../package.json')).toBe(false);
  });

  it('are none when the console was not built (no index.html): the server then says how to build it', () => {
    dir = mkdtempSync(join(tmpdir(), 'console-build-'));
    writeFileSync(join(dir, 'stray.js'), '');
    expect(loadConsoleAssets(dir).size).toBe(0);
  });

  it('are none, without throwing, when a file vanishes under the read (a build being replaced)', () => {
    dir = mkdtempSync(join(tmpdir(), 'console-build-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    symlinkSync(join(dir, 'gone.js'), join(dir, 'dangling.js'));
    expect(loadConsoleAssets(dir).size).toBe(0);
  });

  it('the CSP allows this origin only, and no inline script or framing', () => {
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("connect-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-|\*|https?:/);
  });
});

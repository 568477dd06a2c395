import { defineConfig } from 'vite';

// Built into build/, served by the server at /console (apps/keyledger/src/console). Everything the page
// needs is in the build: no inline script (the CSP forbids it), no data: URIs, no module-preload polyfill.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'build',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    reportCompressedSize: true,
  },
});

import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC (not esbuild) compiles the tests so that Nest's decorator metadata is emitted.
// The `source` condition makes `@keyledger/<lib>` resolve to each library's TypeScript sources.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/**/*.spec.ts'],
    environment: 'node',
    pool: 'forks',
    // Bounds for a hang, not for speed: tests that start servers and CLI processes share two cores
    // with the rest of the suite, and a CLI process start alone took 10 s under that load.
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
  plugins: [
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        target: 'es2023',
      },
      module: { type: 'es6' },
    }),
  ],
});

import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// The specs Stryker runs per mutant: each mutated library's own unit specs, no e2e.
// (mergeConfig would append to `include`, so the test block is replaced instead.)
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['libs/{ledger,crypto,kms-api}/src/**/*.spec.ts'] },
});

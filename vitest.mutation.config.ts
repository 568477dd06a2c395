import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// The specs Stryker runs per mutant: each mutated library's own unit specs, no e2e.
// (mergeConfig would append to `include`, so the test block is replaced instead.)
// MUTATION_SPECS (comma-separated globs) narrows a folder-by-folder run to the specs that cover that folder: on a
// shared 2-core machine a whole-library run takes over an hour, most of it in specs that cover none of the mutants.
const include = process.env.MUTATION_SPECS?.split(',') ?? ['libs/{ledger,crypto,kms-api}/src/**/*.spec.ts'];

export default defineConfig({
  ...base,
  test: { ...base.test, include },
});

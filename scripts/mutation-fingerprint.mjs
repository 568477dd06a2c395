// What Stryker's incremental mode cannot see, fingerprinted next to the committed baseline
// (test/mutation/stryker-incremental.json), so that `npm run test:mutation` never reuses results the change made stale.
// Stryker diffs the mutated files and the spec files only (https://stryker-mutator.io/docs/stryker-js/incremental,
// "Limitations"); the specs' results also depend on:
// - the harness: vitest.config.ts, vitest.mutation.config.ts, and stryker.config.mjs's options but those that cannot
//   change a verdict (thresholds, concurrency, reporters and report paths, the incremental file itself);
// - spec support that is neither mutated nor a spec: libs/{ledger,crypto,kms-api}/src/testing/**;
// - the sources the specs load from a library that is not mutated: libs/event-store/src (append-chained.spec.ts);
// - the installed version of each npm package those files import (fast-check, vitest, node-forge, ...) and of the
//   mutation toolchain. Versions, not package-lock.json: a lock file changes with every dependency of the app, and
//   each change would make every mutant run again (hours), while only these packages can change a spec's verdict.
// Left out on purpose: the barrels (index.ts: re-exports only; a wrong one fails the dry run, which every run does).
// Usage: node scripts/mutation-fingerprint.mjs check        exit 1, with one line naming what changed, when it differs
//        node scripts/mutation-fingerprint.mjs write        after a run that re-tested everything (test:mutation:force)
//        node scripts/mutation-fingerprint.mjs invalidate   after a change to spec helpers or unmutated sources only:
//          drops from the baseline the spec files that load a changed file (directly, through another helper, or
//          through its library's package name) and writes the fingerprint, so that the next `npm run test:mutation`
//          tests again what those specs decided (minutes), not every mutant (hours). A harness or package change
//          still needs test:mutation:force.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';

export const SIDECAR = 'test/mutation/stryker-incremental.fingerprint.json';
const BASELINE = 'test/mutation/stryker-incremental.json';
const STRYKER_CONFIG = 'stryker.config.mjs';
const HARNESS = ['vitest.config.ts', 'vitest.mutation.config.ts'];
const NO_VERDICT = ['thresholds', 'concurrency', 'reporters', 'jsonReporter', 'htmlReporter', 'incremental'];
const NO_VERDICT_TOO = ['incrementalFile', 'tempDirName', 'dryRunTimeoutMinutes'];
const SPEC_SUPPORT = ['libs/ledger/src/testing', 'libs/crypto/src/testing', 'libs/kms-api/src/testing'];
const UNMUTATED_SOURCES = ['libs/event-store/src'];
const IMPORTING = ['libs/ledger/src', 'libs/crypto/src', 'libs/kms-api/src', 'libs/event-store/src'];
const TOOLCHAIN = [
  '@stryker-mutator/core',
  '@stryker-mutator/instrumenter',
  '@stryker-mutator/vitest-runner',
  'vitest',
];

function filesUnder(dir, keep = () => true) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).replaceAll('\\', '/'))
    .filter(keep)
    .sort();
}

const isSource = (file) => file.endsWith('.ts') && !file.endsWith('.spec.ts');

/** npm packages imported (statically or dynamically) by the .ts files under `dirs`: bare specifiers only. */
function importedPackages(dirs) {
  const names = new Set();
  const specifier = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*'([^'.][^']*)'|\bimport\(\s*'([^'.][^']*)'\s*\)/g;
  for (const file of dirs.flatMap((dir) => filesUnder(dir, (f) => f.endsWith('.ts')))) {
    for (const [, fromClause, dynamic] of readFileSync(file, 'utf8').matchAll(specifier)) {
      const spec = fromClause ?? dynamic;
      if (spec.startsWith('node:') || spec.startsWith('@keyledger/')) continue;
      const parts = spec.split('/');
      names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return names;
}

function installedVersion(name) {
  try {
    return JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** stryker.config.mjs's options that can change a verdict, hashed: raising a threshold leaves the baseline valid. */
async function strykerOptions() {
  if (!existsSync(STRYKER_CONFIG)) return {};
  const { default: options } = await import(pathToFileURL(STRYKER_CONFIG).href);
  const kept = Object.entries(options).filter(([name]) => ![...NO_VERDICT, ...NO_VERDICT_TOO].includes(name));
  return { [STRYKER_CONFIG]: sha256(JSON.stringify(Object.fromEntries(kept))) };
}

/** The fingerprint of the working directory: file → sha256 of its contents, package → installed version. */
export async function fingerprint() {
  const paths = [
    ...HARNESS.filter((file) => existsSync(file)),
    ...SPEC_SUPPORT.flatMap((dir) => filesUnder(dir)),
    ...UNMUTATED_SOURCES.flatMap((dir) => filesUnder(dir, isSource)),
  ];
  const files = { ...(await strykerOptions()), ...Object.fromEntries(paths.map((f) => [f, sha256(readFileSync(f))])) };
  const names = [...new Set([...TOOLCHAIN, ...importedPackages(IMPORTING)])].sort();
  const packages = Object.fromEntries(names.map((name) => [name, installedVersion(name)]));
  return { files, packages };
}

/**
 * What differs between two fingerprints, as names: a file added, removed or changed, a package at another version.
 * A package imported or no longer imported is not a difference: the file that imports it changed, which Stryker (a
 * mutated file, a spec) or this fingerprint (a helper) sees.
 */
export function differences(recorded, current) {
  const changed = [];
  const before = recorded.files ?? {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(current.files)])) {
    if (before[name] !== current.files[name]) changed.push(name);
  }
  for (const [name, version] of Object.entries(recorded.packages ?? {})) {
    if (name in current.packages && current.packages[name] !== version) changed.push(name);
  }
  return changed.sort();
}

/** What a .ts file imports: relative specifiers resolved to repository paths (.js read as .ts), and bare ones as is. */
function importsOf(file, text) {
  const specifier = /\bfrom\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|^\s*import\s*'([^']+)'/gm;
  return [...text.matchAll(specifier)].map(([, from, dynamic, bare]) => {
    const spec = from ?? dynamic ?? bare;
    if (!spec.startsWith('.')) return spec;
    return normalize(join(dirname(file), spec))
      .replaceAll('\\', '/')
      .replace(/\.js$/, '.ts');
  });
}

/** Whether one import reaches a changed file: by its path, or by the package name of the library it lies in. */
function reaches(imported, changed) {
  if (changed.has(imported)) return true;
  if (!imported.startsWith('@keyledger/')) return false;
  const root = `libs/${imported.slice('@keyledger/'.length)}/src/`;
  return [...changed].some((file) => file.startsWith(root));
}

/**
 * The spec files (of `specs`: path → text) that load one of the `changed` files, directly or through the helpers
 * (`helpers`: path → text) that load one: the specs whose recorded verdicts the change may have made stale.
 */
export function specsLoading(changedFiles, specs, helpers) {
  const changed = new Set(changedFiles);
  for (let grew = true; grew;) {
    grew = false;
    for (const [file, text] of Object.entries(helpers)) {
      if (changed.has(file) || !importsOf(file, text).some((imported) => reaches(imported, changed))) continue;
      changed.add(file);
      grew = true;
    }
  }
  return Object.entries(specs)
    .filter(([file, text]) => importsOf(file, text).some((imported) => reaches(imported, changed)))
    .map(([file]) => file)
    .sort();
}

async function invalidate() {
  const recorded = JSON.parse(readFileSync(SIDECAR, 'utf8'));
  const current = await fingerprint();
  const changed = differences(recorded, current);
  if (changed.length === 0) {
    console.log('the baseline is not stale: nothing to drop');
    return 0;
  }
  // Spec helpers and unmutated sources all lie under libs/; the harness files and package names do not.
  const forced = changed.filter((name) => !name.startsWith('libs/'));
  if (forced.length > 0) {
    console.error(`${forced.join(', ')} changed: run \`npm run test:mutation:force\` (README, "Mutation testing")`);
    return 1;
  }
  const helperFiles = [
    ...SPEC_SUPPORT.flatMap((dir) => filesUnder(dir)),
    ...UNMUTATED_SOURCES.flatMap((dir) => filesUnder(dir, isSource)),
  ];
  const baseline = JSON.parse(readFileSync(BASELINE, 'utf8'));
  const read = (files) =>
    Object.fromEntries(files.filter((f) => existsSync(f)).map((f) => [f, readFileSync(f, 'utf8')]));
  const stale = specsLoading(changed, read(Object.keys(baseline.testFiles ?? {})), read(helperFiles));
  for (const spec of stale) delete baseline.testFiles[spec];
  writeFileSync(BASELINE, JSON.stringify(baseline));
  writeFileSync(SIDECAR, `${JSON.stringify(current, null, 2)}\n`);
  console.log(`${changed.join(', ')} changed; dropped from the baseline: ${stale.join(', ') || 'no spec'}`);
  return 0;
}

async function check() {
  if (!existsSync(SIDECAR)) {
    console.error(
      `${SIDECAR} is missing: run \`npm run test:mutation:force\` (every mutant) and commit what it writes`,
    );
    return 1;
  }
  const changed = differences(JSON.parse(readFileSync(SIDECAR, 'utf8')), await fingerprint());
  if (changed.length === 0) return 0;
  // Helpers and unmutated sources (under libs/) can be answered in minutes; a harness or package change cannot.
  const remedy = changed.every((name) => name.startsWith('libs/'))
    ? 'run `node scripts/mutation-fingerprint.mjs invalidate`, then `npm run test:mutation`,'
    : 'run `npm run test:mutation:force`';
  console.error(
    `The mutation baseline is stale: ${changed.join(', ')} changed since it was written, and Stryker's incremental ` +
      `mode cannot see that; ${remedy} and commit test/mutation/ (README, "Mutation testing")`,
  );
  return 1;
}

async function write() {
  writeFileSync(SIDECAR, `${JSON.stringify(await fingerprint(), null, 2)}\n`);
  console.log(`${SIDECAR} written`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const command = process.argv[2];
  if (command === 'check') process.exitCode = await check();
  else if (command === 'write') process.exitCode = await write();
  else if (command === 'invalidate') process.exitCode = await invalidate();
  else {
    console.error('usage: node scripts/mutation-fingerprint.mjs check|write|invalidate');
    process.exitCode = 2;
  }
}

// Merges Stryker incremental files (mutation-testing-report-schema) from several runs into one, so that runs narrowed
// with --mutate and MUTATION_SPECS build the committed baseline (test/mutation/stryker-incremental.json) together.
// Usage: node scripts/merge-incremental.mjs <output.json> <input.json ...>
//
// Inputs are taken oldest first by modification time, whatever their order on the command line. For each source file
// (`files`) and each spec file (`testFiles`) one entry is kept: the newest whose `source` is the file as it is on disk
// now, or else the newest (Stryker then diffs it against the file, as it does with its own incremental file); and
// among those, one the run tested over one it only carried over from its input (a narrowed run writes both).
// Test ids are numbers unique within one report only, so every test gets a new id, and each mutant's killedBy and
// coveredBy are mapped by spec file and test name. A reference is dropped when the mutant's run saw its spec file with
// other contents than the entry kept: Stryker then sees the test as changed and tests that mutant again, instead of
// reusing a kill by a test that may no longer exist as it was.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** @returns the file's text on disk, or undefined when it does not exist */
function currentSource(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

// An entry that a run narrowed with --mutate (or MUTATION_SPECS) only carried over from its input, untested: Stryker
// gives such mutants (and tests) its identifying key as id (file@location, mutator) instead of a number.
const carriedOver = (items) => items.length > 0 && items.every(({ id }) => !/^\d+$/.test(id));

/**
 * For each path in `section` ('files' or 'testFiles') of the reports (oldest first): the index of the report kept.
 * Ranked: the file as it is on disk now first, then an entry the run tested over one it carried over, then the newest.
 */
function chooseEntries(reports, section) {
  const chosen = new Map();
  for (const [index, report] of reports.entries()) {
    for (const [path, entry] of Object.entries(report[section] ?? {})) {
      const rank = (e) =>
        (e.source === currentSource(path) ? 2 : 0) + (carriedOver(e.mutants ?? e.tests ?? []) ? 0 : 1);
      const previous = chosen.get(path);
      if (previous === undefined || rank(entry) >= rank(reports[previous][section][path])) chosen.set(path, index);
    }
  }
  return chosen;
}

export function mergeIncremental(reports) {
  const testFileChoice = chooseEntries(reports, 'testFiles');
  const testFiles = {};
  /** `${spec file}\n${test name}` → the new id, for the entries kept */
  const newIdByTest = new Map();
  let nextTestId = 0;
  for (const [path, index] of [...testFileChoice].sort(([a], [b]) => a.localeCompare(b))) {
    const { source, tests } = reports[index].testFiles[path];
    testFiles[path] = {
      source,
      tests: tests.map(({ id: _old, ...test }) => {
        const key = `${path}\n${test.name}`;
        if (!newIdByTest.has(key)) newIdByTest.set(key, String(nextTestId++));
        return { ...test, id: newIdByTest.get(key) };
      }),
    };
  }

  /** For one report: its test id → the new id, or nothing when its spec file is not the one kept. */
  const idMaps = reports.map((report) => {
    const map = new Map();
    for (const [path, { source, tests }] of Object.entries(report.testFiles ?? {})) {
      if (testFiles[path]?.source !== source) continue;
      for (const test of tests) map.set(test.id, newIdByTest.get(`${path}\n${test.name}`));
    }
    return map;
  });

  const files = {};
  let nextMutantId = 0;
  for (const [path, index] of [...chooseEntries(reports, 'files')].sort(([a], [b]) => a.localeCompare(b))) {
    const entry = reports[index].files[path];
    const remap = (ids) => ids?.map((id) => idMaps[index].get(id)).filter((id) => id !== undefined);
    files[path] = {
      ...entry,
      mutants: entry.mutants.map((mutant) => ({
        ...mutant,
        id: String(nextMutantId++),
        ...(mutant.killedBy && { killedBy: remap(mutant.killedBy) }),
        ...(mutant.coveredBy && { coveredBy: remap(mutant.coveredBy) }),
      })),
    };
  }

  const newest = reports.at(-1);
  return { ...newest, files, testFiles };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [output, ...inputs] = process.argv.slice(2);
  if (!output || inputs.length === 0) {
    console.error('usage: node scripts/merge-incremental.mjs <output.json> <input.json ...>');
    process.exit(2);
  }
  const byAge = inputs
    .map((path) => ({ path, mtime: statSync(path).mtimeMs }))
    .sort((a, b) => a.mtime - b.mtime)
    .map(({ path }) => path);
  const merged = mergeIncremental(byAge.map((path) => JSON.parse(readFileSync(path, 'utf8'))));
  writeFileSync(output, JSON.stringify(merged));
  const mutants = Object.values(merged.files).reduce((sum, { mutants }) => sum + mutants.length, 0);
  const tests = Object.values(merged.testFiles).reduce((sum, { tests }) => sum + tests.length, 0);
  console.log(
    `${output}: ${Object.keys(merged.files).length} source files, ${mutants} mutants, ` +
      `${Object.keys(merged.testFiles).length} spec files, ${tests} tests, from ${inputs.length} runs`,
  );
}

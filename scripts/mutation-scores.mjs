// Per-library mutation scores from Stryker's JSON report, counting no-coverage mutants
// (Stryker's own `thresholds.break` only sees the total). Exits 1 when any library is below
// the floor given as the first argument (a percentage), so CI guards each library.
import { readFileSync } from 'node:fs';

const floor = Number(process.argv[2] ?? 0);
const reportPath = process.argv[3] ?? 'reports/mutation/mutation.json';
const report = JSON.parse(readFileSync(reportPath, 'utf8'));

const libraries = new Map();
for (const [file, { mutants }] of Object.entries(report.files)) {
  const library = /libs\/([^/]+)\//.exec(file)?.[1] ?? 'other';
  const row = libraries.get(library) ?? { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0 };
  for (const { status } of mutants) {
    if (status === 'Killed') row.killed++;
    else if (status === 'Timeout') row.timeout++;
    else if (status === 'Survived') row.survived++;
    else if (status === 'NoCoverage') row.noCoverage++;
    else row.ignored++;
  }
  libraries.set(library, row);
}

let failed = false;
for (const [library, row] of [...libraries].sort()) {
  const detected = row.killed + row.timeout;
  const valid = detected + row.survived + row.noCoverage;
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  const verdict = score < floor ? `  BELOW ${floor}%` : '';
  if (score < floor) failed = true;
  console.log(
    `${library.padEnd(8)} ${score.toFixed(1).padStart(5)}%  killed ${row.killed} timeout ${row.timeout}` +
      ` survived ${row.survived} no-coverage ${row.noCoverage}${verdict}`,
  );
}
process.exitCode = failed ? 1 : 0;

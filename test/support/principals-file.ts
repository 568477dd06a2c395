import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrincipalsFile {
  /** For KEYLEDGER_PRINCIPALS_FILE. */
  path: string;
  /** Replaces the file's principals (a changed directory, recorded at the server's next start). */
  rewrite(principals: readonly object[]): void;
  /** Deletes the file and its directory. */
  remove(): void;
}

/**
 * A principals file for a test server. It holds the test principals' secrets, so it gets a directory of its own
 * (mode 0600 file) and goes when the spec calls remove(): three specs once left theirs in /tmp at every run.
 */
export function writePrincipalsFile(principals: readonly object[]): PrincipalsFile {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-principals-'));
  const path = join(dir, 'principals.json');
  const rewrite = (list: readonly object[]) =>
    writeFileSync(path, JSON.stringify({ principals: list }), { mode: 0o600 });
  rewrite(principals);
  return { path, rewrite, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

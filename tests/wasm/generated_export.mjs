// A ticket export made by scripts/gen.mjs for one test file: `before` makes it in a temporary directory of
// its own, `after` removes the directory. Returns {dir, path}, set once the hook has run (other files of a
// test may go in `dir` too).
import { before, after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export function generatedExport(name, { rows, seed }) {
  const made = { dir: null, path: null };
  before(() => {
    made.dir = mkdtempSync(join(tmpdir(), `kpilens-${name}-`));
    made.path = join(made.dir, 'tickets.csv');
    execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', String(rows), '--seed', String(seed), '--out', made.path]);
  });
  after(() => {
    if (made.dir) rmSync(made.dir, { recursive: true, force: true });
  });
  return made;
}

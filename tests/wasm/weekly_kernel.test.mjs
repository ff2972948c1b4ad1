// The bench's weekly kernel (bench/kernel/weekly_kernel.cpp: the weekly figures written for the bench's
// export alone, timed by scripts/bench --steady beside the engine) gives the engine's figures on a
// generated export, across its 1 MiB chunks, and refuses what it does not read rather than count it wrong.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';
import { WASM, WEEKLY_CONFIG, differences, weeklyKernel, weeksFromReport } from '../../scripts/lib/bench_engines.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
let dir;
let exportPath;
let kernel;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kpilens-kernel-'));
  exportPath = join(dir, 'tickets.csv');
  // ~3.5 MB: records cross the kernel's 1 MiB chunks, some of them inside a quoted comment.
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', '25000', '--seed', '7', '--out', exportPath]);
  await loadEngine(WASM);
  kernel = await weeklyKernel();
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function engineWeeks(path) {
  return weeksFromReport(JSON.parse(await reportFromFiles([path], WEEKLY_CONFIG)));
}

test('the kernel gives the engine\'s weekly figures, read twice in a row', async () => {
  const expected = await engineWeeks(exportPath);
  assert.ok(expected.length > 10, `${expected.length} weeks`);
  assert.deepEqual(differences(expected, kernel(exportPath), 'engine', 'kernel'), []);
  assert.deepEqual(differences(expected, kernel(exportPath), 'engine', 'kernel (again)'), []);
});

test('a file without a final line end, and one of a header alone', async () => {
  const text = readFileSync(exportPath, 'utf8');
  const cut = join(dir, 'cut.csv');
  writeFileSync(cut, text.slice(0, text.lastIndexOf('\n')));
  assert.deepEqual(differences(await engineWeeks(cut), kernel(cut), 'engine', 'kernel'), []);
  const header = join(dir, 'header.csv');
  writeFileSync(header, `${text.slice(0, text.indexOf('\n'))}\n`);
  assert.deepEqual(kernel(header), []);
});

test('the kernel refuses another layout, and cells it does not read', () => {
  const text = readFileSync(exportPath, 'utf8');
  const renamed = join(dir, 'renamed.csv');
  writeFileSync(renamed, text.replace('Created at', 'Created'));
  assert.throws(() => kernel(renamed), /does not have the bench export's header/);
  // A slash date the engine would read (with its date-order inference); the kernel does not.
  const lines = text.split('\n');
  lines[5] = lines[5].replace(/^(\d+),(\d{4})-(\d\d)-(\d\d)/, '$1,$3/$4/$2');
  const slash = join(dir, 'slash.csv');
  writeFileSync(slash, lines.join('\n'));
  assert.throws(() => kernel(slash), /1 of the 25000 rows of .* are not in the bench export's form/);
});

// The bench's weekly kernel (bench/kernel/weekly_kernel.cpp: the weekly figures written for the bench's
// export alone, timed by scripts/bench --steady beside the engine) gives the engine's figures on a
// generated export, across its 2 MiB chunks (counts and medians exactly, means within the bench's 1e-9:
// `differences`), and refuses what it does not read rather than count it wrong.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';
import { WASM, WEEKLY_CONFIG, differences, weeklyKernel, weeksFromReport } from '../../scripts/lib/bench_engines.mjs';
import { generatedExport } from './generated_export.mjs';

// ~3.5 MB: records cross the kernel's 2 MiB chunks (one inside a quoted comment: the test below).
const generated = generatedExport('kernel', { rows: 25000, seed: 7 });
let kernel;

before(async () => {
  await loadEngine(WASM);
  kernel = await weeklyKernel();
});

async function engineWeeks(path) {
  return weeksFromReport(JSON.parse(await reportFromFiles([path], WEEKLY_CONFIG)));
}

test('the kernel gives the engine\'s weekly figures, read twice in a row', async () => {
  const expected = await engineWeeks(generated.path);
  assert.ok(expected.length > 10, `${expected.length} weeks`);
  assert.deepEqual(differences(expected, await kernel(generated.path), 'engine', 'kernel'), []);
  assert.deepEqual(differences(expected, await kernel(generated.path), 'engine', 'kernel (again)'), []);
});

/** The export's header and its records (a record starts with an id and a created time). */
function records(text) {
  const header = text.slice(0, text.indexOf('\n'));
  return [header, text.slice(header.length + 1).replace(/\n$/, '').split(/\n(?=\d+,\d{4}-\d\d-\d\d )/)];
}

async function sameAsEngine(name, text) {
  const path = join(generated.dir, name);
  writeFileSync(path, text);
  assert.deepEqual(differences(await engineWeeks(path), await kernel(path), 'engine', 'kernel'), [], name);
}

test('a quoted comment of many lines across the first chunk\'s end; records in reverse; a week without tickets', async () => {
  const text = readFileSync(generated.path, 'utf8');
  const at = text.indexOf('\n', (2 << 20) - 300) + 1;
  const comment = 'a line, with ""quotes"" and a comma\n'.repeat(20);
  const record = `99999,2024-03-04 10:00:00,2024-03-04 10:30:00,2024-03-04 12:00:00,Solved,email,A B,Billing,low,x@example.com,1,0,5,9,,"${comment}"\n`;
  assert.ok(at < 2 << 20 && at + record.length > (2 << 20) + 64, 'the record spans the chunk\'s end and a block past it');
  await sameAsEngine('across.csv', text.slice(0, at) + record + text.slice(at));
  const [header, rows] = records(text);
  assert.equal(rows.length, 25000);
  await sameAsEngine('reversed.csv', `${header}\n${[...rows].reverse().join('\n')}\n`);
  const gap = rows.filter((r) => !/^\d+,2024-02-(0[5-9]|1[01]) /.test(r));
  assert.ok(gap.length < rows.length);
  await sameAsEngine('gap.csv', `${header}\n${gap.join('\n')}\n`);
});

test('a file without a final line end, and one of a header alone', async () => {
  const text = readFileSync(generated.path, 'utf8');
  const cut = join(generated.dir, 'cut.csv');
  writeFileSync(cut, text.slice(0, text.lastIndexOf('\n')));
  assert.deepEqual(differences(await engineWeeks(cut), await kernel(cut), 'engine', 'kernel'), []);
  const header = join(generated.dir, 'header.csv');
  writeFileSync(header, `${text.slice(0, text.indexOf('\n'))}\n`);
  assert.deepEqual(await kernel(header), []);
});

test('the kernel refuses another layout, and cells it does not read', async () => {
  const text = readFileSync(generated.path, 'utf8');
  const renamed = join(generated.dir, 'renamed.csv');
  writeFileSync(renamed, text.replace('Created at', 'Created'));
  await assert.rejects(() => kernel(renamed), /does not have the bench export's header/);
  // A slash date the engine would read (with its date-order inference); the kernel does not.
  const lines = text.split('\n');
  lines[5] = lines[5].replace(/^(\d+),(\d{4})-(\d\d)-(\d\d)/, '$1,$3/$4/$2');
  const slash = join(generated.dir, 'slash.csv');
  writeFileSync(slash, lines.join('\n'));
  await assert.rejects(() => kernel(slash), /kernel: 1 of the 25000 rows of .* are not in the bench export's form/);
  // A day the month does not have, a status it does not know, quotes never closed at the end.
  const refused = [
    ['feb30.csv', text.replace(/\n(\d+),2024-02-2\d /, '\n$1,2024-02-30 '), 25000],
    ['status.csv', text.replace(',Solved,', ',solved,'), 25000],
    ['unclosed.csv', `${text}99999,2024-03-04 10:00:00,,,Open,email,A B,Billing,low,x@example.com,0,0,,,,"never closed\n`, 25001],
  ];
  for (const [name, changed, rows] of refused) {
    const path = join(generated.dir, name);
    writeFileSync(path, changed);
    await assert.rejects(() => kernel(path), new RegExp(`kernel: 1 of the ${rows} rows of .*${name} are not`), name);
  }
  // A record of over 2 MiB (a comment): the kernel gives up rather than read on.
  const long = join(generated.dir, 'long.csv');
  writeFileSync(long, `${text}99999,2024-03-04 10:00:00,,,Open,email,A B,Billing,low,x@example.com,0,0,,,,"${'x'.repeat(3 << 20)}"\n`);
  await assert.rejects(() => kernel(long), /has a record of over 2097152 bytes/);
});

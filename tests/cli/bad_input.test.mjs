// Bad input through the CLI: each case gives a clear message (file, line or byte, reason), keeps every
// good row, and never crashes. The engine-level cases are in tests/engine/bad_input_test.cpp and
// json_decoder_test.cpp; these check what a user of the CLI sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = process.env.KPILENS_CLI;
const skip = !cli && 'KPILENS_CLI is not set';
let dir;
before(() => { dir = mkdtempSync(join(tmpdir(), 'kpilens-bad-')); });
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function run(name, content) {
  const path = join(dir, name);
  writeFileSync(path, content);
  const r = spawnSync(cli, ['report', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : null };
}

const HEADER = 'id,created_at,status\n';
const row = (i) => `${i},2024-03-0${1 + (i % 9)}T09:00:00Z,solved\n`;

test('a JSON syntax error between records stops the file at its byte and line, keeping the records before', { skip }, () => {
  const text = '[{"id":1,"created_at":"2024-03-04T09:00:00Z"},\n{"id":2,"created_at":"2024-03-05T09:00:00Z"}},{"id":3}]';
  const r = run('broken.json', text);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.report.input.rows_used, 2);
  const byte = text.indexOf('}}') + 1;
  assert.ok(r.report.warnings.some((w) => w.includes('broken.json') && w.includes(`byte ${byte}`) && w.includes('line 2')),
    JSON.stringify(r.report.warnings));
});

test('a JSON record that is not valid is rejected with its line; the other records count', { skip }, () => {
  const r = run('bad.ndjson', '{"id":1,"created_at":"2024-03-04T09:00:00Z"}\n{"id":2,"created_at":}\n{"id":3,"created_at":"2024-03-05T09:00:00Z"}\n');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.report.input.rows_used, 2);
  assert.equal(r.report.input.rows_rejected, 1);
  assert.equal(r.report.input.rejected[0].line, 2);
  assert.match(r.report.input.rejected[0].reason, /not valid JSON/);
});

test('a truncated JSON export keeps every complete record and says the file ends early', { skip }, () => {
  const r = run('cut.json', '{"tickets":[{"id":1,"created_at":"2024-03-04T09:00:00Z"},{"id":2,"created_at":"2024-03-05T09:00:00Z"},{"id":3,"crea');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.report.input.rows_used, 2);
  assert.equal(r.report.input.rows_rejected, 1);
  assert.ok(r.report.warnings.some((w) => /truncated/.test(w)), JSON.stringify(r.report.warnings));
});

test('a JSON file with nothing readable exits 1 with a one-line reason', { skip }, () => {
  const r = run('nothing.json', '{"id": }');
  assert.equal(r.status, 1);
  assert.match(r.stderr.trim(), /^kpilens: nothing\.json: no record could be read \(line 1/);
});

test('a truncated CSV (cut inside its last row) keeps the complete rows', { skip }, () => {
  const r = run('cut.csv', HEADER + row(1) + row(2) + '3,2024-03');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.report.input.rows_used, 2);
  assert.equal(r.report.input.rows_rejected, 1);
  assert.equal(r.report.input.rejected[0].line, 4);
});

test('a 100 MB field is read without stopping the file, and the rows around it count', { skip }, () => {
  const path = join(dir, 'huge-field.csv');
  const fd = openSync(path, 'w');
  writeSync(fd, 'id,created_at,status,comment\n' + '1,2024-03-04T09:00:00Z,solved,"');
  const block = Buffer.alloc(1 << 20, 'x');
  for (let i = 0; i < 100; i += 1) writeSync(fd, block);
  writeSync(fd, '"\n2,2024-03-05T09:00:00Z,open,short\n');
  closeSync(fd);
  const r = spawnSync(cli, ['report', path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.input.rows_used, 2);
  assert.equal(report.kpis.find((k) => k.id === 'tickets').value, 2);
});

test('a file of another kind among good ones is named in the errors, the others still count', { skip }, () => {
  const good = join(dir, 'good.csv');
  writeFileSync(good, HEADER + row(1) + row(2));
  const png = join(dir, 'image.csv');
  writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  const r = spawnSync(cli, ['report', good, png], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /image\.csv: binary data/);
  const report = JSON.parse(r.stdout);
  assert.equal(report.input.rows_used, 2);
});

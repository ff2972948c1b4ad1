// The same seven tickets saved five ways (tests/fixtures/encodings/README.md): UTF-8, UTF-8 with a BOM,
// UTF-16LE tab-separated (Excel "Unicode text"), Windows-1252, and ';' with decimal commas. Native and
// wasm must read each to the same figures and the same accented names; the figures are hand-computed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportFromFiles } from '../../wasm/bindings/node_engine.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = process.env.KPILENS_CLI;
const dir = join(root, 'tests/fixtures/encodings');
const VARIANTS = [
  { file: 'tickets.utf8.csv', encoding: 'utf-8', delimiter: ',', decimal: '.' },
  { file: 'tickets.utf8-bom.csv', encoding: 'utf-8-bom', delimiter: ',', decimal: '.' },
  { file: 'tickets.utf16le.txt', encoding: 'utf-16le', delimiter: '\\t', decimal: '.' },
  { file: 'tickets.windows-1252.csv', encoding: 'windows-1252', delimiter: ',', decimal: '.' },
  { file: 'tickets.semicolon.csv', encoding: 'utf-8', delimiter: ';', decimal: ',' },
];
const AGENTS = ['François Lefèvre', 'José Núñez', 'Zoë Müller', 'Åsa Öberg']; // byte order

function figure(report, id) {
  const kpi = report.kpis.find((k) => k.id === id);
  return { value: kpi.value, n: kpi.n, byAgent: kpi.breakdowns?.agent?.value };
}

function checkReport(report, variant) {
  const file = report.input.files[0];
  assert.equal(file.encoding, variant.encoding);
  assert.equal(file.delimiter, variant.delimiter);
  assert.equal(file.decimal_separator, variant.decimal);
  assert.equal(report.input.rows_used, 7);
  assert.deepEqual(report.segments.agent, AGENTS);
  // By hand: 7 tickets; CSAT scores 5, 2, 4, 5, 3 → 3 of 5 are 4 or 5 → 60 %;
  // cost (12.50 + 8.25 + 10.00 + 7.75 + 15.10 + 9.90 + 11.00) ÷ 7 = 74.50 ÷ 7.
  assert.deepEqual(figure(report, 'tickets').value, 7);
  assert.equal(figure(report, 'csat').value, 60);
  assert.equal(figure(report, 'csat').n, 5);
  assert.ok(Math.abs(figure(report, 'cost_per_ticket').value - 74.5 / 7) < 1e-12);
  // Zoë Müller: tickets 1 (5) and 3 (2) → 50 %; Åsa Öberg: ticket 4 (4) → 100 %.
  assert.deepEqual(figure(report, 'csat').byAgent, [0, 100, 50, 100]);
}

const kpisOnly = (report) => JSON.stringify({ kpis: report.kpis, segments: report.segments, periods: report.periods });

test('native: five encodings and dialects of one export give one report', { skip: !cli && 'KPILENS_CLI is not set' }, () => {
  let first = null;
  for (const variant of VARIANTS) {
    const run = spawnSync(cli, ['report', '--by', 'agent', join(dir, variant.file)], { encoding: 'utf8' });
    assert.equal(run.status, 0, `${variant.file}: ${run.stderr}`);
    const report = JSON.parse(run.stdout);
    checkReport(report, variant);
    first ??= kpisOnly(report);
    assert.equal(kpisOnly(report), first, `${variant.file} differs from ${VARIANTS[0].file}`);
  }
});

test('wasm: the same five files, read in 3-byte chunks, give the same report', { skip: !process.env.KPILENS_WASM && 'KPILENS_WASM is not set' }, async () => {
  let first = null;
  for (const variant of VARIANTS) {
    const report = JSON.parse(await reportFromFiles([join(dir, variant.file)], { by: ['agent'] }, { chunkBytes: 3 }));
    checkReport(report, variant);
    first ??= kpisOnly(report);
    assert.equal(kpisOnly(report), first, `${variant.file} differs from ${VARIANTS[0].file}`);
  }
});

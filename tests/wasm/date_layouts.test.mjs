// The bench's export with its date-times written as other helpdesks write them (scripts/gen --dates, the
// layouts of scripts/lib/date_layouts.mjs, which scripts/bench --dates times): the engine, told nothing,
// reads every cell, and its weekly figures are DuckDB's with the layout's strptime format (the SQL of
// scripts/lib/kpi_sql.mjs, never the engine's output). US dates keep the seconds, so that report is also the
// ISO file's, figure for figure. The bench's Papa Parse peer reads each layout with its own reader
// (date_layouts.mjs): its weekly figures are DuckDB's too, or the bench's agreement check would fail.
// The Jira export is also written with every cell quoted (scripts/gen --quotes all, scripts/bench --quotes
// all): the same figures again, for all three readers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';
import { KPI_COLUMNS, weeklySql } from '../../scripts/lib/kpi_sql.mjs';
import { DATE_LAYOUTS } from '../../scripts/lib/date_layouts.mjs';
import { papaWeekly } from '../../scripts/lib/papa_weekly.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const wasmPath = resolve(root, process.env.KPILENS_WASM ?? 'build/wasm/kpilens.node.cjs');
const ROWS = 20_000;
const TOLERANCE = 1e-9;
const Papa = createRequire(import.meta.url)('papaparse');
// The Papa Parse peer's figure → the DuckDB column.
const PAPA = {
  tickets: 'tickets', csat: 'csat', nps: 'nps', resolution_hours_mean: 'resolution_mean',
  resolution_hours_median: 'resolution_median', first_response_minutes_mean: 'frt_mean', fcr: 'fcr',
};
const close = (got, expected) => (expected === null ? got === null
  : typeof got === 'number' && Math.abs(got - expected) <= TOLERANCE * Math.abs(expected));

let dir;
let connection;
// What each test file is: its name → [its date layout, scripts/gen's --quotes].
const VARIANTS = {
  ...Object.fromEntries(Object.keys(DATE_LAYOUTS).map((layout) => [layout, [layout, 'needed']])),
  'jira, every cell quoted': ['jira', 'all'],
};
const files = new Map(); // variant → path
const reports = new Map(); // variant → the engine's weekly report

before(async () => {
  assert.ok(existsSync(wasmPath), `wasm module not found at ${wasmPath}: build it or set KPILENS_WASM`);
  dir = mkdtempSync(join(tmpdir(), 'kpilens-dates-'));
  await loadEngine(wasmPath);
  for (const [variant, [layout, quotes]] of Object.entries(VARIANTS)) {
    const path = join(dir, `${variant.replaceAll(/\W+/g, '-')}.csv`);
    execFileSync(join(root, 'scripts/gen'), ['--rows', String(ROWS), '--seed', '20240101', '--dates', layout,
      '--quotes', quotes, '--out', path]);
    files.set(variant, path);
    reports.set(variant, JSON.parse(await reportFromFiles([path], { grain: 'week' })));
  }
  connection = await (await DuckDBInstance.create(':memory:')).connect();
});

after(() => {
  connection?.closeSync?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('gen writes every date-time cell in the layout asked for', () => {
  for (const layout of Object.keys(DATE_LAYOUTS)) {
    const path = files.get(layout);
    // A record's first line (a comment may span lines): Id, Created at, First reply at, Solved at, …
    const lines = readFileSync(path, 'utf8').split('\n').slice(1, 500).filter((line) => /^\d+,/.test(line));
    const cells = lines.flatMap((line) => line.split(',').slice(1, 4)).filter(Boolean);
    assert.ok(cells.length > 1000);
    const example = DATE_LAYOUTS[layout].example;
    // The same characters as the layout's example where it has no digit; digits where it has one (Jira's
    // hour has one digit or two).
    const shape = new RegExp(`^${example.replace(/\d+/g, (d) => (d.length === 1 ? '\\d{1,2}' : `\\d{${d.length}}`))
      .replace(/[A-Z][a-z]{2}/, '[A-Z][a-z]{2}').replace(/(AM|PM)$/, '[AP]M')}$`);
    for (const cell of cells) assert.match(cell, shape, `${layout}: ${cell}`);
  }
});

test('gen --quotes all quotes every cell, an empty one as "", and writes the same data', () => {
  const lines = readFileSync(files.get('jira, every cell quoted'), 'utf8').split('\n');
  const records = lines.slice(1, 500).filter((line) => /^"\d+",/.test(line));
  assert.ok(records.length > 400);
  for (const line of records) assert.match(line, /^"\d+",("[^"]*",){14}"/);
  assert.match(lines[0], /^"Id","Created at",/);
  assert.ok(records.some((line) => line.includes(',"",')));
});

for (const [variant, [layout]] of Object.entries(VARIANTS)) {
  test(`${variant}: every row read, and the weekly figures (ours, the Papa Parse peer's) are DuckDB's`, async () => {
    const report = reports.get(variant);
    assert.equal(report.ok, true);
    assert.equal(report.input.rows, ROWS);
    assert.equal(report.input.rows_used, ROWS);
    assert.equal(report.input.rows_rejected, 0);
    assert.deepEqual(report.input.value_issues, []);
    const weekly = (await connection.runAndReadAll(weeklySql(files.get(variant), undefined, layout))).getRowObjectsJS();
    assert.deepEqual(report.periods.start, weekly.map((row) => row.week));
    for (const [id, [column, nColumn]] of Object.entries(KPI_COLUMNS)) {
      const k = report.kpis.find((x) => x.id === id);
      for (const [i, row] of weekly.entries()) {
        const where = `${variant}: ${id}, week of ${row.week}`;
        assert.equal(k.series.n[i], Number(row[nColumn]), `${where}: n`);
        const got = k.series.value[i];
        const expected = row[column] === null ? null : Number(row[column]);
        assert.ok(close(got, expected), `${where}: engine ${got}, DuckDB ${expected}`);
      }
    }
    const papa = await papaWeekly(Papa, files.get(variant), layout);
    assert.deepEqual(papa.map((w) => w.week), weekly.map((row) => row.week));
    for (const [i, row] of weekly.entries()) {
      for (const [name, column] of Object.entries(PAPA)) {
        const expected = row[column] === null ? null : Number(row[column]);
        assert.ok(close(papa[i][name], expected), `${variant}: Papa Parse peer ${name}, week of ${row.week}: ${papa[i][name]}, DuckDB ${expected}`);
      }
    }
  });
}

test('US dates keep the seconds: the report is the ISO file\'s, figure for figure', () => {
  const kpis = (layout) => JSON.stringify(reports.get(layout).kpis);
  assert.equal(kpis('us'), kpis('iso'));
});

test('every cell quoted: the report is the file\'s quoted where needed, figure for figure', () => {
  const kpis = (variant) => JSON.stringify(reports.get(variant).kpis);
  assert.equal(kpis('jira, every cell quoted'), kpis('jira'));
});

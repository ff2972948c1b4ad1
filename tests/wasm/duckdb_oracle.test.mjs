// The wasm engine's weekly ticket KPIs against the same figures computed by DuckDB from the same CSV.
// DuckDB is the oracle: every formula is written in SQL in scripts/lib/kpi_sql.mjs, from the KPI definitions
// in docs/kpis.md, and never copied from the engine's output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';
import { FIGURES, KPI_COLUMNS as CHECKS, TICKETS, weeklySql } from '../../scripts/lib/kpi_sql.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const wasmPath = resolve(root, process.env.KPILENS_WASM ?? 'build/wasm/kpilens.node.cjs');
const ROWS = 100_000;
const TOLERANCE = 1e-9;

let dir;
let csvPath;
let report;
let weekly; // DuckDB rows, one per ISO week, ordered
let overall; // one DuckDB row

// Backlog at the end of each week: tickets created up to that week − tickets solved up to that week.
const BACKLOG = (path) => `
  WITH ${TICKETS(path)},
  weeks AS (SELECT DISTINCT date_trunc('week', created) AS week FROM tickets)
  SELECT strftime(week, '%Y-%m-%d') AS week,
    (SELECT count(*) FROM tickets WHERE date_trunc('week', created) <= weeks.week) AS created_so_far,
    (SELECT count(*) FROM tickets WHERE solved AND date_trunc('week', solved_at) <= weeks.week)
      AS solved_so_far
  FROM weeks ORDER BY week`;

let backlog;
// The report of each checked figure asked for alone (config figures: the engine reads only what it needs).
const alone = new Map();

function assertClose(got, expected, what) {
  if (expected === null) {
    assert.equal(got, null, `${what}: expected null, got ${got}`);
    return;
  }
  assert.equal(typeof got, 'number', `${what}: expected ${expected}, got ${got}`);
  const ok = got === expected || Math.abs(got - expected) <= TOLERANCE * Math.max(Math.abs(got), Math.abs(expected));
  assert.ok(ok, `${what}: engine ${got}, DuckDB ${expected} (relative difference ${Math.abs(got - expected) / Math.abs(expected)})`);
}

function kpi(id) {
  const k = report.kpis.find((x) => x.id === id);
  assert.ok(k, `the report has a KPI '${id}'`);
  assert.equal(k.available, true, `KPI '${id}' is available`);
  return k;
}


before(async () => {
  assert.ok(existsSync(wasmPath), `wasm module not found at ${wasmPath}: build it or set KPILENS_WASM`);
  dir = mkdtempSync(join(tmpdir(), 'kpilens-oracle-'));
  csvPath = join(dir, 'tickets.csv');
  execFileSync(join(root, 'scripts/gen'), ['--rows', String(ROWS), '--seed', '20240101', '--out', csvPath]);

  await loadEngine(wasmPath);
  report = JSON.parse(await reportFromFiles([csvPath], { grain: 'week' }));
  for (const id of [...Object.keys(CHECKS), 'backlog']) {
    const one = JSON.parse(await reportFromFiles([csvPath], { grain: 'week', figures: [id] }));
    assert.deepEqual(one.kpis.map((k) => k.id), [id]);
    alone.set(id, one.kpis[0]);
  }

  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const run = async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS();
  weekly = await run(weeklySql(csvPath));
  [overall] = await run(`WITH ${TICKETS(csvPath)} SELECT ${FIGURES} FROM tickets`);
  backlog = await run(BACKLOG(csvPath));
  connection.closeSync?.();
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the generated file is read whole: every row used, none rejected', () => {
  assert.equal(report.ok, true);
  assert.equal(Number(overall.tickets_n), ROWS, 'DuckDB reads every generated row');
  assert.equal(report.input.rows, ROWS);
  assert.equal(report.input.rows_used, ROWS);
  assert.equal(report.input.rows_rejected, 0);
  assert.deepEqual(report.input.value_issues, []);
});

test('the weeks are the ISO weeks DuckDB finds (Monday starts), in order', () => {
  assert.equal(report.periods.grain, 'week');
  assert.deepEqual(report.periods.start, weekly.map((r) => r.week));
  for (const [i, start] of report.periods.start.entries()) {
    assert.equal(new Date(start + 'T00:00:00Z').getUTCDay(), 1, `week ${i} starts on a Monday`);
  }
});

for (const [id, [column, nColumn]] of Object.entries(CHECKS)) {
  test(`${id} matches DuckDB every week and overall, in the full report and asked for alone`, () => {
    for (const k of [kpi(id), alone.get(id)]) {
      assert.equal(k.series.value.length, weekly.length);
      for (const [i, row] of weekly.entries()) {
        const where = `${id}, week of ${row.week}`;
        assert.equal(k.series.n[i], Number(row[nColumn]), `${where}: n`);
        assertClose(k.series.value[i], row[column], where);
      }
      assert.equal(k.n, Number(overall[nColumn]), `${id} overall: n`);
      assertClose(k.value, overall[column], `${id} overall`);
    }
  });
}

test('csat and nps extras hold the counts DuckDB finds', () => {
  const csat = kpi('csat');
  const nps = kpi('nps');
  for (const [i, row] of weekly.entries()) {
    const where = `week of ${row.week}`;
    assert.equal(csat.series.extras.responses[i], Number(row.csat_n), `csat responses, ${where}`);
    assert.equal(csat.series.extras.satisfied[i], Number(row.csat_satisfied), `csat satisfied, ${where}`);
    assert.equal(nps.series.extras.promoters[i], Number(row.promoters), `promoters, ${where}`);
    assert.equal(nps.series.extras.passives[i], Number(row.passives), `passives, ${where}`);
    assert.equal(nps.series.extras.detractors[i], Number(row.detractors), `detractors, ${where}`);
  }
  assert.equal(csat.extras.satisfied, Number(overall.csat_satisfied));
  assert.equal(nps.extras.promoters, Number(overall.promoters));
  assert.equal(nps.extras.detractors, Number(overall.detractors));
});

test('backlog at the end of each week is created so far minus solved so far', () => {
  for (const k of [kpi('backlog'), alone.get('backlog')]) {
    assert.equal(k.series.value.length, backlog.length);
    for (const [i, row] of backlog.entries()) {
      assert.equal(report.periods.start[i], row.week);
      assert.equal(k.series.value[i], Number(row.created_so_far) - Number(row.solved_so_far), `backlog, week of ${row.week}`);
      assert.equal(k.series.n[i], Number(row.created_so_far), `backlog n, week of ${row.week}`);
    }
  }
});

// The wasm engine's weekly ticket KPIs against the same figures computed by DuckDB from the same CSV.
// DuckDB is the oracle: every formula below is written in SQL here, from the KPI definitions in
// docs/kpis.md, and never copied from the engine's output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const wasmPath = resolve(root, process.env.KPILENS_WASM ?? 'build/wasm/kpilens.node.cjs');
const ROWS = 100_000;
const TOLERANCE = 1e-9;

let dir;
let csvPath;
let report;
let weekly; // DuckDB rows, one per ISO week, ordered
let overall; // one DuckDB row

// Columns typed explicitly: no sniffing, so the oracle reads exactly what the generator wrote.
function readCsv(path) {
  const sqlPath = path.replaceAll("'", "''");
  return `read_csv('${sqlPath}', header = true, delim = ',', quote = '"', escape = '"',
    timestampformat = '%Y-%m-%d %H:%M:%S', auto_detect = false,
    columns = {'Id': 'BIGINT', 'Created at': 'TIMESTAMP', 'First reply at': 'TIMESTAMP',
               'Solved at': 'TIMESTAMP', 'Status': 'VARCHAR', 'Via': 'VARCHAR', 'Assignee': 'VARCHAR',
               'Group': 'VARCHAR', 'Priority': 'VARCHAR', 'Requester': 'VARCHAR', 'Replies': 'INTEGER',
               'Reopens': 'INTEGER', 'Satisfaction Score': 'INTEGER', 'NPS': 'INTEGER', 'CES': 'INTEGER',
               'Comment': 'VARCHAR'})`;
}

// The figures, per group. Percentages as integer counts × 100 ÷ count, as in docs/kpis.md.
const FIGURES = `
  count(*)::DOUBLE AS tickets,
  count(*) AS tickets_n,
  count(*) FILTER (WHERE csat BETWEEN 1 AND 5) AS csat_n,
  count(*) FILTER (WHERE csat BETWEEN 4 AND 5) AS csat_satisfied,
  count(*) FILTER (WHERE csat BETWEEN 4 AND 5)::DOUBLE * 100
    / NULLIF(count(*) FILTER (WHERE csat BETWEEN 1 AND 5), 0)::DOUBLE AS csat,
  count(*) FILTER (WHERE nps BETWEEN 0 AND 10) AS nps_n,
  count(*) FILTER (WHERE nps BETWEEN 9 AND 10) AS promoters,
  count(*) FILTER (WHERE nps BETWEEN 7 AND 8) AS passives,
  count(*) FILTER (WHERE nps BETWEEN 0 AND 6) AS detractors,
  (count(*) FILTER (WHERE nps BETWEEN 9 AND 10) - count(*) FILTER (WHERE nps BETWEEN 0 AND 6))::DOUBLE * 100
    / NULLIF(count(*) FILTER (WHERE nps BETWEEN 0 AND 10), 0)::DOUBLE AS nps,
  count(*) FILTER (WHERE ces BETWEEN 1 AND 7) AS ces_n,
  avg(ces::DOUBLE) FILTER (WHERE ces BETWEEN 1 AND 7) AS ces,
  count(resolution_hours) AS resolution_n,
  avg(resolution_hours) AS resolution_mean,
  median(resolution_hours) AS resolution_median,
  quantile_cont(resolution_hours, 0.9) AS resolution_p90,
  count(*) FILTER (WHERE solved) AS fcr_n,
  count(*) FILTER (WHERE solved AND replies = 1 AND reopens = 0)::DOUBLE * 100
    / NULLIF(count(*) FILTER (WHERE solved), 0)::DOUBLE AS fcr,
  count(*) FILTER (WHERE solved AND replies < 2)::DOUBLE * 100
    / NULLIF(count(*) FILTER (WHERE solved), 0)::DOUBLE AS one_touch,
  count(*) FILTER (WHERE solved AND reopens > 0)::DOUBLE * 100
    / NULLIF(count(*) FILTER (WHERE solved), 0)::DOUBLE AS reopen_rate,
  count(*) FILTER (WHERE solved)::DOUBLE * 100 / count(*)::DOUBLE AS resolution_rate,
  count(first_response_minutes) AS frt_n,
  avg(first_response_minutes) AS frt_mean,
  median(first_response_minutes) AS frt_median,
  quantile_cont(first_response_minutes, 0.9) AS frt_p90`;

const TICKETS = (path) => `
  tickets AS (
    SELECT
      "Created at" AS created,
      "Solved at" AS solved_at,
      "Status" IN ('Solved', 'Closed') AS solved,
      "Replies" AS replies,
      "Reopens" AS reopens,
      "Satisfaction Score" AS csat,
      "NPS" AS nps,
      "CES" AS ces,
      CASE WHEN "Status" IN ('Solved', 'Closed') THEN epoch("Solved at" - "Created at") / 3600 END
        AS resolution_hours,
      epoch("First reply at" - "Created at") / 60 AS first_response_minutes
    FROM ${readCsv(path)})`;

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

// KPI id → [figure column, n column] in the DuckDB rows.
const CHECKS = {
  tickets: ['tickets', 'tickets_n'],
  csat: ['csat', 'csat_n'],
  nps: ['nps', 'nps_n'],
  ces: ['ces', 'ces_n'],
  fcr: ['fcr', 'fcr_n'],
  one_touch_rate: ['one_touch', 'fcr_n'],
  reopen_rate: ['reopen_rate', 'fcr_n'],
  resolution_rate: ['resolution_rate', 'tickets_n'],
  resolution_time_mean: ['resolution_mean', 'resolution_n'],
  resolution_time_median: ['resolution_median', 'resolution_n'],
  resolution_time_p90: ['resolution_p90', 'resolution_n'],
  first_response_time_mean: ['frt_mean', 'frt_n'],
  first_response_time_median: ['frt_median', 'frt_n'],
  first_response_time_p90: ['frt_p90', 'frt_n'],
};

before(async () => {
  assert.ok(existsSync(wasmPath), `wasm module not found at ${wasmPath}: build it or set KPILENS_WASM`);
  dir = mkdtempSync(join(tmpdir(), 'kpilens-oracle-'));
  csvPath = join(dir, 'tickets.csv');
  execFileSync(join(root, 'scripts/gen'), ['--rows', String(ROWS), '--seed', '20240101', '--out', csvPath]);

  await loadEngine(wasmPath);
  report = JSON.parse(await reportFromFiles([csvPath], { grain: 'week' }));

  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const run = async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS();
  weekly = await run(`WITH ${TICKETS(csvPath)}
    SELECT strftime(date_trunc('week', created), '%Y-%m-%d') AS week, ${FIGURES}
    FROM tickets GROUP BY ALL ORDER BY week`);
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
  test(`${id} matches DuckDB every week and overall`, () => {
    const k = kpi(id);
    assert.equal(k.series.value.length, weekly.length);
    for (const [i, row] of weekly.entries()) {
      const where = `${id}, week of ${row.week}`;
      assert.equal(k.series.n[i], Number(row[nColumn]), `${where}: n`);
      assertClose(k.series.value[i], row[column], where);
    }
    assert.equal(k.n, Number(overall[nColumn]), `${id} overall: n`);
    assertClose(k.value, overall[column], `${id} overall`);
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
  const k = kpi('backlog');
  assert.equal(k.series.value.length, backlog.length);
  for (const [i, row] of backlog.entries()) {
    assert.equal(report.periods.start[i], row.week);
    assert.equal(k.series.value[i], Number(row.created_so_far) - Number(row.solved_so_far), `backlog, week of ${row.week}`);
    assert.equal(k.series.n[i], Number(row.created_so_far), `backlog n, week of ${row.week}`);
  }
});

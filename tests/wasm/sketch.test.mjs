// Quantiles past the exact cap: the engine's DDSketch against Datadog's own (@datadog/sketches-js,
// DDSketch with relative accuracy 1 %) and against the exact order statistics.
//
// Route: a generated export of 150,000 tickets, so the overall group passes the cap of 100,000 values
// for both durations, read by the wasm module (the page's path). The same duration values are taken
// from the same file by DuckDB with the oracle's SQL (scripts/lib/kpi_sql.mjs, which the DuckDB oracle
// test checks against the engine's exact medians below the cap), fed to sketches-js, and sorted here
// for the exact figures. Nothing is copied from the engine's output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { DDSketch } from '@datadog/sketches-js';
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';
import { TICKETS } from '../../scripts/lib/kpi_sql.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const wasmPath = resolve(root, process.env.KPILENS_WASM ?? 'build/wasm/kpilens.node.cjs');
const ROWS = 150_000;
const CAP = 100_000; // kExactQuantileCap (wasm/engine/quantiles.h)

// KPI id prefix → [DuckDB column, distribution key]
const DURATIONS = {
  resolution_time: 'resolution_hours',
  first_response_time: 'first_response_minutes',
};

let dir;
let report;
const values = {}; // column → sorted durations

before(async () => {
  assert.ok(existsSync(wasmPath), `wasm module not found at ${wasmPath}: build it or set KPILENS_WASM`);
  dir = mkdtempSync(join(tmpdir(), 'kpilens-sketch-'));
  const csvPath = join(dir, 'tickets.csv');
  execFileSync(join(root, 'scripts/gen'), ['--rows', String(ROWS), '--seed', '77', '--out', csvPath]);

  await loadEngine(wasmPath);
  report = JSON.parse(await reportFromFiles([csvPath], { grain: 'month' }));

  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const column of Object.values(DURATIONS)) {
    const rows = (await connection.runAndReadAll(
      `WITH ${TICKETS(csvPath)} SELECT ${column} AS v FROM tickets WHERE ${column} IS NOT NULL`,
    )).getRowObjectsJS();
    values[column] = Float64Array.from(rows, (r) => r.v).sort();
  }
  connection.closeSync?.();
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function kpi(id) {
  const k = report.kpis.find((x) => x.id === id);
  assert.ok(k, `the report has a KPI '${id}'`);
  return k;
}

// The order statistic of rank ⌊(n − 1) q⌋ (0-based), which both sketches estimate.
const exactAt = (sorted, q) => sorted[Math.floor((sorted.length - 1) * q)];
const relative = (a, b) => Math.abs(a - b) / Math.abs(b);

for (const [prefix, column] of Object.entries(DURATIONS)) {
  test(`${prefix}: past the cap, median and p90 are within 1 % of exact, and of sketches-js within 2 %`, () => {
    const sorted = values[column];
    assert.ok(sorted.length > CAP, `${sorted.length} values pass the cap`);
    const theirs = new DDSketch({ relativeAccuracy: 0.01 });
    for (const v of sorted) theirs.accept(v);

    for (const [suffix, q] of [['median', 0.5], ['p90', 0.9]]) {
      const k = kpi(`${prefix}_${suffix}`);
      assert.equal(k.n, sorted.length, `${k.id}: n`);
      assert.equal(k.approximate, true, `${k.id} says it is approximate`);
      const exact = exactAt(sorted, q);
      const datadog = theirs.getValueAtQuantile(q);
      const where = `${k.id}: ours ${k.value}, sketches-js ${datadog}, exact ${exact}`;
      assert.ok(relative(k.value, exact) <= 0.01, `${where}: ours within 1 % of exact`);
      assert.ok(relative(datadog, exact) <= 0.01, `${where}: sketches-js within 1 % of exact`);
      assert.ok(relative(k.value, datadog) <= 0.02, `${where}: ours within 2 % of sketches-js`);
    }
    // The mean stays exact past the cap (relative 1e-12 to DuckDB's sum over n).
    const mean = kpi(`${prefix}_mean`);
    assert.equal(mean.approximate, false);
    const sum = sorted.reduce((s, v) => s + v, 0);
    assert.ok(relative(mean.value, sum / sorted.length) <= 1e-12, `${mean.id}: ${mean.value}`);
  });

  test(`${prefix}: past the cap, the distribution's counts are still exact (its bounds are bucket edges)`, () => {
    const sorted = values[column];
    const d = report.distributions[prefix];
    assert.equal(d.approximate, true);
    assert.equal(d.n, sorted.length);
    const below = (limit) => sorted.findIndex((v) => v >= limit) === -1
      ? sorted.length
      : sorted.findIndex((v) => v >= limit);
    const expected = [];
    let previous = 0;
    for (const bound of d.upper_bounds) {
      expected.push(below(bound) - previous);
      previous = below(bound);
    }
    expected.push(sorted.length - previous);
    assert.deepEqual(d.counts, expected);
  });
}

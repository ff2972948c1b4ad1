// The customer-success section of a generated 50,000-customer subscription history (scripts/gen --kind
// subscriptions: Stripe-like, three years, upgrades, downgrades, trials, reactivations, annual, quarterly
// and weekly plans, free plans, legacy rows) against DuckDB. DuckDB is the oracle: the SQL in
// scripts/lib/customer_sql.mjs is written from docs/kpis.md ("Customer success"), never from the engine's
// output, and is itself checked on a small history whose figures are worked out by hand below.
//
// Runs: the CLI (KPILENS_CLI, `report --config`) with customers.grain month under churn_recognition
// period_end and cancellation, and with `by: ["plan"]`; the wasm module (node_engine.mjs) under period_end
// (byte-identical to the CLI, and the same with 64 KiB and 1000-byte chunks). About 20–25 s on the shared
// 2-core machine under load (≈10 s CPU): generating the file, three CLI runs, three wasm runs, DuckDB.
// Compared month by month:
// - money (MRR, ARR, each movement, start MRR, the NRR/GRR numerators and bases, lost and regained MRR) in
//   exact micro-units: the report's amount × 10⁶, rounded, must equal DuckDB's integer, which is stricter
//   than "to the cent" and is what the docs promise (every sum is an exact integer of micro-units);
// - counts (customers at the start and end, paying, per movement, n) exactly;
// - rates (logo churn, gross and net MRR churn, NRR, GRR, 12-month NRR/GRR, retention, quick ratio, ARPA)
//   within 1e-9 relative. Both sides divide the same exact integers, so they can differ only in the last
//   bits of the final floating-point steps (the engine may round twice where DuckDB rounds once, ~1e-16);
//   1e-9 leaves room for that while a one-micro-unit difference in a numerator of even $10M still shows.
//   Rounding both to 1e-6 instead would fail spuriously on values next to a rounding boundary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';
import { MOVEMENTS, monthlySql, planBridgeSql, summarySql } from '../../scripts/lib/customer_sql.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = resolve(root, process.env.KPILENS_CLI ?? 'build/native/wasm/cli/kpilens');
const wasmPath = resolve(root, process.env.KPILENS_WASM ?? 'build/wasm/kpilens.node.cjs');
const CUSTOMERS = 50_000;
const SEED = 20230101;
const TOLERANCE = 1e-9;
const CONFIGS = {
  period_end: { customers: { grain: 'month' } },
  cancellation: { customers: { grain: 'month', churn_recognition: 'cancellation' } },
};
// By plan, a row's column: one state per customer and plan, so each plan has its own bridge.
const BY_PLAN_CONFIG = { by: ['plan'], customers: { grain: 'month' } };

// A small history, every case of docs/kpis.md once; as_of is 2024-04-10 (R's start, the latest start,
// cancellation or end). Monthly amounts in micro-units: Starter 19.00 → 19000000; Growth 49000000;
// Growth Annual 490 ÷ 12 = 40.8333333… → 40833333; Team 12.50 × 4 seats → 50000000 (× 0 seats → 0);
// Lite Weekly 4.99 × 52 ÷ 12 = 21.6233333… → 21623333; Add-on 9990000; Business Quarterly 399 ÷ 3.
// - A: Starter, upgraded to Growth at the same minute on 02-20 (Feb: expansion +30).
// - B: Growth Annual, cancelled on 03-02 at period end (2025-01-15): active throughout under period_end;
//   ends 03-02 under cancellation (Mar: churned).
// - C: Team × 4, cancelled immediately on 03-31: the end day is not active, so churned in March.
// - D: a 14-day trial, active from 02-03 (Feb: new), cancelled 02-25 at period end 03-03 (Mar: churned);
//   under cancellation it ends 02-25 and is never active at a month's end.
// - E: Free ($0, active: Jan new with 0), then Lite Weekly from 03-16, the day after Free ended
//   (Mar: expansion +21.623333).
// - F: Business Quarterly 02-10 → 02-20 (joined and left within February: never shows), back on
//   Starter on 03-05: new in March (never active at an earlier month's end), not a reactivation.
// - G: Starter 01-08 → 02-12 (Feb: churned), Growth Annual from 04-02 (Apr: reactivation +40.833333).
// - H: Growth + an add-on from 02-14 (Feb: expansion +9.99), add-on cancelled 03-20 (Mar: contraction),
//   Growth → Starter on 04-05 at the same minute (Apr: contraction −30).
// - I: Growth → Starter → Growth on 03-10 (the Starter row ends the day it starts: never active): no movement.
// - J: cancelled with no end date at all: rejected.
// - K: blank Ended At, Current Period End 02-25 before Canceled At 03-05: ends 03-05 (Mar: churned).
// - L: blank Canceled At and Ended At, status canceled: ends at Current Period End 03-31 (Mar: churned).
// - M: pending cancellation with a blank Canceled At: ends at Current Period End 05-01 (Feb: new).
// - N: trialing with no Trial End: never active. O: incomplete_expired: never active.
// - P: Team × 0 seats: active at $0 (Feb: new with 0; active but not paying).
// - Q: a trial cancelled before it ended: active from 04-03, ends 04-03: never active.
// - R: Starter from 04-10 (Apr: new).
const SMALL_CSV = `id,Customer ID,Plan,Amount,Currency,Interval,Quantity,Start Date (UTC),Trial End (UTC),Canceled At (UTC),Cancel At Period End,Current Period End (UTC),Ended At (UTC),Status
sub_a1,cus_A,Starter,19.00,usd,month,1,2024-01-05 10:00,,2024-02-20 10:00,false,2024-03-05 10:00,2024-02-20 10:00,canceled
sub_a2,cus_A,Growth,49.00,usd,month,1,2024-02-20 10:00,,,false,2024-04-20 10:00,,active
sub_b1,cus_B,Growth Annual,490.00,usd,year,1,2024-01-15 08:00,,2024-03-02 12:00,true,2025-01-15 08:00,,active
sub_c1,cus_C,Team,12.50,usd,month,4,2024-01-10 09:00,,2024-03-31 12:00,false,2024-04-10 09:00,2024-03-31 12:00,canceled
sub_d1,cus_D,Starter,19.00,usd,month,1,2024-01-20 14:00,2024-02-03 14:00,2024-02-25 16:00,true,2024-03-03 14:00,2024-03-03 14:00,canceled
sub_e1,cus_E,Free,0.00,usd,month,1,2024-01-03 11:00,,2024-03-15 09:00,false,2024-04-03 11:00,2024-03-15 09:00,canceled
sub_e2,cus_E,Lite Weekly,4.99,usd,week,1,2024-03-16 08:00,,,false,2024-04-13 08:00,,active
sub_f1,cus_F,Business Quarterly,399.00,usd,quarter,1,2024-02-10 13:00,,2024-02-20 13:00,false,2024-05-10 13:00,2024-02-20 13:00,canceled
sub_f2,cus_F,Starter,19.00,usd,month,1,2024-03-05 10:00,,,false,2024-05-05 10:00,,active
sub_g1,cus_G,Starter,19.00,usd,month,1,2024-01-08 07:00,,2024-02-12 07:30,false,2024-03-08 07:00,2024-02-12 07:30,canceled
sub_g2,cus_G,Growth Annual,490.00,usd,year,1,2024-04-02 15:00,,,false,2025-04-02 15:00,,active
sub_h1,cus_H,Growth,49.00,usd,month,1,2024-01-02 09:00,,2024-04-05 11:00,false,2024-05-02 09:00,2024-04-05 11:00,canceled
sub_h2,cus_H,Analytics Add-on,9.99,usd,month,1,2024-02-14 09:00,,2024-03-20 10:00,false,2024-04-14 09:00,2024-03-20 10:00,canceled
sub_h3,cus_H,Starter,19.00,usd,month,1,2024-04-05 11:00,,,false,2024-05-05 11:00,,active
sub_i1,cus_I,Growth,49.00,usd,month,1,2024-01-12 10:00,,2024-03-10 10:00,false,2024-04-12 10:00,2024-03-10 10:00,canceled
sub_i2,cus_I,Starter,19.00,usd,month,1,2024-03-10 10:00,,2024-03-10 15:00,false,2024-04-10 10:00,2024-03-10 15:00,canceled
sub_i3,cus_I,Growth,49.00,usd,month,1,2024-03-10 15:00,,,false,2024-05-10 15:00,,active
sub_j1,cus_J,Starter,19.00,usd,month,1,2024-01-05 10:00,,,false,,,canceled
sub_k1,cus_K,Starter,19.00,usd,month,1,2024-01-25 10:00,,2024-03-05 10:00,false,2024-02-25 10:00,,canceled
sub_l1,cus_L,Growth,49.00,usd,month,1,2024-01-31 10:00,,,false,2024-03-31 10:00,,canceled
sub_m1,cus_M,Starter,19.00,usd,month,1,2024-02-01 10:00,,,true,2024-05-01 10:00,,active
sub_n1,cus_N,Starter,19.00,usd,month,1,2024-03-01 10:00,,,false,2024-03-15 10:00,,trialing
sub_o1,cus_O,Growth,49.00,usd,month,1,2024-04-01 10:00,,,false,2024-05-01 10:00,2024-04-02 09:00,incomplete_expired
sub_p1,cus_P,Team,12.50,usd,month,0,2024-02-05 10:00,,,false,2024-05-05 10:00,,active
sub_q1,cus_Q,Starter,19.00,usd,month,1,2024-03-20 10:00,2024-04-03 10:00,2024-03-28 10:00,true,2024-04-03 10:00,2024-04-03 10:00,canceled
sub_r1,cus_R,Starter,19.00,usd,month,1,2024-04-10 09:00,,,false,2024-05-10 09:00,,active
`;

// The small history by hand, churn recognition period_end. Ends (micro-units):
// Jan 31: A 19 + B 40.833333 + C 50 + E 0 + G 19 + H 49 + I 49 + K 19 + L 49 = 294833333 (9 active, 8 paying)
// Feb 29: A 49 + B 40.833333 + C 50 + D 19 + E 0 + H 58.99 + I 49 + K 19 + L 49 + M 19 + P 0 = 353823333
//         (11 active, 9 paying); new D, M, P = 38000000 (3); expansion A 30 + H 9.99 = 39990000 (2);
//         churned G −19000000 (1); 294833333 + 38000000 + 39990000 − 19000000 = 353823333.
// Mar 31: A 49 + B 40.833333 + E 21.623333 + F 19 + H 49 + I 49 + M 19 + P 0 = 247456666 (8 active, 7 paying);
//         new F 19000000 (1); expansion E 21623333 (1); contraction H −9990000 (1); churned C 50 + D 19 +
//         K 19 + L 49 = −137000000 (4); 353823333 + 19000000 + 21623333 − 9990000 − 137000000 = 247456666.
// Apr 10: A 49 + B 40.833333 + E 21.623333 + F 19 + G 40.833333 + H 19 + I 49 + M 19 + P 0 + R 19 = 277289999
//         (10 active, 9 paying); new R 19000000 (1); contraction H −30000000 (1); reactivation G 40833333 (1).
// NRR/GRR numerators: Feb 294833333 + 39990000 − 19000000 = 315823333 and 294833333 − 19000000 = 275833333;
// Mar 353823333 + 21623333 − 9990000 − 137000000 = 228456666 and 353823333 − 9990000 − 137000000 = 206833333;
// Apr 247456666 − 30000000 = 217456666 for both.
const HAND = {
  periods: ['2024-01', '2024-02', '2024-03', '2024-04'],
  eval_day: ['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-10'],
  start_customers: [0, 9, 11, 8],
  end_customers: [9, 11, 8, 10],
  paying: [8, 9, 7, 9],
  end_mrr: [294833333, 353823333, 247456666, 277289999],
  new_mrr: [294833333, 38000000, 19000000, 19000000],
  new_customers: [9, 3, 1, 1],
  expansion_mrr: [0, 39990000, 21623333, 0],
  expansion_customers: [0, 2, 1, 0],
  contraction_mrr: [0, 0, -9990000, -30000000],
  contraction_customers: [0, 0, 1, 1],
  churned_mrr: [0, -19000000, -137000000, 0],
  churned_customers: [0, 1, 4, 0],
  reactivation_mrr: [0, 0, 0, 40833333],
  reactivation_customers: [0, 0, 0, 1],
  nrr_retained: [0, 315823333, 228456666, 217456666],
  grr_retained: [0, 275833333, 206833333, 217456666],
  logo_churn_rate: [null, (1 * 100) / 9, (4 * 100) / 11, 0],
  gross_mrr_churn_rate: [null, (19000000 * 100) / 294833333, (146990000 * 100) / 353823333, (30000000 * 100) / 247456666],
  // (lost − expansion − reactivation): Feb 19 − 39.99; Mar 146.99 − 21.623333; Apr 30 − 40.833333
  net_mrr_churn_rate: [null, (-20990000 * 100) / 294833333, (125366667 * 100) / 353823333, (-10833333 * 100) / 247456666],
  nrr: [null, (315823333 * 100) / 294833333, (228456666 * 100) / 353823333, (217456666 * 100) / 247456666],
  grr: [null, (275833333 * 100) / 294833333, (206833333 * 100) / 353823333, (217456666 * 100) / 247456666],
  customer_retention_rate: [null, (8 * 100) / 9, (7 * 100) / 11, (8 * 100) / 8],
  nrr_12m: [null, null, null, null],
};
// Under churn_recognition cancellation: B ends 03-02 (Mar: churned −40833333 too) and D (02-03 → 02-25) is
// never active at a month's end. Feb 29: 353823333 − 19000000 = 334823333, 10 active, new M and P (19000000);
// Mar 31: churned B + C + K + L = −158833333 (4); end 247456666 − 40833333 = 206623333; logo churn 4 ÷ 10;
// Apr 10: 206623333 + 19000000 − 30000000 + 40833333 = 236456666.
const HAND_CANCELLATION = {
  end_mrr: [294833333, 334823333, 206623333, 236456666],
  end_customers: [9, 10, 7, 9],
  new_customers: [9, 2, 1, 1],
  new_mrr: [294833333, 19000000, 19000000, 19000000],
  churned_mrr: [0, -19000000, -158833333, 0],
  churned_customers: [0, 1, 4, 0],
  logo_churn_rate: [null, (1 * 100) / 9, (4 * 100) / 10, 0],
};

let dir;
// `<input>/<config>` → {path, reports: {cli, wasm}, errors: {cli, wasm}, cliText, wasmText, summary,
// monthly} (DuckDB's rows), or for `<input>/by_plan` {reports, errors, planBridge}.
const inputs = {};
let configFiles = 0;

function runCli(path, config) {
  const configPath = join(dir, `config_${++configFiles}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  return execFileSync(cliPath, ['report', '--config', configPath, path], { maxBuffer: 1 << 28 }).toString('utf8');
}

before(async () => {
  assert.ok(existsSync(cliPath), `CLI not found at ${cliPath}: build it or set KPILENS_CLI`);
  assert.ok(existsSync(wasmPath), `wasm module not found at ${wasmPath}: build it or set KPILENS_WASM`);
  dir = mkdtempSync(join(tmpdir(), 'kpilens-customers-oracle-'));
  const generated = join(dir, 'subscriptions.csv');
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--kind', 'subscriptions', '--customers',
    String(CUSTOMERS), '--seed', String(SEED), '--out', generated]);
  const small = join(dir, 'small_subscriptions.csv');
  writeFileSync(small, SMALL_CSV);

  await loadEngine(wasmPath);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const run = async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS();
  for (const [name, path] of [['generated', generated], ['small', small]]) {
    for (const [recognition, config] of Object.entries(CONFIGS)) {
      const key = `${name}/${recognition}`;
      const entry = { path, reports: {}, errors: {} };
      // An engine that fails here fails the engine's tests only, not the oracle's own.
      try {
        entry.cliText = runCli(path, config);
        entry.reports.cli = JSON.parse(entry.cliText);
      } catch (error) {
        entry.errors.cli = error;
      }
      // The wasm module once per input (period_end); native ≡ wasm is checked on that run.
      if (recognition === 'period_end') {
        try {
          entry.wasmText = await reportFromFiles([path], config);
          entry.reports.wasm = JSON.parse(entry.wasmText);
          // The CLI exits 1 on a failed report; the module returns it with ok false.
          if (!entry.reports.wasm.ok) entry.errors.wasm = new Error(entry.reports.wasm.errors.join('; '));
        } catch (error) {
          entry.errors.wasm = error;
        }
      }
      [entry.summary] = await run(summarySql(path, { churnRecognition: recognition }));
      entry.monthly = await run(monthlySql(path, { churnRecognition: recognition }));
      inputs[key] = entry;
    }
    const byPlan = { path, reports: {}, errors: {} };
    try {
      byPlan.reports.cli = JSON.parse(runCli(path, BY_PLAN_CONFIG));
    } catch (error) {
      byPlan.errors.cli = error;
    }
    byPlan.planBridge = await run(planBridgeSql(path));
    inputs[`${name}/by_plan`] = byPlan;
  }
  connection.closeSync?.();
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The engine's report for an input; a failed run fails the test. */
function engineReport(t, key, engine) {
  const { reports, errors } = inputs[key];
  const error = errors[engine];
  if (error) assert.fail(`${key}: the ${engine} run failed: ${String(error.stderr ?? error.message).trim()}`);
  return reports[engine];
}

// --- comparison helpers -------------------------------------------------------------------------------

const asNumber = (value) => (typeof value === 'bigint' ? Number(value) : value);

// Collects every mismatch of one figure over the months, then fails once listing the first ten.
class Mismatches {
  constructor(what) {
    this.what = what;
    this.list = [];
  }
  // The report writes micro-units ÷ 10⁶; × 10⁶ is within a few ulps of the integer (< 0.01 below 2^52 micro),
  // so rounding recovers the report's micro-units exactly.
  micro(got, expected, where) {
    const want = asNumber(expected);
    if (typeof got !== 'number' || Math.round(got * 1e6) !== want) this.list.push(`${where}: engine ${got}, DuckDB ${want / 1e6}`);
  }
  count(got, expected, where) {
    if (got !== asNumber(expected)) this.list.push(`${where}: engine ${got}, DuckDB ${asNumber(expected)}`);
  }
  rate(got, expected, where) {
    if (expected === null || expected === undefined) {
      if (got !== null) this.list.push(`${where}: engine ${got}, DuckDB null`);
      return;
    }
    const close = typeof got === 'number' &&
      (got === expected || Math.abs(got - expected) <= TOLERANCE * Math.max(Math.abs(got), Math.abs(expected)));
    if (!close) this.list.push(`${where}: engine ${got}, DuckDB ${expected}`);
  }
  check() {
    assert.equal(this.list.length, 0, `${this.what}: ${this.list.length} mismatches\n  ${this.list.slice(0, 10).join('\n  ')}`);
  }
}

function kpi(report, id) {
  const k = report.customers?.kpis?.find((x) => x.id === id);
  assert.ok(k, `the customers section has a KPI '${id}'`);
  assert.equal(k.available, true, `customer KPI '${id}' is available`);
  assert.ok(k.series, `customer KPI '${id}' has a series`);
  return k;
}

// id → how the figure, its n and its extras read off DuckDB's monthly rows.
const FIGURES = {
  mrr: { money: (r) => r.end_mrr, n: (r) => r.end_customers },
  arr: { money: (r) => 12n * BigInt(r.end_mrr), n: (r) => r.end_customers },
  arpa: { rate: (r) => r.arpa, n: (r) => r.paying, extras: { active_customers: ['count', (r) => r.end_customers] } },
  active_customers: { count: (r) => r.end_customers, n: (r) => r.end_customers, extras: { paying_customers: ['count', (r) => r.paying] } },
  ...Object.fromEntries(MOVEMENTS.map((m) => [`mrr_${m}`, { money: (r) => r[`${m}_mrr`], n: (r) => r[`${m}_customers`] }])),
  net_new_mrr: { money: (r) => BigInt(r.end_mrr) - BigInt(r.start_mrr), n: (r) => r.moved_customers },
  logo_churn_rate: { rate: (r) => r.logo_churn_rate, n: (r) => r.start_customers, extras: { churned_customers: ['count', (r) => r.churned_customers] } },
  gross_mrr_churn_rate: {
    rate: (r) => r.gross_mrr_churn_rate, n: (r) => r.start_customers,
    extras: { lost_mrr: ['money', (r) => -(BigInt(r.churned_mrr) + BigInt(r.contraction_mrr))] },
  },
  net_mrr_churn_rate: {
    rate: (r) => r.net_mrr_churn_rate, n: (r) => r.start_customers,
    extras: {
      lost_mrr: ['money', (r) => -(BigInt(r.churned_mrr) + BigInt(r.contraction_mrr))],
      regained_mrr: ['money', (r) => BigInt(r.expansion_mrr) + BigInt(r.reactivation_mrr)],
    },
  },
  nrr: { rate: (r) => r.nrr, n: (r) => r.start_customers, extras: { start_mrr: ['money', (r) => r.start_mrr], retained_mrr: ['money', (r) => r.nrr_retained] } },
  grr: { rate: (r) => r.grr, n: (r) => r.start_customers, extras: { start_mrr: ['money', (r) => r.start_mrr], retained_mrr: ['money', (r) => r.grr_retained] } },
  nrr_12m: { rate: (r) => r.nrr_12m, n: (r) => r.base_customers, extras: { base_mrr: ['money', (r) => r.base_mrr], retained_mrr: ['money', (r) => r.nrr_12m_retained] } },
  grr_12m: { rate: (r) => r.grr_12m, n: (r) => r.base_customers, extras: { base_mrr: ['money', (r) => r.base_mrr], retained_mrr: ['money', (r) => r.grr_12m_retained] } },
  customer_retention_rate: {
    rate: (r) => r.customer_retention_rate, n: (r) => r.start_customers,
    extras: {
      customers_start: ['count', (r) => r.start_customers], customers_end: ['count', (r) => r.end_customers],
      new_customers: ['count', (r) => Number(r.new_customers) + Number(r.reactivation_customers)],
    },
  },
  quick_ratio: {
    rate: (r) => r.quick_ratio,
    n: (r) => Number(r.new_customers) + Number(r.expansion_customers) + Number(r.contraction_customers) + Number(r.churned_customers),
  },
};

function compareFigure(report, monthly, id, where) {
  const spec = FIGURES[id];
  const k = kpi(report, id);
  const bad = new Mismatches(`${id} (${where})`);
  bad.count(k.series.value.length, monthly.length, 'periods');
  for (const [i, row] of monthly.entries()) {
    const at = `${row.period}`;
    if (spec.money) bad.micro(k.series.value[i], spec.money(row), at);
    if (spec.count) bad.count(k.series.value[i], spec.count(row), at);
    if (spec.rate) bad.rate(k.series.value[i], spec.rate(row), at);
    bad.count(k.series.n[i], spec.n(row), `${at} n`);
    for (const [name, [kind, read]] of Object.entries(spec.extras ?? {})) {
      const got = k.series.extras?.[name]?.[i];
      if (kind === 'money') bad.micro(got, read(row), `${at} extras.${name}`);
      else bad.count(got, read(row), `${at} extras.${name}`);
    }
  }
  // value and n are the last listed period's.
  const last = monthly.length - 1;
  if (last >= 0) {
    assert.deepEqual([k.value, k.n], [k.series.value[last], k.series.n[last]], `${id}: value and n are the last period's`);
  }
  bad.check();
}

function compareBridge(report, monthly, where) {
  const bridge = report.customers?.bridge;
  assert.ok(bridge, 'the customers section has a bridge');
  const bad = new Mismatches(`bridge (${where})`);
  for (const [i, row] of monthly.entries()) {
    bad.micro(bridge.start_mrr[i], row.start_mrr, `${row.period} start_mrr`);
    bad.micro(bridge.end_mrr[i], row.end_mrr, `${row.period} end_mrr`);
    for (const m of MOVEMENTS) {
      bad.micro(bridge.amounts[m][i], row[`${m}_mrr`], `${row.period} amounts.${m}`);
      bad.count(bridge.customers[m][i], row[`${m}_customers`], `${row.period} customers.${m}`);
    }
  }
  bad.check();
}

// --- the oracle's own checks -----------------------------------------------------------------------------

test('the oracle SQL gives the hand-computed figures of the small history (period_end)', () => {
  const { monthly, summary } = inputs['small/period_end'];
  assert.equal(summary.as_of, '2024-04-10');
  assert.equal(Number(summary.rows), 26);
  assert.equal(Number(summary.rejected), 1, 'cus_J: cancelled with no end date');
  assert.deepEqual(monthly.map((r) => r.period), HAND.periods);
  assert.deepEqual(monthly.map((r) => r.eval_day), HAND.eval_day);
  for (const [column, expected] of Object.entries(HAND)) {
    if (column === 'periods' || column === 'eval_day') continue;
    const got = monthly.map((r) => (typeof r[column] === 'bigint' ? Number(r[column]) : r[column]));
    if (expected.some((x) => x !== null && !Number.isInteger(x))) {
      for (const [i, want] of expected.entries()) {
        if (want === null) assert.equal(got[i], null, `${column}[${i}]`);
        else assert.ok(Math.abs(got[i] - want) <= 1e-12 * Math.abs(want), `${column}[${i}]: ${got[i]} vs ${want}`);
      }
    } else {
      assert.deepEqual(got, expected, column);
    }
  }
});

test('the oracle SQL gives the hand-computed figures of the small history (cancellation)', () => {
  const { monthly } = inputs['small/cancellation'];
  for (const [column, expected] of Object.entries(HAND_CANCELLATION)) {
    const got = monthly.map((r) => (typeof r[column] === 'bigint' ? Number(r[column]) : r[column]));
    assert.deepEqual(got, expected, column);
  }
});

for (const key of ['generated/period_end', 'generated/cancellation', 'small/period_end', 'small/cancellation']) {
  test(`DuckDB's bridge adds up every month (${key}): start + movements = end, start = previous end`, () => {
    const { monthly } = inputs[key];
    assert.ok(monthly.length > 0);
    for (const [i, r] of monthly.entries()) {
      const moved = MOVEMENTS.reduce((sum, m) => sum + BigInt(r[`${m}_mrr`]), 0n);
      assert.equal(BigInt(r.start_mrr) + moved, BigInt(r.end_mrr), `${r.period}: start + movements = end`);
      assert.equal(BigInt(r.start_mrr), i === 0 ? 0n : BigInt(monthly[i - 1].end_mrr), `${r.period}: start = previous end`);
      const customers = Number(r.start_customers) + Number(r.new_customers) + Number(r.reactivation_customers) -
        Number(r.churned_customers);
      assert.equal(customers, Number(r.end_customers), `${r.period}: customers at start + joined − churned = at end`);
      assert.ok(r.new_mrr >= 0n && r.expansion_mrr >= 0n && r.reactivation_mrr >= 0n, `${r.period}: signs`);
      assert.ok(r.contraction_mrr <= 0n && r.churned_mrr <= 0n, `${r.period}: signs`);
    }
  });
}

test('the generated history exercises every movement, rule and plan shape', () => {
  const { monthly, summary } = inputs['generated/period_end'];
  assert.equal(summary.as_of, '2025-12-15', 'the export day of scripts/gen (the 15th of the 36th month)');
  assert.equal(monthly.length, 36);
  assert.ok(Number(summary.rejected) > 0, 'some rows are rejected (cancelled with no end date)');
  const total = (column) => monthly.reduce((sum, r) => sum + Number(r[column]), 0);
  for (const m of MOVEMENTS) assert.ok(total(`${m}_customers`) > 1000, `${m} happens often`);
  assert.ok(monthly.filter((r) => r.nrr_12m !== null).length === 24, 'twelve-month NRR from the 13th month on');
});

// --- the engine against the oracle -------------------------------------------------------------------------

test('native and wasm reports are byte-identical for the generated and the small history', (t) => {
  for (const key of ['generated/period_end', 'small/period_end']) {
    if (!engineReport(t, key, 'cli') || !engineReport(t, key, 'wasm')) return;
    const { cliText, wasmText } = inputs[key];
    assert.ok(cliText.endsWith('\n'), `${key}: the CLI's report ends with a line end`);
    assert.ok(cliText.slice(0, -1) === wasmText, `${key}: the CLI and the wasm module wrote different reports`);
  }
});

test('the wasm report of the generated history does not depend on the chunk size', async (t) => {
  const key = 'generated/period_end';
  if (!engineReport(t, key, 'wasm')) return;
  const { path, wasmText } = inputs[key];
  for (const chunkBytes of [64 << 10, 1000]) {
    const got = await reportFromFiles([path], CONFIGS.period_end, { chunkBytes });
    assert.ok(got === wasmText, `${chunkBytes}-byte chunks change the report`);
  }
});

for (const key of ['generated/period_end', 'small/period_end', 'generated/cancellation', 'small/cancellation']) {
  const engines = key.endsWith('/period_end') ? ['cli', 'wasm'] : ['cli'];
  for (const engine of engines) {
    const where = `${key}, ${engine}`;

    test(`the file is read whole as Stripe subscriptions with no mapping question (${where})`, (t) => {
      const { summary } = inputs[key];
      const report = engineReport(t, key, engine);
      if (!report) return;
      assert.equal(report.ok, true, `report ok (errors: ${JSON.stringify(report.errors)})`);
      const [file] = report.input.files;
      assert.equal(file.kind, 'subscriptions');
      assert.equal(file.preset?.id, 'stripe_subscriptions');
      assert.equal(file.rows, Number(summary.rows));
      assert.equal(file.rows_rejected, Number(summary.rejected), 'rows rejected: cancelled with no end date');
      for (const r of report.input.rejected) assert.match(r.reason, /canceled with no end date/);
      assert.equal(file.rows_used + file.rows_filtered, Number(summary.kept));
      assert.deepEqual(report.input.value_issues, []);
      const mapped = new Set(file.mapping.map((m) => m.field));
      for (const field of ['customer', 'plan', 'amount', 'currency', 'interval', 'quantity', 'start', 'trial_end',
        'canceled_at', 'cancel_at_period_end', 'current_period_end', 'ended_at', 'status']) {
        assert.ok(mapped.has(field), `${field} is mapped`);
      }
      assert.equal(report.customers.currency, 'USD');
    });

    test(`as_of, the months listed and the counts are DuckDB's (${where})`, (t) => {
      const { summary, monthly } = inputs[key];
      const report = engineReport(t, key, engine);
      if (!report) return;
      const section = report.customers;
      assert.ok(section, 'the report has a customers section');
      assert.equal(section.as_of, summary.as_of);
      assert.equal(section.as_of_from_config, false);
      assert.equal(section.periods.grain, 'month');
      assert.deepEqual(section.periods.keys, monthly.map((r) => r.period));
      assert.equal(section.counts.subscriptions, Number(summary.kept), 'subscription rows used');
      for (const count of ['customers', 'trialing', 'incomplete', 'never_active']) {
        assert.equal(section.counts[count], Number(summary[count]), `counts.${count}`);
      }
    });

    test(`the MRR bridge matches DuckDB every month, to the micro-unit (${where})`, (t) => {
      const report = engineReport(t, key, engine);
      if (report) compareBridge(report, inputs[key].monthly, where);
    });

    for (const id of Object.keys(FIGURES)) {
      test(`${id} matches DuckDB every month (${where})`, (t) => {
        const report = engineReport(t, key, engine);
        if (report) compareFigure(report, inputs[key].monthly, id, where);
      });
    }
  }
}

for (const name of ['generated', 'small']) {
  test(`DuckDB's by-plan bridges add up every month and sum to the overall MRR (${name})`, () => {
    const { planBridge } = inputs[`${name}/by_plan`];
    const { monthly } = inputs[`${name}/period_end`];
    const endByMonth = new Map();
    for (const r of planBridge) {
      const moved = MOVEMENTS.reduce((sum, m) => sum + BigInt(r[`${m}_mrr`]), 0n);
      assert.equal(BigInt(r.start_mrr) + moved, BigInt(r.end_mrr), `${r.segment}, ${r.period}`);
      endByMonth.set(r.period, (endByMonth.get(r.period) ?? 0n) + BigInt(r.end_mrr));
    }
    for (const r of monthly) assert.equal(endByMonth.get(r.period), BigInt(r.end_mrr), `${r.period}: Σ plans = overall`);
  });

  test(`the by-plan bridge matches DuckDB for every plan and month (${name}, cli)`, (t) => {
    const report = engineReport(t, `${name}/by_plan`, 'cli');
    if (!report) return;
    const { planBridge } = inputs[`${name}/by_plan`];
    const values = [...new Set(planBridge.map((r) => r.segment))];
    assert.deepEqual(report.customers.segments.plan, values, 'the plan values, in byte order');
    const breakdown = report.customers.bridge?.breakdowns?.plan;
    assert.ok(Array.isArray(breakdown), 'bridge.breakdowns.plan');
    const bad = new Mismatches(`by-plan bridge (${name})`);
    for (const r of planBridge) {
      const b = breakdown[values.indexOf(r.segment)];
      const i = Number(r.idx);
      const at = `${r.segment}, ${r.period}`;
      bad.micro(b.start_mrr[i], r.start_mrr, `${at} start_mrr`);
      bad.micro(b.end_mrr[i], r.end_mrr, `${at} end_mrr`);
      for (const m of MOVEMENTS) {
        bad.micro(b.amounts[m][i], r[`${m}_mrr`], `${at} amounts.${m}`);
        bad.count(b.customers[m][i], r[`${m}_customers`], `${at} customers.${m}`);
      }
    }
    bad.check();
  });

  test(`a by-plan breakdown leaves the overall figures and bridge unchanged (${name}, cli)`, (t) => {
    const plainReport = engineReport(t, `${name}/period_end`, 'cli');
    const byPlanReport = plainReport && engineReport(t, `${name}/by_plan`, 'cli');
    if (!byPlanReport) return;
    const plain = plainReport.customers;
    const byPlan = byPlanReport.customers;
    const { breakdowns: _ignored, ...bridge } = byPlan.bridge;
    const { breakdowns: _none, ...plainBridge } = plain.bridge;
    assert.deepEqual(bridge, plainBridge);
    for (const k of plain.kpis) {
      const other = byPlan.kpis.find((x) => x.id === k.id);
      assert.deepEqual([other?.value, other?.n, other?.series], [k.value, k.n, k.series], k.id);
    }
  });
}

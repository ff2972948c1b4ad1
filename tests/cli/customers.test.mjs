// The CLI on customer-success files: the customers section in JSON, text and the long CSV, flags and
// config that shape it, file order, and mixed currencies refused. The figures are those worked out by hand
// in tests/fixtures/customers/README.md (never taken from the CLI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = resolve(root, process.env.KPILENS_CLI ?? 'build/native/wasm/cli/kpilens');
const fixture = (name) => join(root, 'tests/fixtures/customers', name);

function cli(args) {
  const result = spawnSync(cliPath, args, { maxBuffer: 1 << 28 });
  assert.equal(result.error, undefined, `the CLI could not be run: ${result.error}`);
  return { status: result.status, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
}

function reportOf(args) {
  const r = cli(['report', ...args]);
  assert.equal(r.status, 0, `exit status 0 expected for ${args.join(' ')} (stderr: ${r.stderr})`);
  return JSON.parse(r.stdout);
}

const kpi = (report, id) => report.customers.kpis.find((k) => k.id === id);

test('a subscriptions file gives the hand-computed MRR series and bridge', () => {
  const r = reportOf([fixture('movements.csv')]);
  assert.equal(r.input.files[0].kind, 'subscriptions');
  assert.deepEqual(r.customers.periods.keys, ['2024-01', '2024-02', '2024-03', '2024-04']);
  assert.deepEqual(kpi(r, 'mrr').series.value, [220, 250, 210, 220]);
  assert.deepEqual(r.customers.bridge.amounts.contraction, [0, 0, -40, 0]);
  assert.deepEqual(r.customers.bridge.amounts.reactivation, [0, 0, 0, 10]);
  assert.equal(r.customers.as_of, '2024-04-05');
});

test('--format text prints the customers figures and the bridge', () => {
  const r = cli(['report', '--format', 'text', fixture('movements.csv')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /customer-success rows: 12 used, 0 filtered out, 0 rejected/);
  assert.match(r.stdout, /Customers \(as of 2024-04-05\)/);
  assert.match(r.stdout, /^MRR\s+220\.00\s+currency\s+7$/m);
  assert.match(r.stdout, /^2024-03\s+250\.00\s+0\.00\s+50\.00\s+-40\.00\s+-50\.00\s+0\.00\s+210\.00$/m);
  // A customer-success dataset alone lists no ticket figure as missing.
  assert.doesNotMatch(r.stdout, /CSAT/);
});

test('--format csv writes the customer KPIs on their own periods and segments', () => {
  const r = cli(['report', '--format', 'csv', '--by', 'plan', fixture('movements.csv')]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'kpi,variant,unit,scope,period,segment_column,segment,value,n');
  assert.ok(lines.includes('mrr,normalised_at_period_end,currency,period,2024-03,,,210,6'));
  assert.ok(lines.includes('mrr,normalised_at_period_end,currency,segment,,plan,Basic,40,4'));
  assert.ok(lines.includes('logo_churn_rate,of_customers_at_start,percent,period,2024-02,,,20,5'));
});

test('--config sets the customers grain and churn recognition', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kpilens-customers-'));
  try {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ customers: { churn_recognition: 'cancellation' } }));
    const r = reportOf(['--config', config, fixture('cancel_at_period_end.csv')]);
    assert.deepEqual(r.customers.bridge.end_mrr, [90, 60, 30]);
    writeFileSync(config, JSON.stringify({ customers: { grain: 'quarter' } }));
    const q = reportOf(['--config', config, fixture('movements.csv')]);
    assert.deepEqual(q.customers.periods.keys, ['2024-Q1', '2024-Q2']);
    writeFileSync(config, JSON.stringify({ customers: { grian: 'quarter' } }));
    const bad = cli(['report', '--config', config, fixture('movements.csv')]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /customers: unknown setting 'grian'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--map feeds a customer field from a column no synonym knows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kpilens-customers-'));
  try {
    const file = join(dir, 'subs.csv');
    writeFileSync(file, 'Client,Fee,Since\nA,10,2024-01-05\nB,15,2024-01-06\n');
    const r = reportOf(['--map', 'customer=Client', '--map', 'amount=Fee', '--map', 'start=Since', file]);
    assert.equal(r.input.files[0].kind, 'subscriptions');
    assert.equal(kpi(r, 'mrr').value, 25);
    assert.equal(cli(['report', '--map', 'amonut=Fee', file]).status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a customers file and a subscriptions file give one customers section in either order', () => {
  const a = reportOf(['--by', 'region', fixture('join_customers.csv'), fixture('join_subscriptions.csv')]);
  const b = reportOf(['--by', 'region', fixture('join_subscriptions.csv'), fixture('join_customers.csv')]);
  assert.deepEqual(a.customers, b.customers);
  assert.deepEqual(a.customers.segments.region, ['EU', 'US']);
});

test('two currencies exit 1 with the reason, and a filter on the currency keeps one', () => {
  const r = cli(['report', fixture('currency_usd.csv'), fixture('currency_eur.csv')]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /customers: 2 currencies \(EUR: 1 row, first in currency_eur\.csv; USD: 2 rows/);
  const kept = reportOf(['--filter', 'currency=usd,USD', fixture('currency_usd.csv'), fixture('currency_eur.csv')]);
  assert.equal(kpi(kept, 'mrr').value, 30);
  assert.equal(kept.customers.currency, 'USD');
});

test('the Telco and bank churn samples need no mapping', () => {
  const telco = reportOf([fixture('telco_sample.csv')]);
  assert.equal(telco.input.files[0].preset.id, 'telco_churn');
  assert.equal(kpi(telco, 'snapshot_churn_rate').value, 37.5);
  assert.equal(kpi(telco, 'snapshot_retained_mrr').value, 254.15);
  const bank = reportOf([fixture('bank_sample.csv')]);
  assert.equal(bank.input.files[0].preset.id, 'bank_churn');
  assert.equal(kpi(bank, 'snapshot_retention_rate').value, 50);
  assert.equal(kpi(bank, 'snapshot_arpa').available, false);
});

// tests/fixtures/customers/activity: worked out by hand in tests/engine/customer_activity_test.cpp and the
// fixtures README (c4 ≈ 49.15 red, c1 ≈ 49.55 red, c2 ≈ 67.08 yellow; CLV 5,548,000 ÷ 182,865).
const activity = (name) => join(root, 'tests/fixtures/customers/activity', name);
const activityArgs = [
  '--config', activity('config.json'),
  ...['tickets.csv', 'customers.csv', 'subscriptions.csv', 'orders.csv', 'events.csv', 'survey.csv'].map(activity),
];

test('orders, events, tickets and answers give the customer figures, the funnel and the health score', () => {
  const r = reportOf(activityArgs);
  // Read as survey answers, then customer-success files, then tickets (wasm/bindings/read_order.mjs).
  assert.deepEqual(r.input.files.map((f) => f.kind), ['survey', 'customers', 'subscriptions', 'orders', 'events', 'tickets']);
  assert.ok(Math.abs(kpi(r, 'clv').value - 5548000 / 182865) < 1e-9);
  assert.equal(kpi(r, 'cac').value, 200);
  assert.ok(Math.abs(kpi(r, 'repeat_purchase_rate').value - 200 / 3) < 1e-9);
  assert.equal(kpi(r, 'time_to_value_median').value, 10);
  assert.deepEqual(r.customers.funnel.customers, [4, 1, 1]);
  assert.deepEqual(r.customers.health.customers.map((c) => c.customer), ['c4', 'c1', 'c2']);
  assert.deepEqual(r.customers.health.counts, { red: 2, yellow: 1, green: 0 });
  assert.equal(r.customers.health.join.unmatched, 1);
});

test('--format health-csv lists every scored customer, lowest first; --format text shows the bands', () => {
  const r = cli(['report', '--format', 'health-csv', ...activityArgs]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.ok(lines[0].startsWith('customer,score,band,usage_events_raw,usage_events_normalised,usage_events_contribution,tickets_raw,'));
  assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 1).concat(l.split(',')[2])), [['c4', 'red'], ['c1', 'red'], ['c2', 'yellow']]);
  // c1 has no NPS answer: its three nps cells are empty.
  const header = lines[0].split(',');
  const c1 = lines[2].split(',');
  assert.equal(header.length, c1.length);
  assert.deepEqual(c1.slice(header.indexOf('nps_raw'), header.indexOf('nps_raw') + 3), ['', '', '']);
  assert.equal(c1[header.indexOf('tickets_raw')], '2');
  const text = cli(['report', '--format', 'text', ...activityArgs]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /Health score \(weighted_mean, as of 2024-06-30\): 3 scored, 0 unscored, mean 55\.26/);
  assert.match(text.stdout, /\n {2}c4 +49\.15 {2}red\n/);
  assert.match(text.stdout, /\ninvited_team +1 +25\.00\n/);
});

test('--format health-csv of a ticket export alone is the header line', () => {
  const r = cli(['report', '--format', 'health-csv', join(root, 'tests/fixtures/customers/activity/tickets.csv')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'customer,score,band\n');
});

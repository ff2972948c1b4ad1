// report_schema: reports from the wasm engine match docs/report.schema.json and the columnar rules the
// schema cannot state (arrays aligned with periods.keys and segments[column], extras keyed by
// extra_names); every KPI id in a report has a heading in docs/kpis.md.
// Module: KPILENS_WASM (a path to kpilens.node.cjs), else build/wasm/kpilens.node.cjs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { loadEngine, reportFromBuffers } from '../../wasm/bindings/node_engine.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schema = JSON.parse(readFileSync(resolve(root, 'docs/report.schema.json'), 'utf8'));

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

before(async () => {
  if (process.env.KPILENS_WASM) await loadEngine(resolve(process.env.KPILENS_WASM));
});

async function report(files, config = {}) {
  const inputs = Object.entries(files).map(([name, bytes]) => ({ name, bytes }));
  return JSON.parse(await reportFromBuffers(inputs, config));
}

function assertValid(r) {
  const ok = validate(r);
  assert.ok(ok, `schema errors:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

function assertColumns(columns, length, kpi, where) {
  assert.equal(columns.value.length, length, `${kpi.id} ${where}: value length`);
  assert.equal(columns.n.length, length, `${kpi.id} ${where}: n length`);
  assert.deepEqual(Object.keys(columns.extras), kpi.extra_names, `${kpi.id} ${where}: extras keys`);
  for (const name of kpi.extra_names) {
    assert.equal(columns.extras[name].length, length, `${kpi.id} ${where}: extras.${name} length`);
  }
}

// The last period against the one before it, read from the series.
function assertTrend(kpi, keys) {
  if (kpi.series === null || keys.length < 2) {
    assert.equal(kpi.trend, null, `${kpi.id}: trend`);
    return;
  }
  const last = keys.length - 1;
  const { value, previous, change } = kpi.trend;
  assert.equal(kpi.trend.period, keys[last], `${kpi.id}: trend.period`);
  assert.equal(kpi.trend.previous_period, keys[last - 1], `${kpi.id}: trend.previous_period`);
  assert.equal(value, kpi.series.value[last], `${kpi.id}: trend.value`);
  assert.equal(previous, kpi.series.value[last - 1], `${kpi.id}: trend.previous`);
  assert.equal(change, value === null || previous === null ? null : value - previous);
}

// The customers section's columnar contract (docs/report.md "customers"): its own periods and segments,
// and a bridge whose movements add up to the change in MRR in every period of every group.
const micros = (x) => Math.round(x * 1e6);
function assertBridgeAddsUp(bridge, where) {
  for (let i = 0; i < bridge.start_mrr.length; i += 1) {
    let sum = micros(bridge.start_mrr[i]);
    for (const m of ['new', 'expansion', 'contraction', 'churned', 'reactivation']) sum += micros(bridge.amounts[m][i]);
    assert.equal(sum, micros(bridge.end_mrr[i]), `${where}: period ${i} adds up`);
    if (i > 0) assert.equal(micros(bridge.start_mrr[i]), micros(bridge.end_mrr[i - 1]), `${where}: period ${i} starts where ${i - 1} ended`);
  }
}

function assertCustomersAligned(c) {
  if (c === null) return;
  const periods = c.periods.keys.length;
  assert.equal(c.periods.start.length, periods);
  assert.equal(c.periods.end.length, periods);
  for (const kpi of c.kpis) {
    assert.deepEqual(Object.keys(kpi.extras), kpi.extra_names, `${kpi.id}: extras keys`);
    if (kpi.series !== null) assertColumns(kpi.series, periods, kpi, 'series');
    assertTrend(kpi, c.periods.keys);
    for (const [column, columns] of Object.entries(kpi.breakdowns)) {
      assert.ok(column in c.segments, `${kpi.id}: breakdown '${column}' is not in customers.segments`);
      assertColumns(columns, c.segments[column].length, kpi, `breakdowns.${column}`);
    }
  }
  if (c.bridge !== null) {
    for (const key of ['start_mrr', 'end_mrr']) assert.equal(c.bridge[key].length, periods, `bridge.${key} length`);
    assertBridgeAddsUp(c.bridge, 'bridge');
    assert.deepEqual(Object.keys(c.bridge.breakdowns), Object.keys(c.segments));
    for (const [column, values] of Object.entries(c.bridge.breakdowns)) {
      assert.equal(values.length, c.segments[column].length, `bridge.breakdowns.${column} length`);
      values.forEach((b, i) => assertBridgeAddsUp(b, `${column} = ${c.segments[column][i]}`));
    }
  }
  if (c.cohorts !== null) {
    const k = c.cohorts.keys.length;
    for (const key of ['sizes', 'start_mrr', 'customers', 'mrr', 'logo_retention', 'revenue_retention']) {
      assert.equal(c.cohorts[key].length, k, `cohorts.${key} length`);
    }
    for (const key of ['customers', 'mrr', 'logo_retention', 'revenue_retention']) {
      for (const row of c.cohorts[key]) assert.equal(row.length, c.cohorts.periods_since.length, `cohorts.${key} row length`);
    }
  }
  if (c.funnel !== null) {
    for (const key of ['customers', 'of_first', 'of_previous']) {
      assert.equal(c.funnel[key].length, c.funnel.steps.length, `funnel.${key} length`);
    }
  }
  if (c.health !== null) {
    const h = c.health;
    const n = h.components.length;
    assert.equal(h.counts.red + h.counts.yellow + h.counts.green, h.scored, 'health bands add up to scored');
    assert.equal(h.histogram.counts.reduce((a, b) => a + b, 0), h.scored, 'health histogram adds up');
    assert.equal(h.listed, Math.min(h.scored, h.max_listed), 'health listed');
    assert.equal(h.customers.length, h.listed);
    for (const [column, bands] of Object.entries(h.breakdowns)) {
      assert.ok(column in c.segments, `health breakdown '${column}' is not in customers.segments`);
      for (const band of ['red', 'yellow', 'green']) assert.equal(bands[band].length, c.segments[column].length);
    }
    for (const row of h.customers) {
      for (const key of ['raw', 'normalised', 'contribution']) assert.equal(row[key].length, n, `health ${key} length`);
    }
    for (let i = 1; i < h.customers.length; i += 1) assert.ok(h.customers[i - 1].score <= h.customers[i].score, 'lowest first');
  }
  const ids = c.kpis.map((x) => x.id);
  assert.equal(new Set(ids).size, ids.length, 'customer KPI ids are unique');
}

// The columnar contract of docs/report.md.
function assertAligned(r) {
  assertCustomersAligned(r.customers);
  const periods = r.periods.keys.length;
  assert.equal(r.periods.start.length, periods);
  assert.equal(r.periods.end.length, periods);
  assert.deepEqual(Object.keys(r.segments), r.config.by);
  for (const f of r.input.files) {
    assert.equal(f.rows, f.rows_used + f.rows_filtered + f.rows_rejected, `${f.name}: rows add up`);
  }
  for (const [name, d] of Object.entries(r.distributions)) {
    if (d === null) continue; // values not kept (config figures)
    assert.equal(d.counts.length, d.upper_bounds.length + 1, `${name}: counts length`);
    assert.equal(d.labels.length, d.counts.length, `${name}: labels length`);
    assert.equal(d.counts.reduce((a, b) => a + b, 0), d.n, `${name}: counts add up to n`);
  }
  for (const kpi of r.kpis) {
    assert.deepEqual(Object.keys(kpi.extras), kpi.extra_names, `${kpi.id}: extras keys`);
    if (kpi.series !== null) assertColumns(kpi.series, periods, kpi, 'series');
    assertTrend(kpi, r.periods.keys);
    for (const [column, columns] of Object.entries(kpi.breakdowns)) {
      assert.ok(column in r.segments, `${kpi.id}: breakdown '${column}' is not in segments`);
      assertColumns(columns, r.segments[column].length, kpi, `breakdowns.${column}`);
    }
  }
  const ids = r.kpis.map((k) => k.id);
  assert.equal(new Set(ids).size, ids.length, 'KPI ids are unique');
}

const findKpi = (r, id) => r.kpis.find((k) => k.id === id);

// 6 rows: ticket 105 has no Created at (rejected, line 6); 106 has "two" replies (value issue, line 7).
const SMALL =
  'Id,Created at,Solved at,Status,Via,Replies,Reopens,Satisfaction Score,First reply time in minutes\n' +
  '101,2024-03-04 09:00,2024-03-04 13:30,Solved,email,1,0,Good,30\n' +
  '102,2024-03-05 10:00,2024-03-06 10:00,Closed,chat,3,1,Bad,90\n' +
  '103,2024-03-06 11:00,,Open,email,2,0,Offered,15\n' +
  '104,2024-03-12 08:00,2024-03-12 09:00,Solved,chat,1,0,Good,5\n' +
  '105,,2024-03-13 08:00,Solved,email,1,0,,\n' +
  '106,2024-03-13 15:00,,Pending,web,two,0,,\n';

test('a small inline CSV gives a report that matches the schema', async () => {
  const r = await report({ 'small.csv': SMALL });
  assertValid(r);
  assertAligned(r);
  assert.equal(r.ok, true);
  assert.deepEqual(r.periods.keys, ['2024-W10', '2024-W11']);
  assert.equal(findKpi(r, 'tickets').value, 5);
  // Good, Bad, Good: 2 satisfied of 3 responses.
  assert.equal(findKpi(r, 'csat').extras.satisfied, 2);
  assert.equal(findKpi(r, 'csat').n, 3);
  assert.deepEqual(r.input.value_issues.map((v) => [v.field, v.lines[0].line]), [['replies', 7]]);
});

test('a header-only file gives a valid report with no periods and no series', async () => {
  const r = await report({ 'header.csv': 'Id,Created at,Status\n' });
  assertValid(r);
  assertAligned(r);
  assert.equal(r.ok, true);
  assert.deepEqual(r.periods.keys, []);
  assert.ok(r.warnings.some((w) => w.includes('header only')));
  for (const k of r.kpis) assert.equal(k.series, null, k.id);
  assert.equal(findKpi(r, 'tickets').value, 0);
  assert.equal(findKpi(r, 'resolution_rate').value, null);
});

test('rejected rows are listed with their file and line numbers', async () => {
  const csv =
    'Created at,Status,Channel\n' + // line 1
    '2024-01-02,solved,email\n' + // line 2
    ',open,chat\n' + // line 3: created_at is empty
    'yesterday,open,chat\n' + // line 4: not a date
    '2024-01-03,open,chat,extra\n' + // line 5: one field too many
    '2024-01-04,"solved\nfor real",chat\n' + // lines 6-7: a quoted line break, kept
    '2024-01-05,open,"never closed\n'; // line 8: unterminated quote
  const r = await report({ 'rejects.csv': csv });
  assertValid(r);
  assertAligned(r);
  // Listed in the order found: the decoder's rejections come before those of rows still held for
  // date-order inference, so compare in line order.
  assert.deepEqual(
    r.input.rejected.map((x) => [x.file, x.line]).sort((a, b) => a[1] - b[1]),
    [['rejects.csv', 3], ['rejects.csv', 4], ['rejects.csv', 5], ['rejects.csv', 8]],
  );
  assert.equal(r.input.rows_rejected, 4);
  assert.equal(r.input.rows_used, 2);
});

test('a config with by and filters gives breakdowns aligned with segments', async () => {
  const r = await report(
    { 'small.csv': SMALL },
    {
      grain: 'month',
      by: ['channel', 'Status'],
      filters: [{ column: 'channel', values: ['email', 'chat'] }],
      utc_offset: '+02:00',
    },
  );
  assertValid(r);
  assertAligned(r);
  assert.deepEqual(r.segments.channel, ['chat', 'email']);
  assert.deepEqual(r.segments.Status, ['Closed', 'Open', 'Solved']);
  assert.equal(r.input.rows_filtered, 1);
  assert.deepEqual(findKpi(r, 'tickets').breakdowns.channel.value, [2, 2]);
  assert.deepEqual(r.config.filters, [{ column: 'channel', values: ['email', 'chat'] }]);
});

test('a config with figures gives those KPIs only and null distributions that match the schema', async () => {
  const r = await report({ 'small.csv': SMALL }, { by: ['channel'], figures: ['fcr', 'csat', 'first_response_time_mean'] });
  assertValid(r);
  assertAligned(r);
  assert.deepEqual(r.config.figures, ['csat', 'fcr', 'first_response_time_mean']);
  assert.deepEqual(r.kpis.map((k) => k.id), ['csat', 'fcr', 'first_response_time_mean']);
  assert.equal(r.distributions.resolution_time, null);
  assert.equal(r.distributions.first_response_time, null);
  // The replies column is read for fcr: its value issue is counted as in the full report.
  assert.deepEqual(r.input.value_issues.map((v) => [v.field, v.lines[0].line]), [['replies', 7]]);
  const asJson = JSON.stringify;
  const full = await report({ 'small.csv': SMALL }, { by: ['channel'] });
  for (const k of r.kpis) assert.equal(asJson(k), asJson(findKpi(full, k.id)), k.id);
  assert.equal(full.config.figures, null);
});

test('by_if_mapped adds the segments that the first file has', async () => {
  const r = await report({ 'small.csv': SMALL }, { by: ['Id'], by_if_mapped: ['channel', 'priority'] });
  assertValid(r);
  assertAligned(r);
  assert.deepEqual(r.config.by, ['Id', 'channel']);
  assert.deepEqual(Object.keys(findKpi(r, 'csat').breakdowns), ['Id', 'channel']);
});

test('blank segment values, grain all, cost total and survey columns give valid reports', async () => {
  const csv =
    'Created;Status;Team;CSAT;NPS;CES;Resolution time (hours)\n' +
    '04/03/2024 09:00;closed;;4,5;9;6;1,5\n' +
    '13/03/2024 10:00;open;Billing;2;3;2;\n' +
    '14/03/2024 10:00;resolved;Billing;very satisfied;10;7;0:30\n';
  const r = await report(
    { 'semicolon.csv': csv },
    { grain: 'all', by: ['team'], cost: { total: 300, currency: 'EUR' } },
  );
  assertValid(r);
  assertAligned(r);
  assert.equal(r.input.files[0].delimiter, ';');
  assert.equal(r.input.files[0].date_order, 'dmy');
  assert.deepEqual(r.periods.keys, ['all']);
  assert.deepEqual(r.segments.team, ['(blank)', 'Billing']);
  const cost = findKpi(r, 'cost_per_ticket');
  assert.equal(cost.variant, 'config_total_over_tickets');
  assert.equal(cost.unit, 'EUR');
  assert.equal(cost.value, 100);
  assert.equal(cost.series, null);
  assert.equal(findKpi(r, 'nps').n, 3);
});

test('mapping and units overrides show in the file mapping as config', async () => {
  const csv =
    'Ticket,Opened,Answered after,Outcome\n' +
    '1,2024-05-01 10:00,90,done\n' +
    '2,2024-05-02 10:00,30,open\n';
  const r = await report(
    { 'custom.csv': csv },
    {
      mapping: { first_response_time: 'Answered after', status: 'Outcome' },
      units: { first_response_time: 'seconds' },
    },
  );
  assertValid(r);
  assertAligned(r);
  const mapping = Object.fromEntries(r.input.files[0].mapping.map((m) => [m.field, m]));
  assert.equal(mapping.first_response_time.how, 'config');
  assert.equal(mapping.first_response_time.unit, 'seconds');
  assert.equal(mapping.created_at.how, 'header');
  // 90 s and 30 s: a mean of 1 minute.
  assert.equal(findKpi(r, 'first_response_time_mean').value, 1);
});

test('a file with no ticket columns gives a valid report with its error', async () => {
  const r = await report({ 'notes.csv': 'foo,bar\n1,2\n' });
  assertValid(r);
  assertAligned(r);
  assert.equal(r.ok, false);
  assert.match(r.input.files[0].error, /no column looks like a ticket field/);
});

test('config errors give a valid report with ok false and nothing available', async () => {
  const r = await report({ 'small.csv': SMALL }, { grain: 'fortnight', colour: 'blue' });
  assertValid(r);
  assertAligned(r);
  assert.equal(r.ok, false);
  assert.equal(r.errors.length, 2);
  assert.ok(r.kpis.every((k) => !k.available));
});

test('the schema rejects a missing key, an extra key and a wrong type', async () => {
  const r = await report({ 'small.csv': SMALL });
  const copy = () => structuredClone(r);
  const missing = copy();
  delete missing.kpis[0].n;
  assert.equal(validate(missing), false);
  const extra = copy();
  extra.input.files[0].sheet = 'Sheet1';
  assert.equal(validate(extra), false);
  const wrong = copy();
  wrong.kpis[1].value = 'NaN';
  assert.equal(validate(wrong), false);
  const key = copy();
  key.periods.keys = ['W10'];
  assert.equal(validate(key), false);
});

const fixture = (name) => readFileSync(resolve(root, 'tests/fixtures/customers', name));

test('a customer-success dataset gives a customers section that matches the schema', async () => {
  for (const [files, config] of [
    [['movements.csv'], { by: ['plan'] }],
    [['join_subscriptions.csv', 'join_customers.csv'], { by: ['region'], customers: { grain: 'quarter' } }],
    [['invoices.csv'], { customers: { as_of: '2024-02-29' } }],
    [['mrr_snapshot.csv'], {}],
    [['telco_sample.csv'], { by: ['Contract', 'tenure_band'] }],
    [['bank_sample.csv'], { by: ['age_band'] }],
    [['cancel_at_period_end.csv'], { customers: { churn_recognition: 'cancellation' } }],
  ]) {
    const r = await report(Object.fromEntries(files.map((f) => [f, fixture(f)])), config);
    assertValid(r);
    assertAligned(r);
    assert.equal(r.ok, true, `${files}: ${r.errors}`);
    assert.notEqual(r.customers, null, `${files}: a customers section`);
  }
});

test('orders, events, tickets and answers give a funnel and a health block that match the schema', async () => {
  const folder = resolve(root, 'tests/fixtures/customers/activity');
  const names = ['survey.csv', 'customers.csv', 'subscriptions.csv', 'orders.csv', 'events.csv', 'tickets.csv'];
  const files = Object.fromEntries(names.map((name) => [name, readFileSync(resolve(folder, name))]));
  const r = await report(files, readFileSync(resolve(folder, 'config.json'), 'utf8'));
  assertValid(r);
  assertAligned(r);
  assert.equal(r.schema_version, '1.3');
  assert.deepEqual(r.customers.funnel.customers, [4, 1, 1]);
  assert.equal(r.customers.health.scored, 3);
  assert.equal(r.customers.health.components.length, 8);
});

test('tickets and subscriptions together give both sections, each on its own periods', async () => {
  const r = await report({ 'small.csv': SMALL, 'movements.csv': fixture('movements.csv') }, { grain: 'week' });
  assertValid(r);
  assertAligned(r);
  assert.deepEqual(r.periods.keys, ['2024-W10', '2024-W11']);
  assert.deepEqual(r.customers.periods.keys, ['2024-01', '2024-02', '2024-03', '2024-04']);
  assert.equal(findKpi(r, 'tickets').value, 5);
  assert.equal(r.customers.kpis.find((k) => k.id === 'mrr').value, 220);
});

test('mixed currencies give a valid failed report', async () => {
  const r = await report({ 'currency_mixed.csv': fixture('currency_mixed.csv') });
  assertValid(r);
  assertAligned(r);
  assert.equal(r.ok, false);
  assert.ok(r.customers.kpis.every((k) => !k.available));
});

test('every customer KPI id has a heading in docs/kpis.md', async () => {
  const r = await report({ 'movements.csv': fixture('movements.csv'), 'telco_sample.csv': fixture('telco_sample.csv') });
  const headings = readFileSync(resolve(root, 'docs/kpis.md'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('## ') || line.startsWith('### '))
    .map((line) => new Set(line.split(/[^a-z0-9_]+/)));
  assert.ok(r.customers.kpis.length > 0);
  for (const { id } of r.customers.kpis) {
    assert.ok(
      headings.some((words) => words.has(id)),
      `docs/kpis.md has no '## ' or '### ' heading naming the customer KPI '${id}'`,
    );
  }
});

test('every KPI id in a report has a heading in docs/kpis.md', async () => {
  const r = await report({ 'small.csv': SMALL });
  const headings = readFileSync(resolve(root, 'docs/kpis.md'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('## ') || line.startsWith('### '))
    .map((line) => new Set(line.split(/[^a-z0-9_]+/)));
  assert.ok(r.kpis.length > 0);
  for (const { id } of r.kpis) {
    assert.ok(
      headings.some((words) => words.has(id)),
      `docs/kpis.md has no '## ' or '### ' heading naming the KPI '${id}'`,
    );
  }
});

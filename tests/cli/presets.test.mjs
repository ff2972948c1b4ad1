// Presets: each fixture in tests/fixtures/presets/ is a realistic export of one helpdesk or survey tool.
// The CLI must recognise it (input.files[i].preset.id), say what kind of rows it holds (input.files[i].kind),
// map the canonical fields to the listed headers or JSON paths, and give the expected figures.
//
// The figures in the *.expected.json files were worked out by hand from docs/kpis.md, never taken from
// kpilens; the arithmetic and the source of every header list are in tests/fixtures/presets/README.md.
//
// An expected file holds:
//   preset, kind        what input.files[0].preset.id and input.files[0].kind must be
//   file, same_as       the fixture, and other fixtures that must give the same kpis array (JSON vs NDJSON)
//   args                extra CLI arguments
//   mapped              {field: header or dotted JSON path}: each must be in input.files[0].mapping
//   unmapped            fields that must NOT be mapped (e.g. Jira's SLA cells are not durations)
//   kpis                {kpi id: {value, n}} over the whole file; value null means the report must say null.
//                       For a customer-success kind (subscriptions, invoices, customers) these are the
//                       customers section's KPIs: the last period's figure, or the CRM snapshot's.
// join.expected.json describes a ticket export and a survey export read together, with breakdowns.
//
// The tests run the native CLI named by KPILENS_CLI and are skipped when it is not set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'tests/fixtures/presets');
const cliPath = process.env.KPILENS_CLI ? resolve(root, process.env.KPILENS_CLI) : null;
const skip = cliPath
  ? false
  : 'KPILENS_CLI is not set: build the native CLI and set KPILENS_CLI to its path to run the preset tests';

// Every KPI of the catalogue (docs/kpis.md); happiness_score is expected for Help Scout only.
const CATALOGUE = [
  'tickets', 'csat', 'csat_score', 'survey_response_rate', 'nps', 'ces', 'fcr', 'fcr_all_tickets',
  'one_touch_rate', 'reopen_rate', 'first_response_time_mean', 'first_response_time_median',
  'first_response_time_p90', 'resolution_time_mean', 'resolution_time_median', 'resolution_time_p90',
  'resolution_rate', 'backlog', 'cost_per_ticket',
];
// Every KPI of the customers section (docs/kpis.md "Customer-success catalogue").
const CUSTOMER_CATALOGUE = [
  'mrr', 'arr', 'arpa', 'active_customers', 'mrr_new', 'mrr_expansion', 'mrr_contraction', 'mrr_churned',
  'mrr_reactivation', 'net_new_mrr', 'logo_churn_rate', 'gross_mrr_churn_rate', 'net_mrr_churn_rate', 'nrr', 'grr',
  'nrr_12m', 'grr_12m', 'customer_retention_rate', 'quick_ratio', 'renewal_rate', 'snapshot_customers',
  'snapshot_churn_rate', 'snapshot_retention_rate', 'snapshot_retained_mrr', 'snapshot_arpa', 'snapshot_average_tenure',
];
const KINDS = ['tickets', 'survey', 'subscriptions', 'invoices', 'mrr', 'customers'];
const isCustomerKind = (kind) => !['tickets', 'survey'].includes(kind);

const readJson = (name) => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));
const presetFiles = readdirSync(fixtures)
  .filter((name) => name.endsWith('.expected.json') && name !== 'join.expected.json')
  .sort();

function report(files, args) {
  const paths = files.map((name) => join(fixtures, name));
  const r = spawnSync(cliPath, ['report', '--format', 'json', ...args, ...paths], { maxBuffer: 1 << 28 });
  assert.equal(r.error, undefined, `the CLI could not be run: ${r.error}`);
  const stderr = r.stderr.toString('utf8');
  assert.equal(r.status, 0, `kpilens report ${args.join(' ')} ${files.join(' ')}: exit status ${r.status}, stderr: ${stderr}`);
  const parsed = JSON.parse(r.stdout.toString('utf8'));
  assert.equal(parsed.ok, true, `report not ok for ${files.join(' ')}: ${JSON.stringify(parsed.errors)}`);
  return parsed;
}

const near = (got, want) =>
  typeof got === 'number' && Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want));

// Differences between a figure and its expectation, as sentences (empty when it matches).
function figureProblems(what, got, want) {
  const problems = [];
  if (want.value === null) {
    if (got.value !== null) problems.push(`${what}: value ${got.value}, expected null`);
  } else if (!near(got.value, want.value)) {
    problems.push(`${what}: value ${got.value}, expected ${want.value}`);
  }
  if (got.n !== want.n) problems.push(`${what}: n ${got.n}, expected ${want.n}`);
  return problems;
}

function assertRecognised(file, name, want) {
  assert.ok(file, `the report has an input.files entry for ${name}`);
  if (want.preset !== undefined) {
    assert.ok(file.preset != null && typeof file.preset === 'object',
      `${name}: input.files[].preset is ${JSON.stringify(file.preset)}, expected the '${want.preset}' preset`);
    assert.equal(file.preset.id, want.preset, `${name}: preset id`);
  }
  assert.equal(file.kind, want.kind, `${name}: input.files[].kind`);
}

function mappingProblems(file, name, mapped = {}, unmapped = []) {
  const problems = [];
  const mapping = file.mapping ?? [];
  for (const [field, column] of Object.entries(mapped)) {
    const entry = mapping.find((m) => m.field === field);
    if (!entry) problems.push(`${name}: field '${field}' is not mapped (expected column '${column}')`);
    else if (entry.column !== column) problems.push(`${name}: field '${field}' is mapped to '${entry.column}', expected '${column}'`);
  }
  for (const field of unmapped) {
    const entry = mapping.find((m) => m.field === field);
    if (entry) problems.push(`${name}: field '${field}' must not be mapped, but is mapped to '${entry.column}'`);
  }
  return problems;
}

function kpiProblems(rep, name, kpis, list = rep.kpis) {
  const problems = [];
  for (const [id, want] of Object.entries(kpis)) {
    const k = list.find((x) => x.id === id);
    if (!k) problems.push(`${name}: the report has no KPI '${id}'`);
    else problems.push(...figureProblems(`${name}: ${id}`, k, want));
  }
  return problems;
}

const noProblems = (problems) => assert.deepEqual(problems, [], `\n  ${problems.join('\n  ')}`);

// ---- the expected files themselves (runs without the CLI) -----------------------------------------------

test('every expected file names an existing fixture, a kind, and a figure for every KPI', () => {
  assert.ok(presetFiles.length >= 16, `preset expectations found: ${presetFiles.join(', ')}`);
  const presets = new Set();
  for (const name of presetFiles) {
    const e = readJson(name);
    assert.equal(name, `${e.preset}.expected.json`, `${name}: named after its preset`);
    assert.ok(!presets.has(e.preset), `${name}: one expected file per preset`);
    presets.add(e.preset);
    assert.ok(KINDS.includes(e.kind), `${name}: kind ${e.kind}`);
    for (const file of [e.file, ...(e.same_as ?? [])]) assert.ok(existsSync(join(fixtures, file)), `${name}: ${file} exists`);
    assert.ok(Array.isArray(e.args), `${name}: args is a list`);
    assert.ok(Object.keys(e.mapped).length > 0, `${name}: mapped lists fields`);
    const catalogue = isCustomerKind(e.kind) ? CUSTOMER_CATALOGUE : CATALOGUE;
    for (const id of catalogue) assert.ok(id in e.kpis, `${name}: kpis.${id} is given`);
    for (const [id, want] of Object.entries(e.kpis)) {
      assert.ok(want.value === null || Number.isFinite(want.value), `${name}: kpis.${id}.value`);
      assert.ok(Number.isInteger(want.n) && want.n >= 0, `${name}: kpis.${id}.n`);
      // (A customer ratio can be null over movers: the quick ratio with nothing lost.)
      if (want.value === null && !['tickets', 'backlog'].includes(id) && !isCustomerKind(e.kind)) {
        assert.equal(want.n, 0, `${name}: a null ${id} has n 0`);
      }
    }
  }
  const joined = readJson('join.expected.json');
  assert.ok(joined.files.length === 2 && joined.files[1].kind === 'survey', 'join: a ticket file, then a survey file');
  for (const f of joined.files) assert.ok(existsSync(join(fixtures, f.file)), `join: ${f.file} exists`);
  for (const [by, segments] of Object.entries(joined.by)) {
    for (const id of Object.keys(joined.kpis).filter((x) => x !== 'tickets')) {
      const n = Object.values(segments).reduce((sum, figures) => sum + figures[id].n, 0);
      assert.equal(n, joined.kpis[id].n, `join: the ${by} segments of ${id} add up to the overall n`);
    }
  }
});

// ---- one export per preset ------------------------------------------------------------------------------

for (const name of presetFiles) {
  const e = readJson(name);
  test(`preset ${e.preset} (${[e.file, ...(e.same_as ?? [])].join(", ")}): recognised, mapped, hand-computed figures`,
    { skip }, () => {
      const rep = report([e.file], e.args);
      const file = rep.input.files[0];
      assertRecognised(file, e.file, e);
      const customers = isCustomerKind(e.kind);
      if (customers) assert.ok(rep.customers !== null, `${e.file}: a customers section`);
      noProblems([
        ...mappingProblems(file, e.file, e.mapped, e.unmapped),
        ...kpiProblems(rep, e.file, e.kpis, customers ? rep.customers.kpis : rep.kpis),
      ]);
      for (const other of e.same_as ?? []) {
        const again = report([other], e.args);
        assertRecognised(again.input.files[0], other, e);
        if (!customers) noProblems(mappingProblems(again.input.files[0], other, e.mapped, e.unmapped));
        assert.deepEqual(again.kpis, rep.kpis, `${other} gives the same kpis array as ${e.file}`);
        // The same figures; the inputs may differ (the API names interval_count, the CSV does not).
        const figures = (c) => c && { ...c, kpis: c.kpis.map(({ inputs, ...rest }) => rest) };
        assert.deepEqual(figures(again.customers), figures(rep.customers),
          `${other} gives the same customers section as ${e.file}`);
      }
    });
}

// ---- a ticket export joined with a survey export --------------------------------------------------------

const joinExpected = readJson('join.expected.json');

for (const by of Object.keys(joinExpected.by)) {
  test(`join: survey answers take their ticket's segments (--by ${by}); the latest answer per ticket counts`,
    { skip }, () => {
      const files = joinExpected.files.map((f) => f.file);
      const rep = report(files, [...joinExpected.args, '--by', by]);
      assert.equal(rep.input.files.length, files.length, 'one input.files entry per file');
      // Files are listed in the order read: survey answers first, so they can wait for their tickets.
      assert.deepEqual(rep.input.files.map((f) => f.kind), ['survey', 'tickets']);
      joinExpected.files.forEach((want) => {
        const file = rep.input.files.find((f) => f.name === want.file.split('/').pop());
        assert.ok(file, `${want.file} is listed in input.files`);
        assertRecognised(file, want.file, want);
        noProblems(mappingProblems(file, want.file, want.mapped));
      });
      const problems = kpiProblems(rep, 'join', joinExpected.kpis);
      const segments = rep.segments?.[by];
      assert.ok(Array.isArray(segments), `report.segments.${by} is a list: ${JSON.stringify(rep.segments)}`);
      for (const [segment, figures] of Object.entries(joinExpected.by[by])) {
        const i = segments.indexOf(segment);
        if (i < 0) {
          problems.push(`segment '${segment}' is not in report.segments.${by} (${JSON.stringify(segments)})`);
          continue;
        }
        for (const [id, want] of Object.entries(figures)) {
          const breakdown = rep.kpis.find((x) => x.id === id)?.breakdowns?.[by];
          if (!breakdown) {
            problems.push(`KPI '${id}' has no breakdown by ${by}`);
            continue;
          }
          problems.push(...figureProblems(`${id} of ${by} '${segment}'`,
            { value: breakdown.value[i], n: breakdown.n[i] }, want));
        }
      }
      noProblems(problems);
    });
}

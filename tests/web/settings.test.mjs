// The page's settings model (web/settings.js) and header signatures (web/memory.js) in Node: the config the
// page sends for the choices made in the mapping editor, and how an imported config becomes those choices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AUTOMATIC_SEGMENTS, newInput, newSettings, configFor, importConfig, uniqueNames, toggleSegment, segmentedColumns,
  withCustomerSetting, fieldsOfKind, CANONICAL_FIELDS,
} from '../../web/settings.js';
import { headerSignature } from '../../web/memory.js';

const file = (name) => ({ name });
function settingsOf(...names) {
  return newSettings(uniqueNames(names.map(file)).map((name) => newInput(file(name), name)));
}

test('one input sends the global mapping and units', () => {
  const settings = settingsOf('tickets.csv');
  settings.inputs[0].mapping = { agent: 'Handler', team: null };
  settings.inputs[0].units = { resolution_time: 'hours' };
  assert.deepEqual(configFor(settings, 'month'), {
    grain: 'month', by_if_mapped: AUTOMATIC_SEGMENTS,
    mapping: { agent: 'Handler', team: null }, units: { resolution_time: 'hours' },
  });
});

test('several inputs send files keyed by name, for the inputs that have choices only', () => {
  const settings = settingsOf('jan.csv', 'survey.csv', 'feb.csv');
  settings.inputs[1].mapping = { csat: 'Rating' };
  settings.inputs[2].units = { first_response_time: 'seconds' };
  const config = configFor(settings, 'week');
  assert.deepEqual(config.files, { 'survey.csv': { mapping: { csat: 'Rating' } }, 'feb.csv': { units: { first_response_time: 'seconds' } } });
  assert.equal(config.mapping, undefined);
  assert.equal(config.units, undefined);
});

test('a breakdown column that one of several inputs lacks goes to by_if_mapped', () => {
  const settings = settingsOf('tickets.csv', 'survey.csv');
  settings.inputs[0].columns = ['Id', 'Group', 'Region'];
  settings.inputs[1].columns = ['Id', 'Region', 'Rating'];
  settings.by = ['Region', 'Group'];
  const config = configFor(settings, 'week');
  assert.deepEqual(config.by, ['Region']);
  assert.deepEqual(config.by_if_mapped, [...AUTOMATIC_SEGMENTS, 'Group']);
});

test('an imported global mapping applies to every input; files apply to the input named', () => {
  const settings = settingsOf('a.csv', 'b.csv');
  const { settings: next, grain, notes } = importConfig(settings, {
    grain: 'quarter', mapping: { agent: 'Owner' }, files: { 'b.csv': { mapping: { agent: 'Handler' }, units: { resolution_time: 'h' } }, 'c.csv': { mapping: {} } },
    filters: [{ column: 'channel', values: ['email'] }], csat: { scale_max: 10, threshold: 8 },
  });
  assert.equal(grain, 'quarter');
  assert.deepEqual(next.inputs.map((i) => i.mapping), [{ agent: 'Owner' }, { agent: 'Handler' }]);
  assert.deepEqual(next.inputs[1].units, { resolution_time: 'h' });
  assert.equal(notes.length, 1);
  assert.match(notes[0], /c\.csv/);
  assert.deepEqual(next.byIfMapped, [], 'a config without by_if_mapped has no automatic breakdowns, as in the CLI');
  const config = configFor(next, grain);
  assert.deepEqual(config.filters, [{ column: 'channel', values: ['email'] }]);
  assert.deepEqual(config.csat, { scale_max: 10, threshold: 8 });
  assert.deepEqual(config.files, { 'a.csv': { mapping: { agent: 'Owner' } }, 'b.csv': { mapping: { agent: 'Handler' }, units: { resolution_time: 'h' } } });
});

test('a config the page exported comes back unchanged through import', () => {
  const settings = settingsOf('tickets.csv');
  settings.inputs[0].mapping = { created_at: 'Logged' };
  settings.by = ['Region'];
  const exported = { ...configFor(settings, 'week'), date_from: '2024-01-01', cost: { total: 100, currency: 'EUR' } };
  const { settings: next, grain } = importConfig(settingsOf('tickets.csv'), exported);
  assert.deepEqual(configFor(next, grain), exported);
});

test('an imported config\'s figures are left out with a note: the page shows every figure', () => {
  const { settings: next, notes } = importConfig(settingsOf('tickets.csv'), { grain: 'week', figures: ['csat', 'nps'], csat: { threshold: 5 } });
  const config = configFor(next, 'week');
  assert.equal(config.figures, undefined);
  assert.deepEqual(config.csat, { threshold: 5 });
  assert.equal(notes.length, 1);
  assert.match(notes[0], /figures/);
});

test('values of the wrong type are passed on for the engine to report', () => {
  const { settings: next } = importConfig(settingsOf('tickets.csv'), { mapping: 'agent=Handler', units: ['hours'] });
  const config = configFor(next, 'week');
  assert.equal(config.mapping, 'agent=Handler');
  assert.deepEqual(config.units, ['hours']);
});

test('input names are unique within a dataset', () => {
  assert.deepEqual(uniqueNames([file('a.csv'), file('a.csv'), file('b')]), ['a.csv', 'a (2).csv', 'b']);
  assert.deepEqual(uniqueNames([file('a.csv')], ['a.csv', 'a (2).csv']), ['a (3).csv']);
});

test('a breakdown checkbox toggles the automatic field of a mapped column, else the header', () => {
  const fileReport = { columns: ['Handler', 'Region'], mapping: [{ field: 'agent', column: 'Handler', index: 0, how: 'config' }] };
  const settings = settingsOf('t.csv');
  const off = toggleSegment(settings, fileReport, 'Handler', false);
  assert.ok(!off.byIfMapped.includes('agent'));
  assert.deepEqual(toggleSegment(off, fileReport, 'Handler', true).byIfMapped.sort(), [...AUTOMATIC_SEGMENTS].sort());
  assert.deepEqual(toggleSegment(settings, fileReport, 'Region', true).by, ['Region']);
  const report = { config: { by: ['Region', 'agent'] } };
  assert.deepEqual([...segmentedColumns(report, fileReport)], ['Handler', 'Region']);
});

test('the customer settings go to the config only when they differ from the engine\'s defaults', () => {
  const settings = settingsOf('subscriptions.csv');
  const quarterly = withCustomerSetting(settings, 'grain', 'quarter');
  assert.deepEqual(configFor(quarterly, 'week').customers, { grain: 'quarter' });
  const both = withCustomerSetting(quarterly, 'churn_recognition', 'cancellation');
  assert.deepEqual(configFor(both, 'week').customers, { grain: 'quarter', churn_recognition: 'cancellation' });
  assert.deepEqual(settings.customers, {}, 'the settings changed are copies');
  const back = withCustomerSetting(withCustomerSetting(both, 'grain', 'month'), 'churn_recognition', 'period_end');
  assert.equal(configFor(back, 'week').customers, undefined, 'back to the defaults: no customers key');
});

test('an imported customers object comes back whole; one of the wrong type goes to the engine as it is', () => {
  const imported = { grain: 'week', customers: { grain: 'year', gross_margin: 0.8, tenure_bands: [12, 24] } };
  const { settings: next, grain } = importConfig(settingsOf('subscriptions.csv'), imported);
  assert.deepEqual(configFor(next, grain).customers, imported.customers);
  assert.deepEqual(configFor(withCustomerSetting(next, 'grain', 'quarter'), grain).customers, { ...imported.customers, grain: 'quarter' });
  const { settings: wrong } = importConfig(settingsOf('subscriptions.csv'), { customers: 'monthly' });
  assert.equal(configFor(wrong, 'week').customers, 'monthly');
});

test('the mapping editor offers each customer-success kind its own fields (docs/kpis.md, Customer fields)', () => {
  assert.deepEqual(fieldsOfKind('mrr'), ['customer', 'plan', 'currency', 'month', 'mrr']);
  assert.deepEqual(fieldsOfKind('invoices'), ['customer', 'plan', 'amount', 'currency', 'status', 'period_start', 'period_end']);
  assert.deepEqual(fieldsOfKind('customers'), ['customer', 'currency', 'signup_at', 'acquisition_cost', 'churned', 'tenure', 'monthly_charge', 'age']);
  assert.ok(fieldsOfKind('subscriptions').includes('cancel_at_period_end'));
  assert.deepEqual(fieldsOfKind('tickets'), CANONICAL_FIELDS);
  assert.deepEqual(fieldsOfKind('survey'), CANONICAL_FIELDS);
});

test('a customer-success file\'s breakdown checkboxes follow the customers section\'s segments', () => {
  const fileReport = { kind: 'customers', columns: ['customerID', 'Contract', 'tenure'], mapping: [{ field: 'tenure', column: 'tenure', index: 2, how: 'preset' }] };
  const report = { config: { by: [] }, customers: { segments: { Contract: ['One year'], tenure_band: ['< 6 months'] } } };
  assert.deepEqual([...segmentedColumns(report, fileReport)], ['Contract']);
});

test('the header signature is FNV-1a over the UTF-8 of the headers joined with U+0001', () => {
  assert.equal(headerSignature(['']), '811c9dc5'); // the FNV-1a offset basis: no bytes
  assert.equal(headerSignature(['a']), 'e40c292c'); // the published FNV-1a 32 test vector for "a"
  assert.notEqual(headerSignature(['a', 'b']), headerSignature(['ab']));
  assert.equal(headerSignature(['Zeit', 'Größe']), headerSignature(['Zeit', 'Größe']));
});

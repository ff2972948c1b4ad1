// The mapping editor, remembered mappings, config export/import and datasets of several files.
// A column the engine does not recognise is mapped by hand in the editor; the engine re-runs and the page
// shows the figures worked out below. The same choices come back for a later file with the same header,
// travel as a config file to a fresh page, and files dropped together are one dataset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowserAndServer,
  openPage, fixture, dropAndWait, dropFiles, waitForState, waitForPeriods, readCards, readTable, clickDownload,
  screenshotPath, singleFileUrl,
} from './helpers.mjs';

// fixtures/handlers.csv: 8 tickets. No header names the agent ("Handler") or the creation time ("Logged"),
// so the engine maps neither by itself; "Time to resolve" is resolution_time with no unit in its header
// (the engine reads minutes; the values are hours). Status decides solved (Solved/Closed).
//
//  #  logged            status   handler group    region csat  time to resolve (h)
//  1  2024-03-04 09:00  Solved   Ana     Billing  EU     5     2
//  2  2024-03-04 13:00  Solved   Ben     Billing  US     2     24
//  3  2024-03-05 10:00  Open     Ana     Tech     EU     —     —
//  4  2024-03-06 08:00  Closed   Cy      Tech     US     4     6
//  5  2024-03-11 09:00  Solved   Ana     Tech     EU     4     1
//  6  2024-03-12 14:00  Solved   Ben     Billing  EU     5     48
//  7  2024-03-13 11:00  Pending  Cy      Tech     US     —     —
//  8  2024-03-14 16:00  Solved   Ana     Billing  US     3     4
//
// tickets 8; weeks 2024-W10 (1–4) and 2024-W11 (5–8) once Logged is created_at.
// csat (≥ 4 of 1–5): 5,2,4,4,5,3 → 4 of 6 = 66.67 %.
// resolution_time_median, hours: 2,24,6,1,48,4 → sorted 1,2,4,6,24,48, h = 5 × 0.5 = 2.5 → 4 + 0.5 × 2 = 5 h;
//   read as minutes (before the unit is set) the same median is 5 min = 5 ÷ 60 h.
// By agent (byte order): Ana 1,3,5,8 → 4 tickets, csat 5,4,3 → 2 of 3 = 66.67, resolution 2,1,4 → median 2;
//   Ben 2,6 → 2, csat 2,5 → 50, resolution 24,48 → 36; Cy 4,7 → 2, csat 4 → 100, resolution 6 → 6.
// By Region: EU 1,3,5,6 → 4, csat 5,4,5 → 100, resolution 2,1,48 → 2; US 2,4,7,8 → 4, csat 2,4,3 → 33.33,
//   resolution 24,6,4 → 6.
const AGENTS = [
  // segment, tickets, csat, resolution median (h)
  ['Ana', 4, 200 / 3, 2],
  ['Ben', 2, 50, 36],
  ['Cy', 2, 100, 6],
];
const REGIONS = [
  ['EU', 4, 100, 2],
  ['US', 4, 100 / 3, 6],
];
const COLUMNS = ['Ref', 'Logged', 'Status', 'Handler', 'Group', 'Region', 'Satisfaction', 'Time to resolve'];
const EXPECTED_CONFIG = {
  grain: 'week',
  by: ['Region'],
  by_if_mapped: ['channel', 'agent', 'team', 'priority', 'plan', 'tenure_band', 'age_band'],
  mapping: { created_at: 'Logged', agent: 'Handler' },
  units: { resolution_time: 'hours' },
};

const session = useBrowserAndServer();

function near(got, expected, what) {
  assert.ok(Math.abs(got - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: got ${got}, expected ${expected}`);
}

const fieldSelect = (field, file = 0) => `select[data-field="${field}"][data-file="${file}"]`;

/** Waits until `predicate` (run in the page) holds, then until the page is ready. */
async function settle(page, predicate, arg) {
  await page.waitForFunction(predicate, arg, { timeout: 20_000 });
  await waitForState(page, 'ready');
}

const mappedTo = (page, field, file = 0) => page.$eval(fieldSelect(field, file), (select) => select.selectedOptions[0]?.textContent);
const howOf = (page, field, file = 0) => page.$eval(`[data-testid="mapping-editor-${file}"] tr[data-field-row="${field}"] td[data-how]`, (td) => td.dataset.how);

async function checkBreakdown(page, by, expected) {
  await page.selectOption('#by-select', by);
  await page.waitForFunction((title) => document.getElementById('breakdown-title').textContent === title, `Breakdown by ${by}`);
  const table = await readTable(page, 'breakdown-table');
  assert.equal(table.headers[0], by);
  assert.deepEqual(table.rows.map((r) => r[0].text), expected.map((e) => e[0]), `${by}: the segments`);
  const column = (label) => {
    const index = table.headers.indexOf(label);
    assert.ok(index > 0, `the breakdown has a ${label} column (${table.headers})`);
    return index;
  };
  expected.forEach(([segment, tickets, csat, resolution], i) => {
    const row = table.rows[i];
    assert.equal(Number(row[column('Tickets')].value), tickets, `${by} ${segment}: tickets`);
    near(Number(row[column('CSAT')].value), csat, `${by} ${segment}: CSAT`);
    near(Number(row[column('Resolution time (median)')].value), resolution, `${by} ${segment}: resolution median`);
  });
}

/** Maps handlers.csv by hand: Logged → created_at, Handler → agent, resolution in hours, Region as a breakdown. */
async function mapHandlers(page) {
  await page.selectOption(fieldSelect('created_at'), { label: 'Logged' });
  await waitForPeriods(page, ['2024-W10', '2024-W11']);
  assert.equal(await howOf(page, 'created_at'), 'config');
  await page.selectOption(fieldSelect('agent'), { label: 'Handler' });
  await settle(page, () => !!document.querySelector('#by-select optgroup[label="Fields"] option[value="agent"]'));
  assert.equal(await mappedTo(page, 'agent'), 'Handler');
  near(Number((await readCards(page)).resolution_time_median.value), 5 / 60, 'resolution median read as minutes');
  await page.selectOption('select[data-unit-field="resolution_time"][data-file="0"]', 'hours');
  await settle(page, () => document.querySelector('.card[data-kpi="resolution_time_median"]')?.dataset.value === '5');
  await page.check('input[data-segment-column="Region"][data-file="0"]');
  await settle(page, () => !!document.querySelector('#by-select optgroup[label="Fields"] option[value="Region"]'));
}

test('a column the engine did not recognise is mapped in the editor; the breakdown by agent follows', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropAndWait(page, 'handlers.csv', fixture('handlers.csv'));
    // Every canonical field has a select; Handler and Logged are not mapped; Group fed team by its header.
    assert.equal(await page.locator('[data-testid="mapping-editor-0"] select[data-field]').count(), 20);
    assert.equal(await page.inputValue(fieldSelect('agent')), '');
    assert.equal(await page.inputValue(fieldSelect('created_at')), '');
    assert.equal(await mappedTo(page, 'team'), 'Group');
    assert.equal(await howOf(page, 'team'), 'header');
    const options = await page.$$eval(`${fieldSelect('agent')} option`, (list) => list.map((o) => o.textContent));
    assert.deepEqual(options, ['— not mapped —', ...COLUMNS]);
    assert.equal(await page.isDisabled('select[data-unit-field="resolution_time"][data-file="0"]'), false);
    assert.equal(await page.inputValue('select[data-unit-field="resolution_time"][data-file="0"]'), 'minutes');
    assert.equal(await page.isDisabled('select[data-unit-field="first_response_time"][data-file="0"]'), true, 'no unit for an unmapped duration');
    assert.deepEqual(await page.$$eval('#by-select option', (list) => list.filter((o) => o.parentElement.label === 'Fields').map((o) => o.value)), ['team']);

    await mapHandlers(page);
    const cards = await readCards(page);
    assert.equal(Number(cards.tickets.value), 8);
    near(Number(cards.csat.value), 200 / 3, 'csat');
    assert.equal(Number(cards.resolution_time_median.value), 5);
    await checkBreakdown(page, 'agent', AGENTS);
    await checkBreakdown(page, 'Region', REGIONS);
    assert.equal(await page.isChecked('input[data-segment-column="Handler"][data-file="0"]'), true, 'the agent column is a breakdown');

    // Unchecking Region takes it out of the breakdowns again.
    await page.uncheck('input[data-segment-column="Region"][data-file="0"]');
    await settle(page, () => !document.querySelector('#by-select optgroup[label="Fields"] option[value="Region"]'));
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('a later file with the same header gets the remembered mapping, until it is forgotten', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropAndWait(page, 'handlers.csv', fixture('handlers.csv'));
    await mapHandlers(page);

    // The page is opened again (same browser profile) and the same export dropped.
    await page.reload();
    await waitForState(page, 'empty');
    await dropAndWait(page, 'handlers-april.csv', fixture('handlers.csv'));
    await settle(page, () => !!document.querySelector('[data-testid="remembered-note"]'));
    assert.match(await page.textContent('[data-testid="remembered-note"]'),
      /Mapping remembered from an earlier file with the same columns — Forget/);
    assert.equal(await mappedTo(page, 'agent'), 'Handler');
    assert.equal(await mappedTo(page, 'created_at'), 'Logged');
    assert.equal(await page.inputValue('select[data-unit-field="resolution_time"][data-file="0"]'), 'hours');
    assert.equal(await page.isChecked('input[data-segment-column="Region"][data-file="0"]'), true);
    assert.equal((await readCards(page)).resolution_time_median.value, '5');
    await checkBreakdown(page, 'agent', AGENTS);

    // Forget: back to what the engine maps by itself, and nothing left in localStorage.
    await page.click('[data-testid="remembered-note"] button');
    await settle(page, () => !document.querySelector('[data-testid="remembered-note"]') &&
      document.querySelector('select[data-field="agent"][data-file="0"]').value === '');
    assert.equal(await page.isChecked('input[data-segment-column="Region"][data-file="0"]'), false);
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('kpilens'))), []);
    await page.reload();
    await dropAndWait(page, 'handlers.csv', fixture('handlers.csv'));
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready');
    assert.equal(await page.inputValue(fieldSelect('agent')), '', 'nothing remembered after Forget');
    assert.equal(await page.locator('[data-testid="remembered-note"]').count(), 0);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('file://: the single file maps and remembers; where localStorage throws, nothing is remembered and all works', async () => {
  const single = await openPage(session.browser);
  try {
    const { page, log } = single;
    await page.goto(singleFileUrl);
    await dropAndWait(page, 'handlers.csv', fixture('handlers.csv'));
    await mapHandlers(page);
    await checkBreakdown(page, 'agent', AGENTS);
    // A second drop in the same page is a new dataset; its first run gets the remembered mapping.
    await dropAndWait(page, 'handlers.csv', fixture('handlers.csv'));
    await settle(page, () => !!document.querySelector('[data-testid="remembered-note"]'));
    assert.equal(await page.locator('#datasets button').count(), 2);
    assert.equal(await mappedTo(page, 'agent'), 'Handler');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await single.context.close();
  }

  const denied = await openPage(session.browser);
  try {
    const { context, page, log } = denied;
    await context.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
    });
    await page.goto(session.server.url);
    await dropAndWait(page, 'handlers.csv', fixture('handlers.csv'));
    await mapHandlers(page);
    await checkBreakdown(page, 'agent', AGENTS);
    await dropAndWait(page, 'handlers.csv', fixture('handlers.csv'));
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready');
    assert.equal(await page.inputValue(fieldSelect('agent')), '', 'nothing remembered');
    assert.equal(await page.locator('[data-testid="remembered-note"]').count(), 0);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await denied.context.close();
  }
});

test('an exported config, imported in a fresh page over the same file, gives the same report', async () => {
  const first = await openPage(session.browser);
  let config;
  let report;
  try {
    await first.page.goto(session.server.url);
    await dropAndWait(first.page, 'handlers.csv', fixture('handlers.csv'));
    await mapHandlers(first.page);
    const exported = await clickDownload(first.page, first.page.locator('#export-config-button'));
    assert.equal(exported.filename, 'kpilens-config.json');
    config = JSON.parse(exported.text);
    assert.deepEqual(config, EXPECTED_CONFIG, 'the exported config is the one the engine ran with');
    report = await clickDownload(first.page, first.page.locator('[data-export="report-json"]'));
  } finally {
    await first.context.close();
  }

  const second = await openPage(session.browser); // a new context: nothing remembered
  try {
    const { page, log } = second;
    await page.goto(session.server.url);
    await dropAndWait(page, 'handlers.csv', fixture('handlers.csv'));
    assert.equal(await page.inputValue(fieldSelect('agent')), '');
    await page.setInputFiles('#import-config-input', {
      name: 'kpilens-config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(config)),
    });
    await settle(page, () => !!document.querySelector('#by-select optgroup[label="Fields"] option[value="Region"]'));
    assert.match(await page.textContent('#status'), /kpilens-config\.json applied/);
    assert.equal(await mappedTo(page, 'agent'), 'Handler');
    const again = await clickDownload(page, page.locator('[data-export="report-json"]'));
    assert.deepEqual(JSON.parse(again.text), JSON.parse(report.text), 'the same report');
    const reexported = await clickDownload(page, page.locator('#export-config-button'));
    assert.deepEqual(JSON.parse(reexported.text), config, 'and the same config');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await second.context.close();
  }
});

test('a config that is not an object, or that the engine refuses, is reported and the report stays', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropAndWait(page, 'two_weeks.csv', fixture('two_weeks.csv'));
    const before = await readCards(page);
    const importText = async (name, text) => {
      await page.setInputFiles('#import-config-input', { name, mimeType: 'application/json', buffer: Buffer.from(text) });
      await page.waitForFunction(() => !document.getElementById('config-error').hidden);
      await waitForState(page, 'ready');
      const message = await page.textContent('#config-error');
      assert.deepEqual(await readCards(page), before, `${name}: the report shown is unchanged`);
      await page.evaluate(() => { document.getElementById('config-error').hidden = true; });
      return message;
    };
    assert.match(await importText('broken.json', '{"grain": '), /broken\.json is not JSON/);
    assert.match(await importText('list.json', '["month"]'), /must hold one JSON object/);
    assert.match(await importText('null.json', 'null'), /must hold one JSON object/);
    // The engine's own message names the key.
    assert.match(await importText('grain.json', '{"grain": "fortnight"}'), /grain/);
    assert.match(await importText('map.json', '{"mapping": {"agent": "No such column"}}'), /No such column/);
    assert.equal(await page.inputValue('#grain-select'), 'week');
    assert.equal(await page.inputValue(fieldSelect('agent')), String(5), 'the editor shows the mapping of the report shown (Assignee)');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

// two_weeks.csv (10 tickets, see page.test.mjs) and handlers.csv (8 tickets, above) dropped together: one
// dataset, one report over both files: 10 + 8 = 18 tickets.
test('files dropped together are one dataset with an input each; Add file adds another', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropFiles(page, [{ name: 'two_weeks.csv', text: fixture('two_weeks.csv') }, { name: 'handlers.csv', text: fixture('handlers.csv') }]);
    await waitForState(page, 'ready');
    assert.equal(await page.locator('#datasets button').count(), 1, 'one dataset');
    const inputs = await readTable(page, 'inputs-table');
    assert.deepEqual(inputs.rows.map((r) => r[0].text), ['two_weeks.csv', 'handlers.csv']);
    const used = inputs.headers.indexOf('Rows used');
    assert.deepEqual(inputs.rows.map((r) => Number(r[used].value)), [10, 8]);
    assert.equal(Number((await readCards(page)).tickets.value), 18);
    assert.equal(await page.locator('section.input-editor').count(), 2, 'an editor section per input');

    // A second drop is a second dataset; "Add file…" adds to the one shown.
    await dropAndWait(page, 'two_weeks.csv', fixture('two_weeks.csv'));
    assert.equal(await page.locator('#datasets button').count(), 2);
    assert.equal(Number((await readCards(page)).tickets.value), 10);
    await page.setInputFiles('#add-file-input', { name: 'two_weeks.csv', mimeType: 'text/csv', buffer: Buffer.from(fixture('two_weeks.csv')) });
    await settle(page, () => document.querySelectorAll('table[data-testid="inputs-table"] tbody tr').length === 2);
    assert.equal(await page.locator('#datasets button').count(), 2, 'no new tab');
    const added = await readTable(page, 'inputs-table');
    assert.deepEqual(added.rows.map((r) => r[0].text), ['two_weeks.csv', 'two_weeks (2).csv'], 'the second input gets a name of its own');
    assert.equal(Number((await readCards(page)).tickets.value), 20);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

// Needs the engine's per-file config key `files`; marked TODO while the engine built here refuses it.
// By agent over both files: two_weeks.csv's Assignee Kim 1,3,6,7,10 → 5, Lou 2,4,5,8,9 → 5; handlers.csv's
// Handler (mapped for that file only) Ana 4, Ben 2, Cy 2.
test('a mapping chosen for one input of several applies to that input only', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropFiles(page, [{ name: 'two_weeks.csv', text: fixture('two_weeks.csv') }, { name: 'handlers.csv', text: fixture('handlers.csv') }]);
    await waitForState(page, 'ready');
    await page.selectOption(fieldSelect('agent', 1), { label: 'Handler' });
    await page.waitForFunction(() => document.body.dataset.state === 'ready' &&
      (document.querySelector('select[data-field="agent"][data-file="1"]')?.selectedOptions[0]?.textContent === 'Handler' ||
        !document.getElementById('config-error').hidden));
    const refused = await page.textContent('#config-error');

    assert.equal(await page.isHidden('#config-error'), true, `no error (${refused})`);
    assert.equal(await mappedTo(page, 'agent', 1), 'Handler');
    assert.equal(await howOf(page, 'agent', 1), 'config');
    assert.equal(await mappedTo(page, 'agent', 0), 'Assignee', 'the other input keeps its own mapping');
    assert.equal(await howOf(page, 'agent', 0), 'preset'); // two_weeks.csv has Zendesk's headers
    await page.selectOption('#by-select', 'agent');
    const table = await readTable(page, 'breakdown-table');
    assert.deepEqual(table.rows.map((r) => r[0].text), ['Ana', 'Ben', 'Cy', 'Kim', 'Lou']);
    const tickets = table.headers.indexOf('Tickets');
    assert.deepEqual(table.rows.map((r) => Number(r[tickets].value)), [4, 2, 2, 5, 5]);
    const exported = JSON.parse((await clickDownload(page, page.locator('#export-config-button'))).text);
    assert.deepEqual(exported.files, { 'handlers.csv': { mapping: { agent: 'Handler' } } });
    assert.equal(exported.mapping, undefined, 'no global mapping with several inputs');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('the editor works from the keyboard and fits a 360 px screen', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(session.server.url);
    await dropAndWait(page, 'handlers.csv', fixture('handlers.csv'));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling of the page at 360 px (${overflow} px too wide)`);
    await page.screenshot({ path: screenshotPath('mapping-360.png'), fullPage: true });

    // Every select and checkbox of the editor has an accessible name.
    const unnamed = await page.$$eval('#mapping select, #mapping input', (list) => list.filter((node) =>
      !(node.getAttribute('aria-label') || node.closest('label') || (node.id && document.querySelector(`label[for="${node.id}"]`)))).length);
    assert.equal(unnamed, 0);

    // Arrow keys on the focused agent select walk its options; each change re-runs, and the focus stays.
    // One key at a time, each re-run awaited: a key pressed while the editor is being drawn again could
    // land between the old select and the new one, and how fast a run ends must not decide the test.
    await page.focus(fieldSelect('agent'));
    for (const option of ['Ref', 'Logged', 'Status', 'Handler']) { // after — not mapped —
      await page.keyboard.press('ArrowDown');
      await settle(page, (name) => document.querySelector('select[data-field="agent"][data-file="0"]').selectedOptions[0].textContent === name &&
        document.querySelector('select[data-field="agent"][data-file="0"]').closest('tr').querySelector('td[data-how]').dataset.how === 'config', option);
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.field), 'agent', `the focus is back on the agent select (${option})`);
    }
    assert.ok(await page.$('#by-select optgroup[label="Fields"] option[value="agent"]'));

    // Space on a column's checkbox makes it a breakdown.
    await page.focus('input[data-segment-column="Region"][data-file="0"]');
    await page.keyboard.press('Space');
    await settle(page, () => !!document.querySelector('#by-select optgroup[label="Fields"] option[value="Region"]'));
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.segmentColumn), 'Region');
    const overflowAfter = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflowAfter <= 0, `still no sideways scrolling (${overflowAfter} px)`);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

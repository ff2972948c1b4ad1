// The Customers view in Chromium, both builds: the hand-computed fixtures of tests/fixtures/customers/
// (their README has the arithmetic; the figures below are copied from it, never from kpilens) are dropped
// and the values are read off the page — cards, the bridge's data table for a period, the churn and
// retention trend tables, cohort cells, the CRM snapshot — then the controls that re-run the engine (grain,
// churn recognition) and the ones that only redraw (bridge period, cohort measure, breakdown). Payloads in
// plan names stay text and formula cells leave the CSV neutralised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  useBrowserAndServer, openPage, fixture, dropFiles, waitForState, readCards, readTable, clickDownload, parseCsv,
  root, singleFileUrl,
} from './helpers.mjs';

const session = useBrowserAndServer();
const customers = (name) => readFileSync(join(root, 'tests/fixtures/customers', name), 'utf8');

function near(got, expected, what) {
  assert.ok(Math.abs(Number(got) - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: got ${got}, expected ${expected}`);
}

// Reads a table as {first cell: [data-value of each other cell]} (numbers, null for an empty cell).
async function tableByRow(page, testId) {
  const table = await readTable(page, testId);
  return Object.fromEntries(table.rows.map((row) => [row[0].text, row.slice(1).map((cell) => (cell.value === null ? null : Number(cell.value)))]));
}

// Waits until the page is ready again and the table `testId` has first cells `keys`.
async function waitForRows(page, testId, keys) {
  await page.waitForFunction(({ id, want }) => {
    if (document.body.dataset.state !== 'ready') return false;
    const rows = [...document.querySelectorAll(`table[data-testid="${id}"] tbody tr`)];
    return JSON.stringify(rows.map((r) => r.children[0].textContent)) === JSON.stringify(want);
  }, { id: testId, want: keys }, { timeout: 20_000 });
}

// movements.csv (README "movements.csv — every movement type"): MRR 220, 250, 210, 220 for Jan–Apr 2024.
async function checkMovements(page, mode) {
  const cards = await readCards(page);
  near(cards.mrr.value, 220, `${mode}: MRR card`);
  assert.equal(cards.mrr.text, '220', `${mode}: MRR card text`);
  near(cards.arr.value, 2640, `${mode}: ARR card`);
  near(cards.active_customers.value, 7, `${mode}: active customers`);
  near(cards.nrr.value, 100, `${mode}: NRR (April)`);
  assert.equal(cards.nrr_12m.value, '', `${mode}: 12-month NRR is unavailable (no year of data)`);

  // The bridge of March: 250 + 50 (D +10, G +40) − 40 (F) − 50 (E) = 210.
  await page.selectOption('#bridge-period-select', '2024-03');
  const bridge = await readTable(page, 'bridge-table');
  assert.equal(bridge.headers[0], '2024-03');
  const march = Object.fromEntries(bridge.rows.map((row) => [row[0].text, [row[1].value, row[2].value]]));
  const want = {
    'Start MRR': [250, null], New: [0, 0], Expansion: [50, 2], Reactivation: [0, 0], Contraction: [-40, 1], Churned: [-50, 1], 'End MRR': [210, null],
  };
  for (const [step, [amount, count]] of Object.entries(want)) {
    near(march[step][0], amount, `${mode}: March ${step}`);
    if (count !== null) near(march[step][1], count, `${mode}: March ${step} customers`);
  }
  assert.deepEqual(Object.keys(march), Object.keys(want), `${mode}: the waterfall's steps in order`);
  // The waterfall drew a bar per step.
  assert.ok(await page.$eval('#bridge-chart svg', (svg) => svg.querySelectorAll('path').length >= 7), `${mode}: waterfall bars`);

  // Churn and retention trends: logo churn Feb 20, Mar 1 ÷ 7; NRR Feb 210 ÷ 220, Mar 84, Apr 100.
  const churn = await tableByRow(page, 'churn-table');
  near(churn['2024-02'][0], 20, `${mode}: logo churn February`);
  near(churn['2024-03'][0], 100 / 7, `${mode}: logo churn March`);
  near(churn['2024-03'][1], 36, `${mode}: gross MRR churn March`);
  near(churn['2024-04'][2], (-10 * 100) / 210, `${mode}: net MRR churn April`);
  const retention = await tableByRow(page, 'retention-table');
  near(retention['2024-02'][0], (210 * 100) / 220, `${mode}: NRR February`);
  near(retention['2024-03'][0], 84, `${mode}: NRR March`);
  near(retention['2024-03'][1], 64, `${mode}: GRR March`);
  near(retention['2024-04'][0], 100, `${mode}: NRR April`);

  // Cohorts (first paid): January 5 customers, MRR 220; logo 100, 80, 60, 80; revenue 100, 95.45, 54.55, 59.09.
  const logo = await tableByRow(page, 'cohort-table');
  assert.deepEqual(logo['2024-01'], [5, 220, 100, 80, 60, 80], `${mode}: January cohort, logo`);
  assert.deepEqual(logo['2024-02'].slice(0, 2), [2, 40], `${mode}: February cohort size and MRR`);
  const shaded = await page.$$eval('table[data-testid="cohort-table"] td.heat', (cells) => cells.map((c) => getComputedStyle(c).backgroundColor));
  assert.ok(new Set(shaded).size > 2, `${mode}: cohort cells are shaded by value`);
  await page.selectOption('#cohort-measure-select', 'revenue');
  const revenue = await tableByRow(page, 'cohort-table');
  [100, (210 * 100) / 220, (120 * 100) / 220, (130 * 100) / 220].forEach((v, k) => near(revenue['2024-01'][2 + k], v, `${mode}: January revenue M${k}`));
  [100, 200, 200].forEach((v, k) => near(revenue['2024-02'][2 + k], v, `${mode}: February revenue M${k}`));

  // By plan, April (the last period): Basic 40, Pro 50, Annual 100, Free 0, Team 30.
  const byPlan = await tableByRow(page, 'customer-breakdown-table');
  for (const [plan, mrr] of [['Basic', 40], ['Pro', 50], ['Annual', 100], ['Free', 0], ['Team', 30]]) near(byPlan[plan][0], mrr, `${mode}: ${plan} MRR`);
  // The bridge of one plan: Pro in March lost E and F (−100) and gained G (+50).
  await page.selectOption('#bridge-scope-select', { label: 'plan: Pro' });
  const pro = Object.fromEntries((await readTable(page, 'bridge-table')).rows.map((row) => [row[0].text, Number(row[1].value)]));
  near(pro['Start MRR'], 100, `${mode}: Pro start`);
  near(pro.Churned, -100, `${mode}: Pro churned`);
  near(pro.New, 50, `${mode}: Pro new`);
  near(pro['End MRR'], 50, `${mode}: Pro end`);
}

for (const mode of ['served', 'file']) {
  test(`${mode}: a subscriptions file shows the hand-computed MRR, bridge, churn, retention and cohorts`, async () => {
    const { context, page, log } = await openPage(session.browser);
    try {
      await page.goto(mode === 'served' ? session.server.url : singleFileUrl);
      await dropFiles(page, [{ name: 'movements.csv', text: customers('movements.csv') }]);
      await waitForState(page, 'ready');
      assert.equal(await page.isVisible('#customers-view'), true, 'the customers view is shown');
      assert.equal(await page.isVisible('#view-tabs'), false, 'no tabs: there is nothing but customers');
      await checkMovements(page, mode);

      // Quarters (README: Q1 210, all new; Q2 220 with C new in Q2): the engine runs again.
      await page.selectOption('#customer-grain-select', 'quarter');
      await waitForRows(page, 'churn-table', ['2024-Q1', '2024-Q2']);
      near((await readCards(page)).mrr.value, 220, `${mode}: MRR by quarter`);
      await page.selectOption('#bridge-scope-select', ''); // the plan chosen above is kept over the re-run
      const q2 = Object.fromEntries((await readTable(page, 'bridge-table')).rows.map((row) => [row[0].text, Number(row[1].value)]));
      near(q2['Start MRR'], 210, `${mode}: Q2 start`);
      near(q2.New, 10, `${mode}: Q2 new (C was never active at a quarter's end)`);
      // The choice is in the exported config.
      const config = JSON.parse((await clickDownload(page, page.locator('#export-config-button'))).text);
      assert.deepEqual(config.customers, { grain: 'quarter' });
      // And remembered for this header: the same file in a new page of this browser profile comes in by quarter.
      const again = await context.newPage();
      await again.goto(mode === 'served' ? session.server.url : singleFileUrl);
      await dropFiles(again, [{ name: 'movements.csv', text: customers('movements.csv') }]);
      await waitForRows(again, 'churn-table', ['2024-Q1', '2024-Q2']);
      assert.equal(await again.inputValue('#customer-grain-select'), 'quarter');
      assert.deepEqual(log.pageErrors, []);
    } finally {
      await context.close();
    }
  });
}

test('churn recognition re-runs the engine: cancellation ends X on 20 Feb and Z on 20 Mar', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropFiles(page, [{ name: 'cancel_at_period_end.csv', text: customers('cancel_at_period_end.csv') }]);
    await waitForState(page, 'ready');
    // README "cancel_at_period_end.csv": period_end gives MRR 90, 90, 60; cancellation 90, 60, 30.
    const endOf = async () => Object.values(await tableByRow(page, 'movements-table')).map((row) => row.at(-1));
    assert.deepEqual(await endOf(), [90, 90, 60]);
    await page.selectOption('#churn-select', 'cancellation');
    await page.waitForFunction(() => document.body.dataset.state === 'ready' &&
      [...document.querySelectorAll('table[data-testid="movements-table"] tbody tr')].at(-1)?.lastElementChild.dataset.value === '30');
    assert.deepEqual(await endOf(), [90, 60, 30]);
    assert.equal(await page.inputValue('#churn-select'), 'cancellation');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

for (const mode of ['served', 'file']) {
  test(`${mode}: a Telco churn file shows the snapshot's hand-computed figures and churn by contract`, async () => {
    const { context, page, log } = await openPage(session.browser);
    try {
      await page.goto(mode === 'served' ? session.server.url : singleFileUrl);
      await dropFiles(page, [{ name: 'telco_sample.csv', text: customers('telco_sample.csv') }]);
      await waitForState(page, 'ready');
      assert.equal(await page.isVisible('#snapshot-panel'), true);
      assert.equal(await page.isVisible('#period-panels'), false, 'no subscriptions: no period figures');
      // README "telco_sample.csv": churn 3 ÷ 8, retained MRR 254.15, ARPA 254.15 ÷ 5, tenure 164 ÷ 8.
      const cards = await readCards(page);
      near(cards.snapshot_customers.value, 8, `${mode}: customers`);
      near(cards.snapshot_churn_rate.value, 37.5, `${mode}: churn rate`);
      assert.equal(cards.snapshot_churn_rate.text, '37.5%');
      near(cards.snapshot_retention_rate.value, 62.5, `${mode}: retention`);
      near(cards.snapshot_retained_mrr.value, 254.15, `${mode}: MRR of retained`);
      near(cards.snapshot_arpa.value, 50.83, `${mode}: ARPA`);
      near(cards.snapshot_average_tenure.value, 20.5, `${mode}: average tenure`);
      // Tenure bands: < 6 months 2 of 4 churned; 6–12 months 1 of 1.
      const bands = await tableByRow(page, 'snapshot-table');
      near(bands['< 6 months'][1], 50, `${mode}: < 6 months churn`);
      near(bands['6–12 months'][1], 100, `${mode}: 6–12 months churn`);
      // By contract: month-to-month 3 of 4, one year 0, two year 0.
      await page.selectOption('#customer-by-select', 'Contract');
      await waitForRows(page, 'snapshot-table', ['Month-to-month', 'One year', 'Two year']);
      const contract = await tableByRow(page, 'snapshot-table');
      near(contract['Month-to-month'][0], 4, `${mode}: month-to-month customers`);
      near(contract['Month-to-month'][1], 75, `${mode}: month-to-month churn`);
      near(contract['Two year'][1], 0, `${mode}: two year churn`);
      assert.deepEqual(log.pageErrors, []);
    } finally {
      await context.close();
    }
  });
}

test('tickets dropped with a subscriptions file and a Telco file: tabs, and each view keeps its figures', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropFiles(page, [
      { name: 'two_weeks.csv', text: fixture('two_weeks.csv') },
      { name: 'movements.csv', text: customers('movements.csv') },
      { name: 'telco_sample.csv', text: customers('telco_sample.csv') },
    ]);
    await waitForState(page, 'ready');
    assert.equal(await page.isVisible('#view-tabs'), true);
    assert.equal(await page.isVisible('#support-view'), true, 'Support first');
    const cards = await readCards(page);
    assert.equal(Number(cards.tickets.value), 10);
    assert.equal(Number(cards.csat.value), 62.5);
    const inputs = await readTable(page, 'inputs-table');
    const kind = inputs.headers.indexOf('Kind');
    assert.deepEqual(inputs.rows.map((row) => row[kind].text).sort(), ['customers', 'subscriptions', 'tickets']);
    // The tabs work from the keyboard: arrow right selects Customers.
    await page.focus('#tab-support');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('#tab-customers', 'aria-selected'), 'true');
    assert.equal(await page.isVisible('#customers-view'), true);
    assert.equal(await page.isVisible('#support-view'), false);
    near((await readCards(page)).mrr.value, 220, 'MRR with tickets and a snapshot alongside');
    near((await readCards(page)).snapshot_churn_rate.value, 37.5, 'snapshot churn alongside');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('a column that is not a segment yet becomes one: the engine re-runs with it in `by`', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropFiles(page, [{ name: 'movements.csv', text: customers('movements.csv') }]);
    await waitForState(page, 'ready');
    const others = await page.$$eval('#customer-by-select optgroup[label="Other columns"] option', (list) => list.map((o) => o.value));
    assert.ok(others.includes('status'), `status is offered: ${others}`);
    await page.selectOption('#customer-by-select', 'status');
    // In April (README) the customers active are A, B, C, D, F, G, H, on rows with status "active" (220); the
    // "canceled" rows (subscriptions that ended: C's first, E's, F's Pro, G's Basic) hold no MRR then.
    await waitForRows(page, 'customer-breakdown-table', ['active', 'canceled']);
    const byStatus = await tableByRow(page, 'customer-breakdown-table');
    near(byStatus.active[0], 220, 'MRR of the active status');
    near(byStatus.canceled[0], 0, 'MRR of the canceled status');
    const config = JSON.parse((await clickDownload(page, page.locator('#export-config-button'))).text);
    assert.deepEqual(config.by, ['status']);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

// Plan names that are markup or formulas: shown as text, never run; exported CSV cells neutralised.
const IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1">';
const SCRIPT = '<script>window.__xss=(window.__xss||0)+1</script>';
const FORMULA = '=HYPERLINK("http://example.com","x")';
const csvField = (text) => `"${text.replaceAll('"', '""')}"`;

test('markup and formulas in plan names and customer ids stay inert; every export downloads, CSV neutralised', async () => {
  const { context, page, log } = await openPage(session.browser);
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });
  try {
    await page.goto(session.server.url);
    const rows = [
      'customer,plan,amount,interval,start date,end date,status',
      `${csvField(SCRIPT)},${csvField(IMG)},10,month,2024-01-10,,active`,
      `${csvField(IMG)},${csvField(FORMULA)},20,month,2024-01-12,2024-02-20,canceled`,
      `c3,${csvField(SCRIPT)},30,month,2024-02-01,,active`,
    ];
    await dropFiles(page, [{ name: 'xss_subscriptions.csv', text: `${rows.join('\n')}\n` }]);
    await waitForState(page, 'ready');
    const byPlan = await readTable(page, 'customer-breakdown-table');
    assert.deepEqual(byPlan.rows.map((row) => row[0].text).sort(), [IMG, SCRIPT, FORMULA].sort(), 'plan names as text');
    const scopes = await page.$$eval('#bridge-scope-select option', (options) => options.map((o) => o.textContent));
    assert.ok(scopes.includes(`plan: ${IMG}`), 'a payload in an option is text');

    // Every export button of the view downloads; the breakdown CSV neutralises the formula.
    const buttons = await page.locator('#customers-view .panel-actions button:visible').all();
    assert.ok(buttons.length >= 20, `export buttons: ${buttons.length}`);
    for (const button of buttons) {
      await page.waitForTimeout(110); // Chromium drops a download when ten started in the last second
      const { text, filename } = await clickDownload(page, button).catch((error) => {
        throw new Error(`${error.message} (button ${button})`);
      });
      assert.ok(text.length > 0, `${filename} is not empty`);
      if (filename.endsWith('.svg')) assert.ok(!text.includes('<img') && !text.includes('<script'), `${filename}: payloads escaped`);
    }
    const csv = parseCsv((await clickDownload(page, page.locator('[data-export="customer-breakdown-csv"]'))).text.replace(/^\ufeff/, ''));
    const names = csv.slice(1).map((row) => row[0]);
    assert.ok(names.includes(`'${FORMULA}`), `the formula cell is neutralised: ${JSON.stringify(names)}`);
    assert.ok(!names.some((name) => /^[=+\-@]/.test(name)), 'no cell starts a formula');

    assert.equal(await page.evaluate(() => window.__xss ?? 0), 0, 'no payload ran');
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'no CSP violation (the PNGs rasterise a data: SVG)');
    assert.equal(await page.locator('#main img, #main script, #main iframe').count(), 0);
    assert.deepEqual(dialogs, []);
    const origin = new URL(session.server.url).origin;
    assert.deepEqual(log.requests.filter((url) => !url.startsWith(origin) && !/^(blob|data):/.test(url)), [], 'no foreign request');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('at 360 px wide and in dark mode the customers view fits and keeps its contrast', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(session.server.url);
    await dropFiles(page, [{ name: 'movements.csv', text: customers('movements.csv') }]);
    await waitForState(page, 'ready');
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360, 'no horizontal scroll of the page');
    const colors = await page.$eval('table[data-testid="cohort-table"] td.heat.h10', (cell) => [getComputedStyle(cell).color, getComputedStyle(cell).backgroundColor]);
    assert.notEqual(colors[0], colors[1], 'a dark cohort cell keeps its text readable');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

// The health list in Chromium: the hand-computed activity fixture (tests/fixtures/customers/activity/,
// its README section: c4 ≈ 49.15 red, c1 ≈ 49.55 red, c2 ≈ 67.08 yellow; c3 ended before as_of and c5, c6
// have no subscription, so three are scored) is dropped with its config imported; the health panel's
// cards, rows and the engine's CSV of every score are read off the page. The scores themselves are the
// engine's (tests/engine/customer_activity_test.cpp has their arithmetic); the page sorts and formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowserAndServer, openPage, dropFiles, waitForState, readTable, clickDownload, parseCsv, root, singleFileUrl } from './helpers.mjs';

const session = useBrowserAndServer();
const dir = join(root, 'tests/fixtures/customers/activity');
const files = readdirSync(dir).filter((name) => name.endsWith('.csv')).map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
const config = readFileSync(join(dir, 'config.json'));

function near(got, expected, tolerance, what) {
  assert.ok(Math.abs(Number(got) - expected) <= tolerance, `${what}: got ${got}, expected ${expected}`);
}

for (const mode of ['served', 'file']) {
  test(`${mode}: the health panel lists the hand-computed scores, lowest first, and exports every one`, async () => {
    const { context, page, log } = await openPage(session.browser);
    try {
      await page.goto(mode === 'served' ? session.server.url : singleFileUrl);
      await dropFiles(page, files);
      await waitForState(page, 'ready');
      await page.setInputFiles('#import-config-input', { name: 'config.json', mimeType: 'application/json', buffer: config });
      await page.waitForFunction(() => document.body.dataset.state === 'ready' && !document.getElementById('health-panel').hidden, null, { timeout: 20_000 });
      await page.click('#tab-customers');

      const counts = Object.fromEntries(await page.$$eval('#health-cards .card', (cards) => cards.map((c) => [c.dataset.health, c.dataset.value])));
      assert.deepEqual({ red: counts.red, yellow: counts.yellow, green: counts.green }, { red: '2', yellow: '1', green: '0' });
      near(counts.mean, (49.15 + 49.55 + 67.08) / 3, 0.02, `${mode}: mean score`);

      const list = await readTable(page, 'health-table');
      assert.deepEqual(list.headers.slice(0, 3), ['Customer', 'Score', 'Band']);
      assert.deepEqual(list.rows.map((row) => [row[0].text, row[2].text]), [['c4', 'red'], ['c1', 'red'], ['c2', 'yellow']], 'lowest first');
      [49.15, 49.55, 67.08].forEach((score, i) => near(list.rows[i][1].value, score, 0.01, `${mode}: score of ${list.rows[i][0].text}`));
      // Sorting is the page's: a number column sorts highest first, then lowest first.
      const scoreHeader = 'table[data-testid="health-table"] thead th:nth-child(2)';
      await page.click(`${scoreHeader} button`);
      assert.equal(await page.getAttribute(scoreHeader, 'aria-sort'), 'descending');
      assert.deepEqual((await readTable(page, 'health-table')).rows.map((row) => row[0].text), ['c2', 'c1', 'c4']);
      await page.click(`${scoreHeader} button`);
      assert.deepEqual((await readTable(page, 'health-table')).rows.map((row) => row[0].text), ['c4', 'c1', 'c2']);

      // "All scores (CSV)": the engine's CSV, every scored customer.
      const all = parseCsv((await clickDownload(page, page.locator('[data-export="health-all-csv"]'))).text.replace(/^\ufeff/, ''));
      const customerColumn = all[0].indexOf('customer');
      assert.ok(customerColumn >= 0, `a customer column: ${all[0].join(',')}`);
      assert.deepEqual(all.slice(1).map((row) => row[customerColumn]).sort(), ['c1', 'c2', 'c4']);
      // The listed rows as CSV: one column per component's raw value, normalised value and contribution.
      const listed = parseCsv((await clickDownload(page, page.locator('[data-export="health-csv"]'))).text.replace(/^\ufeff/, ''));
      assert.deepEqual(listed[0].slice(0, 3), ['customer', 'score', 'band']);
      assert.equal(listed.length, 4);
      assert.deepEqual(log.pageErrors, []);
    } finally {
      await context.close();
    }
  });
}

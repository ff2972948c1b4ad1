// Customer-success files on the page: the page does not show the report's customers section yet, but a
// subscriptions file or a CRM churn file must not break it, and a ticket export dropped with one keeps
// its figures. The ticket figures are those of page.test.mjs (fixtures/two_weeks.csv: 10 tickets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowserAndServer, openPage, fixture, dropFiles, waitForState, readCards, readTable, root } from './helpers.mjs';

const session = useBrowserAndServer();
const customers = (name) => readFileSync(join(root, 'tests/fixtures/customers', name), 'utf8');

test('a subscriptions file alone is read, listed as subscriptions, and breaks nothing', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropFiles(page, [{ name: 'movements.csv', text: customers('movements.csv') }]);
    await waitForState(page, ['ready', 'error']);
    const inputs = await readTable(page, 'inputs-table');
    const kind = inputs.headers.indexOf('Kind');
    assert.equal(inputs.rows[0][kind].text, 'subscriptions');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('tickets dropped with a subscriptions file and a Telco file keep their figures', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropFiles(page, [
      { name: 'two_weeks.csv', text: fixture('two_weeks.csv') },
      { name: 'movements.csv', text: customers('movements.csv') },
      { name: 'telco_sample.csv', text: customers('telco_sample.csv') },
    ]);
    await waitForState(page, 'ready');
    const cards = await readCards(page);
    assert.equal(Number(cards.tickets.value), 10);
    assert.equal(Number(cards.csat.value), 62.5);
    const inputs = await readTable(page, 'inputs-table');
    const kind = inputs.headers.indexOf('Kind');
    assert.deepEqual(inputs.rows.map((row) => row[kind].text).sort(), ['customers', 'subscriptions', 'tickets']);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

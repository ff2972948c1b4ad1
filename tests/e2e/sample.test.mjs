// The sample export, both builds: the page makes it (web/sample_tickets.js) instead of carrying a copy,
// so in Chromium it must still be the file scripts/gen writes for --rows 1000 --seed 42 — same byte count,
// and the report the page shows for it has the figures the wasm module in Node computes from those bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBrowserAndServer, openPage, waitForState, clickDownload, readCards, readTable, root, singleFileUrl } from './helpers.mjs';
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';

const session = useBrowserAndServer();
let dir;
let expected;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kpilens-sample-'));
  const file = join(dir, 'sample-tickets.csv');
  writeFileSync(file, execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', '1000', '--seed', '42']));
  await loadEngine(process.env.KPILENS_WASM ?? join(root, 'build/wasm/kpilens.node.cjs'));
  expected = JSON.parse(await reportFromFiles([file], { grain: 'week' }));
});

after(() => rmSync(dir, { recursive: true, force: true }));

for (const mode of ['served', 'file']) {
  test(`${mode}: the sample is scripts/gen's 1,000 tickets and reports their figures`, async () => {
    const { context, page, log } = await openPage(session.browser);
    try {
      await page.goto(mode === 'served' ? session.server.url : singleFileUrl);
      await page.click('#sample-button');
      await waitForState(page, 'ready');
      assert.equal((await readCards(page)).tickets.value, '1000');

      const report = JSON.parse((await clickDownload(page, page.locator('[data-export="report-json"]'))).text);
      const [file] = report.input.files;
      assert.equal(file.name, 'sample-tickets.csv');
      assert.equal(file.bytes, expected.input.files[0].bytes, 'the same byte count as scripts/gen writes');
      assert.equal(file.rows, 1000);
      // Whole-dataset figures do not depend on the page's grain or breakdown.
      const figures = (r) => r.kpis.map((k) => ({ id: k.id, value: k.value, n: k.n }));
      assert.deepEqual(figures(report), figures(expected));
      assert.deepEqual(log.pageErrors, []);
    } finally {
      await context.close();
    }
  });
}

// The subscription sample (web/sample_subscriptions.js): scripts/gen --kind subscriptions --customers 300
// --seed 42, byte for byte (tests/web/sample_subscriptions.test.mjs), and the page's figures are those
// the wasm module in Node computes from the bytes scripts/gen writes.
let subscriptionsExpected;

before(async () => {
  const file = join(dir, 'sample-subscriptions.csv');
  writeFileSync(file, execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--kind', 'subscriptions', '--customers', '300', '--seed', '42']));
  subscriptionsExpected = JSON.parse(await reportFromFiles([file], { grain: 'week' }));
});

for (const mode of ['served', 'file']) {
  test(`${mode}: the subscription sample is scripts/gen's 300 customers and the Customers view shows their figures`, async () => {
    const { context, page, log } = await openPage(session.browser);
    try {
      await page.goto(mode === 'served' ? session.server.url : singleFileUrl);
      await page.click('#sample-subscriptions-button');
      await waitForState(page, 'ready');
      assert.equal(await page.isVisible('#customers-view'), true);
      const report = JSON.parse((await clickDownload(page, page.locator('[data-export="customers-report-json"]'))).text);
      const [file] = report.input.files;
      assert.equal(file.name, 'sample-subscriptions.csv');
      assert.equal(file.kind, 'subscriptions');
      assert.equal(file.bytes, subscriptionsExpected.input.files[0].bytes, 'the same byte count as scripts/gen writes');
      const figures = (r) => r.customers.kpis.map((k) => ({ id: k.id, value: k.value, n: k.n }));
      assert.deepEqual(figures(report), figures(subscriptionsExpected));
      const cards = await readCards(page);
      assert.equal(Number(cards.mrr.value), subscriptionsExpected.customers.kpis.find((k) => k.id === 'mrr').value);
      assert.ok((await readTable(page, 'cohort-table')).rows.length > 12, 'a cohort per month');
      assert.deepEqual(log.pageErrors, []);
    } finally {
      await context.close();
    }
  });
}

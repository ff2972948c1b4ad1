// What a file can do to the page, and what the page does on the network:
// - XSS: markup in headers and cells stays text wherever the page shows it.
// - Network and CSP: a whole session (load, drop, re-runs, every export) talks only to the page's own
//   origin (or data:/blob:), and the Content-Security-Policy is never violated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowserAndServer,
  openPage, fixture, dropAndWait, waitForState, waitForPeriods, readTable, inlineHandlers,
  singleFileUrl,
} from './helpers.mjs';

const IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1">';
const SCRIPT = '<script>window.__xss=(window.__xss||0)+1</script>';
const JS_URL = 'javascript:window.__xss++';
const SVG = '"><svg onload="window.__xss=(window.__xss||0)+1">';
const PAYLOADS = [IMG, SCRIPT, JS_URL, SVG];

const session = useBrowserAndServer();

async function xssCount(page) {
  return page.evaluate(() => window.__xss);
}

// fixtures/xss.csv: rows 1–4 carry the four payloads in Via (channel) and Assignee (agent), each once;
// three extra columns have payloads as headers (and cells); row 5's Created at is a payload (rejected),
// row 6's Replies is one (a value issue, row kept).
test('XSS: markup in headers and cells is shown as text and never runs', async () => {
  const { context, page, log } = await openPage(session.browser);
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  try {
    await page.goto(session.server.url);
    await dropAndWait(page, 'xss.csv', fixture('xss.csv'));

    // Open every <details> shown (the data tables) by clicking its summary.
    for (const summary of await page.locator('details > summary:visible').all()) await summary.click();
    assert.equal(await page.locator('details:not([open]):visible').count(), 0, 'every <details> shown is open');

    // Breakdown by channel (the default), then by agent: the payloads are the segment names, as text.
    const byChannel = await readTable(page, 'breakdown-table');
    for (const payload of PAYLOADS) {
      assert.ok(byChannel.rows.some((r) => r[0].text === payload), `channel breakdown shows ${payload} as text`);
    }
    await page.selectOption('#by-select', 'agent');
    await page.waitForFunction(() => document.getElementById('breakdown-title').textContent === 'Breakdown by agent');
    const byAgent = await readTable(page, 'breakdown-table');
    for (const payload of PAYLOADS) {
      assert.ok(byAgent.rows.some((r) => r[0].text === payload), `agent breakdown shows ${payload} as text`);
    }

    // A column whose header is a payload, chosen as the breakdown (the engine re-runs with it).
    const options = await page.$$eval('#by-select option', (list) => list.map((o) => o.value));
    for (const header of [IMG, SVG, SCRIPT]) assert.ok(options.includes(header), `the breakdown menu offers the column ${header}`);
    await page.selectOption('#by-select', IMG);
    await page.waitForFunction((title) => document.getElementById('breakdown-title').textContent === title, `Breakdown by ${IMG}`);
    await waitForState(page, 'ready');
    for (const summary of await page.locator('details:not([open]) > summary:visible').all()) await summary.click();
    const byHeader = await readTable(page, 'breakdown-table');
    assert.equal(byHeader.headers[0], IMG, 'the header payload is the first column label, as text');
    for (const payload of [SVG, SCRIPT, JS_URL]) {
      assert.ok(byHeader.rows.some((r) => r[0].text === payload), `the payload column's values include ${payload}`);
    }

    // The mapping section lists the payload headers among the unused columns; the rejected row and the
    // value issue quote the payloads (the engine cuts the quote at 40 characters).
    const mappingText = await page.textContent('#mapping');
    for (const header of [SVG, SCRIPT]) assert.ok(mappingText.includes(header), `#mapping shows the header ${header}`);
    const rejected = await readTable(page, 'rejected-table');
    assert.ok(rejected.rows.some((r) => r.some((c) => c.text.includes(IMG.slice(0, 40)))), 'rejected-table quotes the payload');
    const issues = await readTable(page, 'value-issues-table');
    assert.ok(issues.rows.some((r) => r.some((c) => c.text.includes(SCRIPT.slice(0, 30)))), 'value-issues-table quotes the payload');

    // Nothing ran: no counter, no element built from the payloads, no inline handler anywhere.
    await page.waitForTimeout(300); // give an injected onerror/onload a chance to fire
    const count = await xssCount(page);
    assert.ok(count === undefined || count === 0, `window.__xss is ${count}`);
    assert.deepEqual(await inlineHandlers(page), [], 'no on* attribute in the document');
    assert.equal(await page.locator('#main img, #main script, #main iframe, #main object, #main a[href^="javascript"]').count(), 0,
      'no img/script/iframe/object/javascript: link inside the report');
    assert.equal(await page.locator('#main svg:not(.sparkline)').evaluateAll((list) => list.filter((svg) => !svg.closest('.chart')).length), 0,
      'the only SVGs are the sparklines and the charts');
    // The charts draw the payloads (axis labels) as SVG text: no element came from them.
    assert.equal(await page.locator('.chart svg :is(img, script, foreignObject, iframe, a)').count(), 0, 'no markup element inside a chart');
    assert.deepEqual(dialogs, []);
    assert.ok(!log.requests.some((url) => /\/x$/.test(url)), 'no request for the <img src=x> of the payload');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

// Clicks every export button of every panel shown (CSV, JSON, PNG, SVG, the full report); each must download.
async function clickEveryExport(page, log) {
  const buttons = await page.locator('.panel-actions button:visible').all();
  assert.ok(buttons.length >= 8, `export buttons found: ${buttons.length}`);
  const exported = [];
  const dataExports = new Set(await page.$$eval('[data-export]', (list) => list.map((b) => b.dataset.export)));
  for (const expected of ['trend-csv', 'trend-json', 'breakdown-csv', 'breakdown-json', 'nps-csv', 'kpis-csv', 'kpis-json', 'report-json']) {
    assert.ok(dataExports.has(expected), `a button with data-export=${expected}`);
  }
  for (const button of buttons) {
    // Chromium drops a download when ten already started in the last second (a browser throttle, not the
    // page): pace the clicks like a fast person would.
    await page.waitForTimeout(110);
    const label = `${await button.evaluate((b) => b.closest('.panel-actions').id)} ${await button.textContent()}`;
    let download;
    try {
      [download] = await Promise.all([page.waitForEvent('download', { timeout: 5_000 }), button.click()]);
    } catch (error) {
      assert.fail(`${label}: no download within 5 s (${error.message.split('\n')[0]}); console: ${log.console.join(' | ')}; page errors: ${log.pageErrors.join(' | ')}`);
    }
    assert.equal(await download.failure(), null, `${label}: the download completed`);
    exported.push(download.suggestedFilename());
  }
  return exported;
}

const CSP_WORDS = /Content Security Policy|Content-Security-Policy/i;

for (const mode of ['served', 'file']) {
  test(`${mode}: a whole session requests nothing outside the page and violates no CSP rule`, async () => {
    const { context, page, log } = await openPage(session.browser, { watchWorkers: true });
    try {
      const pageUrl = mode === 'served' ? session.server.url : singleFileUrl;
      await page.goto(pageUrl);
      await dropAndWait(page, 'two_weeks.csv', fixture('two_weeks.csv'));
      await page.selectOption('#grain-select', 'month');
      await waitForPeriods(page, ['2024-03']);
      await page.selectOption('#grain-select', 'day');
      await waitForPeriods(page, Array.from({ length: 12 }, (_, i) => `2024-03-${String(4 + i).padStart(2, '0')}`));
      await page.selectOption('#by-select', 'agent');
      await page.waitForFunction(() => document.getElementById('breakdown-title').textContent === 'Breakdown by agent');
      await page.selectOption('#trend-select', 'csat');
      await page.waitForFunction(() => document.getElementById('trend-chart').getAttribute('aria-label').startsWith('CSAT'));
      const exported = await clickEveryExport(page, log);
      assert.ok(exported.some((name) => name.endsWith('.png')) && exported.some((name) => name.endsWith('.svg')));
      await page.click('#sample-button');
      await waitForState(page, 'ready');

      // Requests: the page's own origin (served) or the page file itself (file://), else data: or blob:.
      assert.ok(log.requests.length > 0, 'requests were recorded');
      const origin = mode === 'served' ? session.server.origin : null;
      const outside = log.requests.filter((url) => {
        if (url.startsWith('data:')) return false;
        if (url.startsWith('blob:')) {
          // A blob URL carries its creator's origin: blob:http://localhost:port/… or blob:null/… for file://.
          const inner = url.slice(5);
          return mode === 'served' ? !inner.startsWith(`${origin}/`) : !inner.startsWith('null/') && !inner.startsWith('file://');
        }
        if (mode === 'served') return new URL(url).origin !== origin;
        return url.split('#')[0] !== pageUrl;
      });
      assert.deepEqual(outside, [], `every request stays on the page (all: ${log.requests.join(', ')})`);
      assert.ok(log.workers.length > 0 && log.workers.every((url) => url.startsWith('blob:')), `the engine runs in a Blob worker (${log.workers})`);

      // CSP: no violation event, no console message about the policy.
      const violations = await page.evaluate(() => window.__cspViolations);
      assert.deepEqual(violations, [], 'no securitypolicyviolation event');
      const cspMessages = log.console.filter((m) => CSP_WORDS.test(m) || /securitypolicyviolation/.test(m));
      assert.deepEqual(cspMessages, [], 'no console message about the Content Security Policy (page or worker)');
      assert.ok(await page.evaluate(() => window.__watchedWorkers) >= 1, 'the engine worker was watched for violations');
      assert.deepEqual(log.pageErrors, []);
    } finally {
      await context.close();
    }
  });
}

// Cancel: a large export (≥ 600 MB, generated once by scripts/gen.mjs and deleted afterwards) is opened with
// the file picker; while it is being read, Cancel stops it within a second and the page stays usable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBrowserAndServer, openPage, readCards, waitForState, clickDownload, root } from './helpers.mjs';

// The test clicks Cancel (and presses Escape) from here, as a user does, once it has seen the run under way,
// so the run must last well past that. A 206 MB file no longer did: the page read it in 0.8–1.2 s (2 cores,
// 2 workers), and the click landed up to 0.9 s after the first progress, at up to 92 % of the file (6 runs);
// a click after the end waits 30 s for the hidden button. 4,350,000 rows (620.9 MB; scripts/gen writes ~143
// bytes a row) take 3–4.5 s; in 6 runs of this test Cancel landed at 1–43 % of the file (43 % with the
// machine's load average at 5) and Escape at 0–16 %. The diagnostics say where each run was stopped.
const ROWS = 4_350_000;
const MIN_BYTES = 600e6;

const session = useBrowserAndServer();
let dir;
let bigPath;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kpilens-e2e-'));
  bigPath = join(dir, 'big.csv');
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', String(ROWS), '--seed', '3', '--out', bigPath], { stdio: 'inherit' });
});

after(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens the big file with the picker and waits until the progress shows bytes read. */
async function startBigRun(page) {
  await page.setInputFiles('#file-input', bigPath);
  // The bar is read by the step that sees the run under way, not by a later call: by then the run may
  // have moved on, or ended.
  const seen = await page.waitForFunction(() => document.body.dataset.state === 'running' &&
    !document.getElementById('progress').hidden && document.getElementById('progress-bar').value > 0 &&
    /MB of/.test(document.getElementById('progress-text').textContent) && document.getElementById('progress-bar').value,
  null, { timeout: 15_000 });
  const progress = await seen.jsonValue();
  assert.ok(progress > 0 && progress < 1, `the run is under way (progress ${progress})`);
}

/**
 * Notes in the page when Cancel reaches it (a click on the button or the Escape key: the input event's own
 * time, taken when the browser got the input) and when the page then shows the run stopped, in each state it
 * stops in. The time between is the page's: not Playwright's checks before it sends a click, nor the polling
 * by which the test sees the result. Measured from the test, a stop took up to 1,113 ms on this loaded
 * 2-core machine (page.click, the page's own part 3-19 ms in 6 runs).
 */
function watchCancel(context) {
  return context.addInitScript(() => {
    window.__cancel = null;
    const input = (event) => { window.__cancel = { input: event.timeStamp, stopped: {} }; };
    addEventListener('click', (event) => { if (event.target.id === 'cancel-button') input(event); }, true);
    addEventListener('keydown', (event) => { if (event.key === 'Escape') input(event); }, true);
    new MutationObserver(() => {
      const cancel = window.__cancel;
      if (!cancel || !document.getElementById('progress').hidden ||
        !/cancel/i.test(document.getElementById('status').textContent)) return;
      cancel.stopped[document.body.dataset.state] ??= performance.now();
    }).observe(document, { subtree: true, attributes: true, childList: true, characterData: true });
  });
}

/**
 * Clicks Cancel as a user does: the mouse, at the button, without first waiting for the page to be still
 * as page.click does (a user's click does not wait for the page, and the time to stop counts from it).
 */
async function clickCancel(page) {
  const box = await page.locator('#cancel-button').boundingBox();
  assert.ok(box, 'the Cancel button is shown');
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** Waits until the run is stopped in `endState`; returns the ms from Cancel reaching the page to that. */
async function waitStopped(page, endState) {
  const stopped = await page.waitForFunction((wanted) => document.getElementById('progress').hidden &&
    document.body.dataset.state === wanted && /cancel/i.test(document.getElementById('status').textContent) &&
    window.__cancel?.stopped[wanted] !== undefined && { ms: window.__cancel.stopped[wanted] - window.__cancel.input },
  endState, { timeout: 5000 });
  return Math.round((await stopped.jsonValue()).ms);
}

/** How much of the file the stopped run had read, in % (the bar keeps its value until the next run). */
async function stoppedAt(page) {
  return Math.round(100 * await page.evaluate(() => document.getElementById('progress-bar').value));
}

test('cancel stops a 600 MB run within a second and the page stays usable', async (t) => {
  const size = statSync(bigPath).size;
  assert.ok(size >= MIN_BYTES, `the generated export has ${size} bytes (≥ ${MIN_BYTES} wanted)`);

  const { context, page, log } = await openPage(session.browser);
  try {
    await watchCancel(context);
    const closedWorkers = [];
    page.on('worker', (worker) => worker.on('close', () => closedWorkers.push(worker.url())));
    await page.goto(session.server.url);

    // 1. Cancel button, nothing shown yet: the page returns to 'cancelled'.
    await startBigRun(page);
    const started = Date.now();
    await clickCancel(page);
    const ms = await waitStopped(page, 'cancelled');
    const seen = Date.now() - started;
    assert.ok(ms < 1000, `stopped in ${ms} ms`);
    assert.match(await page.textContent('#status'), /cancel/i);
    assert.equal(await page.isHidden('#report'), true, 'no report from the cancelled run');
    // The worker thread really ends. It closed 0.19–0.53 s after the click in three runs of this test
    // (December 2026); when the test was first written, it closed ~2.05 s after the click, its thread
    // busy until then: Chromium may let a busy worker's task run on after terminate(). 3.5 s allows
    // for that.
    while (closedWorkers.length === 0 && Date.now() - started < 3500) await page.waitForTimeout(50);
    const closedAfter = Date.now() - started;
    assert.ok(closedWorkers.length >= 1, `the engine worker was terminated (waited ${closedAfter} ms)`);
    t.diagnostic(`UI stopped ${ms} ms after the click reached the page (the test saw it ${seen} ms after sending ` +
      `the click), at ${await stoppedAt(page)} % of the file; the worker thread closed after ${closedAfter} ms`);
    // Nothing arrived from the stopped run meanwhile.
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'cancelled');
    assert.equal(await page.isHidden('#report'), true);

    // 2. Still usable: the bundled sample runs to a report (1,000 tickets by construction of the sample).
    await page.click('#sample-button');
    await waitForState(page, 'ready');
    assert.equal((await readCards(page)).tickets.value, '1000');

    // 3. Escape cancels too; the report already shown stays (state back to 'ready', same figures).
    await startBigRun(page);
    const again = Date.now();
    await page.keyboard.press('Escape');
    const ms2 = await waitStopped(page, 'ready');
    const seen2 = Date.now() - again;
    assert.ok(ms2 < 1000, `Escape stopped the run in ${ms2} ms`);
    t.diagnostic(`Escape: UI stopped ${ms2} ms after the key press reached the page (the test saw it ${seen2} ms ` +
      `after sending it), at ${await stoppedAt(page)} % of the file`);
    assert.equal((await readCards(page)).tickets.value, '1000', 'the previous report is still shown');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

// After a cancelled run the page keeps showing the previous dataset's report; everything that names or
// re-runs "the current dataset" must then mean that dataset, not the cancelled one.
test('after a cancel the shown report, the current dataset and the exports agree', async () => {
  const { context, page } = await openPage(session.browser);
  try {
    await watchCancel(context);
    await page.goto(session.server.url);
    await page.click('#sample-button');
    await waitForState(page, 'ready');
    await startBigRun(page);
    await clickCancel(page);
    await waitStopped(page, 'ready');

    const report = await clickDownload(page, page.locator('[data-export="report-json"]'));
    const shownName = JSON.parse(report.text).input.files[0].name;
    assert.equal(shownName, 'sample-tickets.csv', 'the report still shown is the sample');
    const current = await page.$$eval('#datasets button[aria-current="true"]', (buttons) => buttons.map((b) => b.textContent));
    assert.deepEqual(current, [shownName], 'the dataset marked current is the one whose report is shown');
    assert.equal(report.filename, 'kpilens-report-sample-tickets-csv.json', 'the full report is named after its dataset');

    // A new period re-groups the shown dataset; it does not start reading the cancelled 600 MB file. The
    // line that names the file read lasts only until the run's first progress (17-53 ms for the sample), so
    // the page notes every line as it is set: read afterwards, the progress line was most often there
    // instead, and names no file.
    await page.evaluate(() => {
      const text = document.getElementById('progress-text');
      window.__progressLines = [];
      new MutationObserver(() => window.__progressLines.push(text.textContent))
        .observe(text, { childList: true, characterData: true, subtree: true });
    });
    await page.selectOption('#grain-select', 'month');
    await waitForState(page, 'ready');
    const lines = await page.evaluate(() => window.__progressLines);
    assert.ok(lines.some((line) => line.includes('sample-tickets.csv')), `the sample is read again: ${lines.join(' | ')}`);
    assert.ok(!lines.some((line) => line.includes('big.csv')), `changing the period re-reads the cancelled file: ${lines.join(' | ')}`);
  } finally {
    await page.keyboard.press('Escape').catch(() => {});
    await context.close();
  }
});

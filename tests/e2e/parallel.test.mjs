// Parallel reading in the page (web/parallel_read.js): a ~50 MB generated export picked with the file input
// is read by 2 workers (the engine worker and a helper) and gives the same report, byte for byte, as the
// same page reading it with one worker (navigator.hardwareConcurrency set to 1 before the page loads);
// the single file opened from file:// reads it in parallel too; Cancel terminates every worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBrowserAndServer, openPage, waitForState, clickDownload, root, singleFileUrl } from './helpers.mjs';
import { csvRecords } from '../wasm/uneven_export.mjs';

// scripts/gen writes ~142 bytes a row, so 360,000 rows ≈ 51 MB (over the page's 32 MiB threshold).
const ROWS = 360_000;

const session = useBrowserAndServer();
let dir;
let path;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kpilens-e2e-parallel-'));
  path = join(dir, 'tickets.csv');
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', String(ROWS), '--seed', '4', '--out', path], { stdio: 'inherit' });
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Pages of `context` see `cores` as navigator.hardwareConcurrency (set before any script of theirs runs). */
function setCores(context, cores) {
  return context.addInitScript((n) => {
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n, configurable: true });
  }, cores);
}

/** Opens `url` with `cores` as navigator.hardwareConcurrency; reads the export; the report JSON and workers. */
async function reportWith(url, cores) {
  const { context, page, log } = await openPage(session.browser);
  try {
    await setCores(context, cores);
    const started = [];
    page.on('worker', (worker) => started.push(worker.url()));
    await page.goto(url);
    await page.setInputFiles('#file-input', path);
    await waitForState(page, 'ready', 120_000);
    // The workers that read the file (the page starts the next run's helpers a moment after a run).
    const workers = started.length;
    const report = await clickDownload(page, page.locator('[data-export="report-json"]'));
    assert.deepEqual(log.pageErrors, []);
    // The engine worker says how it read each large file (web/worker.js).
    const parts = log.console.map((m) => /kpilens: [\w.]+\.csv: (\d+) part/.exec(m)?.[1]).find(Boolean);
    return { json: report.text, workers, parts: Number(parts ?? 0), console: log.console };
  } finally {
    await context.close();
  }
}

// The served page's report of `path` read by one worker (made once for the tests that compare with it).
let oneWorker = null;
const oneWorkerReport = async () => {
  oneWorker ??= await reportWith(session.server.url, 1);
  return oneWorker;
};

test('a 50 MB export read by 2 workers gives the report one worker gives, served and from file://', async (t) => {
  assert.ok(statSync(path).size > 32 << 20);
  const one = await oneWorkerReport();
  const two = await reportWith(session.server.url, 2);
  t.diagnostic(`workers started: ${one.workers} with 1 core, ${two.workers} with 2`);
  assert.equal(one.workers, 1);
  assert.equal(two.workers, 2, 'the engine worker and one helper');
  // Two parts, or more when the engine worker, done first, took over the end of the helper's part
  // (parallel_read.mjs step 2c: from file:// the helper compiles its own engine and may start late).
  assert.ok(two.parts >= 2, `read in two parts or more: ${two.console.join(' | ')}`);
  // Served, the helper instantiates the engine worker's compiled module (posted, not compiled again);
  // from file:// Chromium does not deliver it and the helper loads its own (web/parallel_read.js).
  assert.ok(two.console.some((m) => m.endsWith("1 helper(s) on this worker's compiled module")), two.console.join(' | '));
  assert.equal(two.json, one.json);
  assert.equal(JSON.parse(two.json).input.files[0].rows_used > 300_000, true);
  const local = await reportWith(singleFileUrl, 2);
  assert.equal(local.workers, 2, 'file:// starts the helper too');
  assert.ok(local.parts >= 2, `file://: read in two parts or more: ${local.console.join(' | ')}`);
  assert.equal(local.json, one.json);
});

test('the engine worker, done first, takes over the end of a busy helper\'s part, and the report is one worker\'s', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await setCores(context, 2);
    const started = [];
    page.on('worker', (worker) => started.push(worker));
    await page.goto(session.server.url);
    const since = Date.now();
    while (started.length < 2 && Date.now() - since < 20_000) await page.waitForTimeout(50);
    assert.equal(started.length, 2, 'the engine worker and the helper started ahead');
    // The helper's thread is kept busy for 4 s from before the drop (a busy core: DevTools runs the loop in
    // its thread), which it first says on a BroadcastChannel (delivered while it loops). Meanwhile the engine
    // worker reads the head and its own part of the ~51 MB export (~0.2 s) and asks the helper for the end of
    // its part (parallel_read.mjs step 2c); once the loop is over the helper answers "later" until it has
    // read some of its ~25 MB, then with a cut by both rates, and the engine worker reads that end itself.
    // (The test read a file whose first half costs less a byte before: in the page the bytes coming through
    // the browser cost about as much as reading them, and a fresh-clone CI run once read it in two parts. A
    // loop sent after the drop may come after the helper's part: commands from here have come 0.9 s late.)
    await page.evaluate(() => {
      globalThis.helperBusy = new Promise((resolve) => {
        const channel = new BroadcastChannel('kpilens-test-busy');
        channel.onmessage = () => {
          channel.close();
          resolve();
        };
      });
    });
    const busy = started[1].evaluate((ms) => {
      new BroadcastChannel('kpilens-test-busy').postMessage('busy');
      const end = performance.now() + ms;
      while (performance.now() < end);
    }, 4000);
    // (A loop that failed fails the test here, not a wait for its message.)
    await Promise.race([page.evaluate(() => globalThis.helperBusy), busy]);
    await page.setInputFiles('#file-input', path);
    await waitForState(page, 'ready', 120_000);
    await busy;
    assert.equal(started.length, 2, 'the run took the helper started ahead');
    const line = log.console.find((m) => m.includes('kpilens: tickets.csv:'));
    const took = Number(/: [3-9] part\(s\), (\d+) bytes of helpers' parts taken over/.exec(line ?? '')?.[1] ?? 0);
    assert.ok(took >= 4 << 20, log.console.join(' | '));
    const report = await clickDownload(page, page.locator('[data-export="report-json"]'));
    assert.deepEqual(log.pageErrors, []);
    assert.equal(report.text, (await oneWorkerReport()).json);
  } finally {
    await context.close();
  }
});

test('the helper is started before the drop, once the engine has warmed up, and again after the run', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await setCores(context, 2);
    const started = [];
    const closed = [];
    page.on('worker', (worker) => {
      started.push(worker);
      worker.on('close', () => closed.push(worker));
    });
    await page.goto(session.server.url);
    // The engine worker, then (web/engine_client.js prepareHelpers) the helper a large file would take.
    const since = Date.now();
    while (started.length < 2 && Date.now() - since < 20_000) await page.waitForTimeout(50);
    assert.equal(started.length, 2, 'the engine worker and a helper, before any file');
    // Before the drop the helper has the engine worker's module and has touched its memory, then made and
    // touched the buffer its state goes into (web/worker.js helperIdle's marks): a page fault each 4 KiB
    // that its part would otherwise take.
    const marks = () => started[1].evaluate(() => ['kpilens:touched', 'kpilens:spare'].map((name) => performance.getEntriesByName(name).length));
    while ((await marks()).includes(0) && Date.now() - since < 30_000) await page.waitForTimeout(50);
    assert.deepEqual(await marks(), [1, 1], 'the helper touched its memory and its spare before the drop');
    await page.setInputFiles('#file-input', path);
    await waitForState(page, 'ready', 120_000);
    assert.equal(started.length, 2, 'the run took the helper started ahead');
    assert.ok(log.console.some((m) => m.endsWith("1 helper(s) on this worker's compiled module")), log.console.join(' | '));
    // The report is one worker's (its ~6 MB state went into that buffer: a temporary log showed it once;
    // not checked here).
    const report = await clickDownload(page, page.locator('[data-export="report-json"]'));
    assert.equal(report.text, (await oneWorkerReport()).json);
    // After the run its helper ends, and a fresh one is started for the next large file.
    while ((started.length < 3 || closed.length < 1) && Date.now() - since < 60_000) await page.waitForTimeout(50);
    assert.deepEqual([started.length, closed.length], [3, 1]);
    assert.equal(closed[0], started[1], 'the helper that read the file ended');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('the helper is started ahead also when the engine warmed up before the page\'s script ran', async () => {
  // The engine worker starts from engine_start.js in <head>; its 'warm' can come before app.js takes the
  // worker over (a slow network, a busy machine). Here app.js comes 3 s late: the warm-up is long done.
  const { context, page, log } = await openPage(session.browser);
  try {
    await setCores(context, 2);
    let appAsked = 0;
    await page.route('**/app.js', async (route) => {
      appAsked += 1;
      await new Promise((resolve) => { setTimeout(resolve, 3000); });
      await route.continue();
    });
    const started = [];
    page.on('worker', (worker) => started.push(worker));
    await page.goto(session.server.url);
    assert.equal(appAsked, 1);
    const since = Date.now();
    while (started.length < 2 && Date.now() - since < 20_000) await page.waitForTimeout(50);
    assert.equal(started.length, 2, 'the engine worker and a helper, before any file');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('one core: no helper is started ahead', async () => {
  const { context, page } = await openPage(session.browser);
  try {
    await setCores(context, 1);
    const started = [];
    page.on('worker', (worker) => started.push(worker.url()));
    await page.goto(session.server.url);
    // A run's end is when a machine with more cores starts them again (2 s later: web/engine_client.js).
    await page.setInputFiles('#file-input', join(root, 'tests/fixtures/zendesk_tickets.csv'));
    await waitForState(page, 'ready', 30_000);
    await page.waitForTimeout(3000);
    assert.equal(started.length, 1, started.join(' '));
  } finally {
    await context.close();
  }
});

test('cancel terminates the engine worker and its helper', async () => {
  const { context, page } = await openPage(session.browser);
  try {
    await setCores(context, 2);
    const closed = [];
    page.on('worker', (worker) => worker.on('close', () => closed.push(worker.url())));
    await page.goto(session.server.url);
    // Cancel is clicked by an observer in the page, in the task that draws the run's first progress: the
    // ~51 MB run takes a few hundred ms, and it had ended before a click sent from here arrived (page.click
    // then waited 30 s for the hidden button), and once before a waitForFunction polling at each frame saw it
    // under way (a fresh-clone CI run). cancel.test.mjs clicks as a user does.
    const clicked = page.evaluate(() => new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error('no progress drawn while running within 30 s')), 30_000);
      const observer = new MutationObserver(() => {
        if (document.body.dataset.state !== 'running' || !(document.getElementById('progress-bar').value > 0)) return;
        observer.disconnect();
        document.getElementById('cancel-button').click();
        resolve();
      });
      observer.observe(document.body, { attributes: true, subtree: true, attributeFilter: ['value', 'data-state'] });
    }));
    await Promise.all([clicked, page.setInputFiles('#file-input', path)]);
    const started = Date.now();
    await page.waitForFunction(() => document.getElementById('progress').hidden && document.body.dataset.state === 'cancelled',
      null, { timeout: 1000 });
    // A worker busy in a long task may close ~2 s after terminate() (cancel.test.mjs).
    while (closed.length < 2 && Date.now() - started < 3500) await page.waitForTimeout(50);
    assert.ok(closed.length >= 2, `${closed.length} worker(s) closed: the engine worker and the helper`);
  } finally {
    await context.close();
  }
});

// The generated export with every row its own assignee: the head (256 KiB, ~1,800 rows) stays under
// max_segments (10,000 values per breakdown), the engine worker's own part passes it, so it reads on alone
// from the first cut and the helper's part is dropped (web/worker.js onAlone). Its rows four times (each
// copy with ids and assignees of its own, ~204 MB), so that the run lasts long enough for the page to draw
// its progress several times (at most every 250 ms: web/engine_client.js PROGRESS_DRAW_MS; once, 51 MB, and
// twice gave 3 or 4 lines). With `fromRow`, only the rows from there on (the helper's part), once: the engine
// worker's part stays under max_segments, the helper's does not, so the merge refuses it and the whole run
// is read again by the engine worker alone.
function uniqueAgentsFile(fromRow = 1) {
  const unique = join(dir, fromRow === 1 ? 'unique_agents.csv' : 'unique_agents_late.csv');
  if (existsSync(unique)) return unique;
  const records = csvRecords(readFileSync(path, 'utf8'));
  const header = records[0].split(',');
  const assignee = header.indexOf('Assignee');
  const id = header.indexOf('Id');
  assert.ok(assignee > 0 && id === 0);
  const rows = records.length - 1;
  const copies = fromRow === 1 ? 4 : 1;
  const out = [records[0]];
  for (let copy = 0; copy < copies; copy += 1) {
    for (let i = 1; i < records.length; i += 1) {
      // The cells up to the assignee's are never quoted (the comment, the last column, may hold commas).
      const cells = records[i].split(',');
      assert.ok(!cells.slice(0, assignee + 1).some((cell) => cell.includes('"')), records[i]);
      if (i >= fromRow) cells[assignee] = `Agent ${copy * rows + i}`;
      cells[id] = String(Number(cells[id]) + copy * rows);
      out.push(cells.join(','));
    }
  }
  writeFileSync(unique, out.join('\n') + '\n');
  return unique;
}

/**
 * Reads `files` in the page with 2 workers; every progress line it showed as {line, done, total, rows}
 * (MB and rows as numbers), the console, and the rows the report counts in each file.
 */
async function progressOf(files) {
  const { context, page, log } = await openPage(session.browser);
  try {
    await setCores(context, 2);
    await context.addInitScript(() => {
      // Every progress line the page shows ("52.3 MB of 50.8 MB · 361,234 rows · …"), as it changes.
      window.progressLines = [];
      window.progressNotes = []; // the line under it that says why the bar holds still
      const note = () => {
        const text = document.getElementById('progress-text')?.textContent;
        if (text && text !== window.progressLines.at(-1)) window.progressLines.push(text);
        const why = document.getElementById('progress-note');
        if (why && !why.hidden && why.textContent !== window.progressNotes.at(-1)) window.progressNotes.push(why.textContent);
      };
      new MutationObserver(note).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(session.server.url);
    await page.setInputFiles('#file-input', files);
    await waitForState(page, 'ready', 180_000);
    const number = (text) => Number(text.replace(/,/g, ''));
    const shown = (await page.evaluate(() => window.progressLines))
      .map((line) => /^([\d.,]+) MB of ([\d.,]+) MB · ([\d,]+) rows/.exec(line)).filter(Boolean)
      .map(([line, done, total, rows]) => ({ line, done: number(done), total: number(total), rows: number(rows) }));
    const fileRows = JSON.parse(await clickDownload(page, page.locator('[data-export="report-json"]')).then((r) => r.text))
      .input.files.map((f) => f.rows);
    const notes = await page.evaluate(() => window.progressNotes);
    return { shown, notes, console: log.console, fileRows };
  } finally {
    await context.close();
  }
}

test('when the engine worker drops the helper\'s part, the progress stays within the file', async () => {
  // The page must then count the engine worker's bytes only, not those plus the helper's: the bar never
  // passes the file.
  const { shown, notes, console: messages, fileRows: [rows] } = await progressOf(uniqueAgentsFile());
  const fallback = messages.find((m) => m.includes('unique_agents.csv') && m.includes('read by one worker'));
  assert.ok(fallback?.includes('from the first cut on'), messages.join(' | '));
  // The page says why the bar holds still while this worker reads again what the helper had read.
  assert.deepEqual(notes, ['unique_agents.csv: read by one worker (from the first cut on: a breakdown has more ' +
    'values than max_segments): the bar holds still until it passes what was read before.']);
  assert.ok(shown.length > 2, shown.map((s) => s.line).join(' | '));
  for (const { line, done, total, rows: read } of shown) {
    assert.ok(done <= total, `more bytes than the file: ${line}`);
    assert.ok(read <= rows, `more rows than the file's ${rows}: ${line}`);
  }
  assertNeverBack(shown);
});

test('when the parts cannot be merged, the page says the run is read again by one worker', async () => {
  const { shown, notes, console: messages, fileRows: [rows] } = await progressOf(uniqueAgentsFile(ROWS * 0.75));
  assert.ok(messages.some((m) => m.includes('unique_agents_late.csv: read again by one worker')), messages.join(' | '));
  assert.deepEqual(notes, ['unique_agents_late.csv: every file read again by one worker (a breakdown has more ' +
    'values than max_segments): the bar holds still until it passes what was read before.']);
  assert.equal(shown.at(-1).rows, rows, shown.at(-1).line);
  assertNeverBack(shown);
});

/** The progress shown never goes back (web/engine_client.js monotonicProgress). */
function assertNeverBack(shown) {
  shown.slice(1).forEach(({ line, done, rows }, i) => {
    assert.ok(done >= shown[i].done && rows >= shown[i].rows, `back from "${shown[i].line}" to "${line}"`);
  });
}

test('a file split, then one whose helper part is dropped: the progress counts both files to the end', async () => {
  // The helper's bytes and rows of the first file count once it is merged, whatever happens to the
  // second (its helper's part is dropped: the engine worker's count falls back by what the helper had
  // read of it, which it reads again, and the page holds the bar until it passes): the count never
  // passes the files, never goes back, and ends at all their bytes and rows.
  const { shown, console: messages, fileRows } = await progressOf([path, uniqueAgentsFile()]);
  // Split: two parts, or three when the engine worker took over the end of its helper's part (a
  // helper slower for a while: docs/architecture.md, "The end of a helper's part, taken over").
  const split = messages.map((m) => /tickets\.csv: (\d+) part\(s\)/.exec(m)).find(Boolean);
  assert.ok(split && Number(split[1]) >= 2, messages.join(' | '));
  assert.ok(messages.some((m) => m.includes('unique_agents.csv') && m.includes('from the first cut on')), messages.join(' | '));
  const allRows = fileRows.reduce((a, b) => a + b, 0);
  assert.ok(shown.length > 2, shown.map((s) => s.line).join(' | '));
  for (const { line, done, total, rows } of shown) {
    assert.ok(done <= total && rows <= allRows, `past the files (${allRows} rows): ${line}`);
  }
  assertNeverBack(shown);
  const last = shown.at(-1);
  assert.equal(last.done, last.total, `the last line: ${last.line}`);
  assert.equal(last.rows, allRows, `the last line: ${last.line}`);
});

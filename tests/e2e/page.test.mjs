// The page in Chromium, both builds: the served page (dist/site over HTTP) and the single file
// (dist/kpilens.html over file://). A hand-written export is dropped with a real DragEvent; the KPI cards
// must show the figures worked out by hand below, the charts must draw, and the controls must be usable
// from the keyboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowserAndServer,
  openPage, fixture, dropAndWait, readCards, readTable, trendPeriods, waitForPeriods,
  screenshotPath, singleFileUrl,
} from './helpers.mjs';

// fixtures/two_weeks.csv: 10 tickets, ISO weeks 2024-W10 (Mar 4–10: tickets 1–5) and 2024-W11 (Mar 11–17:
// tickets 6–10). Status decides "solved" (Solved/Closed); resolution = Solved at − Created at.
//
//  #  created      solved        status   via    replies reopens csat nps  first reply (min)  resolution (h)
//  1  03-04 09:00  03-04 11:00   Solved   Email  1       0       5    10   30                 2
//  2  03-04 13:00  03-05 13:00   Closed   Email  3       1       2    3    90                 24
//  3  03-05 10:00  03-05 11:30   Solved   Chat   1       0       4    9    2                  1.5
//  4  03-06 08:00  —             Open     Phone  1       0       —    7    5                  —
//  5  03-07 15:00  03-07 21:00   Solved   Chat   2       0       3    8    1                  6
//  6  03-11 09:00  03-11 10:00   Solved   Phone  1       0       5    —    3                  1
//  7  03-12 14:00  03-14 14:00   Solved   Email  1       1       1    0    120                48
//  8  03-13 11:00  —             Pending  Email  2       0       —    —    60                 —
//  9  03-14 16:00  03-14 20:00   Closed   Chat   1       0       4    10   4                  4
// 10  03-15 10:00  03-16 10:00   Solved   Email  4       0       5    9    45                 24
//
// tickets = 10.
// csat (top-2-box, 1–5, ≥ 4 satisfied): scored 1,2,3,5,6,7,9,10 = 8; ≥ 4: 1,3,6,9,10 = 5 → 5 ÷ 8 × 100 = 62.5.
// nps: answers 10,3,9,7,8,0,10,9 (n 8); promoters (9–10) 1,3,9,10 = 4; detractors (0–6) 2,7 = 2;
//      passives 4,5 = 2 → (4 − 2) ÷ 8 × 100 = 25.
// solved: 1,2,3,5,6,7,9,10 = 8 → backlog = 10 − 8 = 2.
// fcr: solved with exactly 1 reply and 0 reopens: 1,3,6,9 = 4 (2: 3 replies, 5: 2, 7: reopened, 10: 4)
//      → 4 ÷ 8 × 100 = 50.
// first_response_time_median: sorted 1,2,3,4,5,30,45,60,90,120 (n 10); type 7: h = (10 − 1) × 0.5 = 4.5
//      → x[4] + 0.5 × (x[5] − x[4]) = 5 + 0.5 × 25 = 17.5 minutes.
// resolution_time_median (solved only): sorted 1,1.5,2,4,6,24,24,48 (n 8); h = 7 × 0.5 = 3.5
//      → 4 + 0.5 × (6 − 4) = 5 hours.
// By channel (segments in byte order): Chat 3,5,9 → 3 tickets, 0 open; Email 1,2,7,8,10 → 5, 1 open (8);
//      Phone 4,6 → 2, 1 open (4). CSAT: Chat 4,3,4 → 2 ÷ 3; Email 5,2,1,5 → 2 ÷ 4 = 50; Phone 5 → 100.
// Visible text in en-US: "10", "62.5%", "25", "50%", "17.5 min", "5 hr", "2".
const EXPECTED = {
  tickets: { value: 10, n: 10, text: '10' },
  csat: { value: 62.5, n: 8, text: '62.5%' },
  nps: { value: 25, n: 8, text: '25' },
  fcr: { value: 50, n: 8, text: '50%' },
  first_response_time_median: { value: 17.5, n: 10, text: '17.5 min' },
  resolution_time_median: { value: 5, n: 8, text: '5 hr' },
  backlog: { value: 2, n: 10, text: '2' },
};
const CHANNELS = [
  // segment, tickets, csat, backlog
  ['Chat', 3, (2 * 100) / 3, 0],
  ['Email', 5, 50, 1],
  ['Phone', 2, 100, 1],
];

const session = useBrowserAndServer();

function near(got, expected, what) {
  assert.ok(Math.abs(got - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: got ${got}, expected ${expected}`);
}

async function checkReport(page, mode) {
  const cards = await readCards(page);
  for (const [id, want] of Object.entries(EXPECTED)) {
    const card = cards[id];
    assert.ok(card, `${mode}: a card for ${id} (cards: ${Object.keys(cards).join(', ')})`);
    assert.notEqual(card.value, '', `${mode}: ${id} has a value`);
    near(Number(card.value), want.value, `${mode}: ${id} data-value`);
    assert.equal(Number(card.n), want.n, `${mode}: ${id} data-n`);
    assert.equal(card.text, want.text, `${mode}: ${id} visible text`);
  }

  // Two ISO weeks in the trend table.
  assert.deepEqual(await trendPeriods(page), ['2024-W10', '2024-W11'], `${mode}: trend periods`);

  // Charts: an SVG with a real size in the trend and breakdown containers (the page draws with ECharts'
  // SVG renderer); every chart is labelled.
  for (const id of ['trend-chart', 'breakdown-chart']) {
    const size = await page.$eval(`#${id}`, (node) => {
      const svg = node.querySelector('svg');
      if (!svg) return null;
      const box = svg.getBoundingClientRect();
      return { width: box.width, height: box.height, shapes: svg.querySelectorAll('path, rect').length };
    });
    assert.ok(size, `${mode}: #${id} holds an SVG`);
    assert.ok(size.width > 0 && size.height > 0 && size.shapes > 0, `${mode}: #${id} SVG has a size and shapes (${JSON.stringify(size)})`);
  }
  // The trend line was drawn: a stroked path with more than one point.
  const painted = await page.$eval('#trend-chart svg', (svg) => [...svg.querySelectorAll('path')].some((path) => {
    const stroke = path.getAttribute('stroke');
    return stroke && stroke !== 'none' && path.getAttribute('fill') === 'none' && (path.getAttribute('d') ?? '').includes('L');
  }));
  assert.ok(painted, `${mode}: the trend chart drew its line`);

  // Breakdown: one row per channel, with the hand-counted tickets, CSAT and backlog.
  const breakdown = await readTable(page, 'breakdown-table');
  assert.deepEqual(breakdown.rows.map((r) => r[0].text), CHANNELS.map((c) => c[0]), `${mode}: breakdown rows are the channels`);
  const column = (label) => breakdown.headers.indexOf(label);
  for (const [label] of [['Tickets'], ['CSAT'], ['Backlog']]) assert.ok(column(label) > 0, `${mode}: breakdown has a ${label} column (${breakdown.headers})`);
  CHANNELS.forEach(([segment, tickets, csat, backlog], i) => {
    const row = breakdown.rows[i];
    assert.equal(Number(row[column('Tickets')].value), tickets, `${mode}: ${segment} tickets`);
    near(Number(row[column('CSAT')].value), csat, `${mode}: ${segment} CSAT`);
    assert.equal(Number(row[column('Backlog')].value), backlog, `${mode}: ${segment} backlog`);
  });
}

for (const mode of ['served', 'file']) {
  test(`${mode}: a dropped export shows the hand-computed KPIs, the trend and the breakdown`, async () => {
    const { context, page, log } = await openPage(session.browser);
    try {
      await page.goto(mode === 'served' ? session.server.url : singleFileUrl);
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'empty');
      await dropAndWait(page, 'two_weeks.csv', fixture('two_weeks.csv'));
      assert.match(await page.textContent('#status'), /two_weeks\.csv/);
      await checkReport(page, mode);
      await page.screenshot({ path: screenshotPath(`${mode}.png`), fullPage: true });
      assert.deepEqual(log.pageErrors, [], `${mode}: no uncaught errors`);
    } finally {
      await context.close();
    }
  });
}

test('keyboard and ARIA: labelled charts, Tab reaches the controls, arrow keys change the period', async () => {
  const { context, page } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropAndWait(page, 'two_weeks.csv', fixture('two_weeks.csv'));

    for (const id of ['trend-chart', 'breakdown-chart', 'nps-chart', 'distribution-chart']) {
      const label = await page.getAttribute(`#${id}`, 'aria-label');
      assert.ok(label && label.trim().length > 0, `#${id} has an aria-label (got ${JSON.stringify(label)})`);
    }
    assert.match(await page.getAttribute('#trend-chart', 'aria-label'), /week/);

    // Tab from the top of the page until the period select has the focus.
    await page.evaluate(() => document.activeElement?.blur());
    const visited = [];
    for (let i = 0; i < 30; ++i) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.activeElement?.id || document.activeElement?.localName);
      visited.push(id);
      if (id === 'grain-select') break;
    }
    assert.equal(visited.at(-1), 'grain-select', `Tab reaches #grain-select (focus went ${visited.join(' → ')})`);
    assert.ok(visited.includes('sample-button'), `Tab passes the sample button (${visited.join(' → ')})`);

    // Week → Month with the keyboard: the engine re-runs and the trend shows one month.
    await page.keyboard.press('ArrowDown');
    await waitForPeriods(page, ['2024-03']);
    assert.equal(await page.inputValue('#grain-select'), 'month');
    assert.match(await page.getAttribute('#trend-chart', 'aria-label'), /month/);
    // Month → Week → Day: twelve days from Mar 4 to Mar 15 (gaps are real zeros).
    await page.keyboard.press('ArrowUp');
    await waitForPeriods(page, ['2024-W10', '2024-W11']);
    await page.keyboard.press('ArrowUp');
    const days = Array.from({ length: 12 }, (_, i) => `2024-03-${String(4 + i).padStart(2, '0')}`);
    await waitForPeriods(page, days);
    assert.equal(await page.inputValue('#grain-select'), 'day');
    // The figures do not depend on the grain.
    const cards = await readCards(page);
    assert.equal(Number(cards.tickets.value), 10);
    near(Number(cards.csat.value), 62.5, 'csat after the grain changes');

    // The other two selects follow in Tab order and work from the keyboard.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'by-select');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'trend-select');
    const before = await page.inputValue('#trend-select');
    await page.keyboard.press('ArrowDown');
    const afterValue = await page.inputValue('#trend-select');
    assert.notEqual(afterValue, before, 'ArrowDown changes the trend KPI');
    await page.waitForFunction((v) => {
      const caption = document.querySelector('table[data-testid="trend-table"] caption')?.textContent ?? '';
      const option = document.querySelector(`#trend-select option[value="${v}"]`)?.textContent ?? '';
      return option && caption.startsWith(option);
    }, afterValue);
  } finally {
    await context.close();
  }
});

// The report shows in stages (web/app.js show()): the KPI cards with their values first (<body
// data-state="kpis">, the figure scripts/bench --first-kpis times), the charts and tables in the task after
// that frame, then "ready". What the page held at each state is noted the moment the state is set.
test('the KPI cards show first, the charts and tables after that frame, then the page is ready', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await context.addInitScript(() => {
      window.__states = [];
      new MutationObserver(() => {
        const state = document.body.dataset.state;
        if (window.__states.at(-1)?.state === state) return;
        window.__states.push({
          state,
          tickets: document.querySelector('.card[data-kpi="tickets"]')?.getAttribute('data-value') ?? null,
          csatText: document.querySelector('.card[data-kpi="csat"] .value')?.textContent ?? null,
          trendChart: Boolean(document.querySelector('#trend-chart svg')),
          trendRows: document.querySelectorAll('table[data-testid="trend-table"] tbody tr').length,
          kpiRows: document.querySelectorAll('table[data-testid="kpi-table"] tbody tr').length,
          busy: document.getElementById('report').getAttribute('aria-busy'),
        });
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
    });
    await page.goto(session.server.url);
    await dropAndWait(page, 'two_weeks.csv', fixture('two_weeks.csv'));
    const states = await page.evaluate(() => window.__states);
    const order = states.map((s) => s.state);
    assert.deepEqual(order.slice(order.indexOf('running')), ['running', 'kpis', 'ready'], `states: ${order.join(' → ')}`);
    const kpis = states.find((s) => s.state === 'kpis');
    assert.equal(kpis.tickets, '10', 'the cards hold their values when "kpis" is set');
    assert.equal(kpis.csatText, '62.5%');
    assert.equal(kpis.busy, 'true', 'the report says it is still being drawn');
    assert.equal(kpis.trendChart, false, 'the trend chart comes after the cards');
    assert.equal(kpis.trendRows, 0, 'the trend table comes after the cards');
    const ready = states.find((s) => s.state === 'ready');
    assert.ok(ready.trendChart, 'the trend chart is drawn when "ready" is set');
    assert.equal(ready.trendRows, 2, 'two weeks in the trend table when "ready" is set');
    assert.ok(ready.kpiRows > 0, 'the KPI table is filled when "ready" is set');
    assert.equal(ready.busy, null);

    // A re-run (another period) goes through the same stages and ends with the new periods drawn.
    await page.evaluate(() => { window.__states = []; });
    await page.selectOption('#grain-select', 'month');
    await waitForPeriods(page, ['2024-03']);
    assert.deepEqual((await page.evaluate(() => window.__states)).map((s) => s.state), ['running', 'kpis', 'ready']);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

// Once warmed up, and while no file has come, the engine worker writes zeros over its module's memory above
// the heap's top, 1 MiB a task, up to the memory's size (web/worker.js warmUp): a file read later finds
// those pages already there instead of faulting each in during its run. The end is marked in the worker's
// performance timeline (kpilens:touched, its detail the heap's top where the touch began); a file that
// comes first stops it, and then there is no mark. A file read after it, or during it, must give the
// hand-computed report (the zeros land only where nothing lives).
const MODULE_MEMORY = 32 << 20; // the module's starting size (wasm/bindings/CMakeLists.txt INITIAL_MEMORY)

/** Opens the page; `engineWorker()` is its engine worker (the first worker: engine_start.js starts it). */
async function openWatched() {
  const opened = await openPage(session.browser);
  const workers = [];
  opened.page.on('worker', (worker) => workers.push(worker));
  await opened.page.goto(session.server.url);
  return { ...opened, engineWorker: () => workers[0] };
}

/** The engine worker's performance marks by name: {startTime, detail}. */
async function marksOf(worker) {
  if (!worker) return new Map();
  const marks = await worker.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, { startTime: m.startTime, detail: m.detail }]));
  return new Map(marks);
}

async function waitForMark(opened, name) {
  const since = Date.now();
  let marks = new Map();
  while (!marks.has(name) && Date.now() - since < 30_000) {
    await opened.page.waitForTimeout(20);
    marks = await marksOf(opened.engineWorker());
  }
  assert.ok(marks.has(name), `the engine worker's marks: ${[...marks.keys()].join(', ')}`);
  return marks;
}

test('the engine worker touches its memory once warmed up, and a file read after it reads as before', async () => {
  const opened = await openWatched();
  try {
    const marks = await waitForMark(opened, 'kpilens:touched');
    const touched = marks.get('kpilens:touched');
    assert.ok(touched.startTime > marks.get('kpilens:warmed-up').startTime, 'after the warm-up');
    // It began at the heap's top, above the module's data and below its starting size: there was memory to touch.
    assert.ok(touched.detail > 1 << 20 && touched.detail < MODULE_MEMORY - (4 << 20), `began at ${touched.detail}`);
    await dropAndWait(opened.page, 'two_weeks.csv', fixture('two_weeks.csv'));
    await checkReport(opened.page, 'after the memory was touched');
    assert.ok((await marksOf(opened.engineWorker())).has('kpilens:run'), 'the engine worker read the file');
    assert.deepEqual(opened.log.pageErrors, []);
  } finally {
    await opened.context.close();
  }
});

test('a file dropped as the warm-up ends stops the touch or comes after it, and reads as before', async (t) => {
  const opened = await openWatched();
  try {
    await waitForMark(opened, 'kpilens:warmed-up');
    await dropAndWait(opened.page, 'two_weeks.csv', fixture('two_weeks.csv'));
    await checkReport(opened.page, 'dropped as the warm-up ended');
    // Either the touch ended before the run began, or the run stopped it (no mark): never a touch after the run began.
    const marks = await marksOf(opened.engineWorker());
    assert.ok(marks.has('kpilens:run'));
    t.diagnostic(marks.has('kpilens:touched') ? 'the touch had ended before the run' : 'the run stopped the touch');
    if (marks.has('kpilens:touched')) assert.ok(marks.get('kpilens:touched').startTime < marks.get('kpilens:run').startTime);
    assert.deepEqual(opened.log.pageErrors, []);
  } finally {
    await opened.context.close();
  }
});

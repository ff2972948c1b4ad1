// Real exports on the page: every preset fixture (tests/fixtures/presets) is recognised and shows its
// hand-computed figures without a mapping question; a ticket file and a survey file dropped together
// give CSAT and NPS by the tickets' channel; one export in five encodings shows the same accented names;
// bad files give a message and leave the page usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { useBrowserAndServer, openPage, root, waitForState, readTable } from './helpers.mjs';

const session = useBrowserAndServer();
const presetsDir = join(root, 'tests/fixtures/presets');
const encodingsDir = join(root, 'tests/fixtures/encodings');

/** Drops files given as bytes (any encoding) in one drop. */
async function dropBytes(page, files) {
  await page.evaluate((files) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of files) {
      const text = atob(base64);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
      transfer.items.add(new File([bytes], name));
    }
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, composed: true, dataTransfer: transfer }));
    }
  }, files.map(({ name, bytes }) => ({ name, base64: Buffer.from(bytes).toString('base64') })));
}

const fromDir = (dir, name) => ({ name, bytes: readFileSync(join(dir, name)) });

// The KPI table lists report.kpis in catalogue order; the labels come from the CLI's report of the same
// file (labels only: every value checked below is the hand-computed one from the .expected.json file).
function catalogueLabels(file) {
  const cli = process.env.KPILENS_CLI;
  const run = spawnSync(cli, ['report', join(presetsDir, file)], { encoding: 'utf8' });
  return new Map(JSON.parse(run.stdout).kpis.map((k) => [k.id, k.label]));
}

async function kpiTableValues(page) {
  const table = await readTable(page, 'kpi-table');
  return new Map(table.rows.map((cells) => [cells[0].text, { value: cells[1].value, n: cells[2].text }]));
}

function near(got, expected, what) {
  if (expected === null) {
    assert.ok(got === null || got === '' || got === 'null', `${what}: got ${got}, expected no value`);
    return;
  }
  const value = Number(got);
  assert.ok(Math.abs(value - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: got ${got}, expected ${expected}`);
}

const expectedFiles = readdirSync(presetsDir).filter((f) => f.endsWith('.expected.json') && f !== 'join.expected.json').sort();

for (const expectedName of expectedFiles) {
  const expected = JSON.parse(readFileSync(join(presetsDir, expectedName), 'utf8'));
  const fixture = expected.file ?? readdirSync(presetsDir).find((f) => f.startsWith(`${expected.preset}.`) && !f.endsWith('.json') || f === `${expected.preset}.json`);
  test(`preset ${expected.preset}: ${fixture} is recognised and shows the hand-computed figures`, { skip: !process.env.KPILENS_CLI && 'KPILENS_CLI is not set' }, async () => {
    const { context, page, log } = await openPage(session.browser);
    try {
      await page.goto(session.server.url);
      await dropBytes(page, [fromDir(presetsDir, fixture)]);
      await waitForState(page, 'ready');
      const inputs = await readTable(page, 'inputs-table');
      const [row] = inputs.rows;
      assert.equal(row[3].text, expected.kind, 'kind');
      assert.match(row[4].text, /\(\d+\s?%\)$/, `read as a preset: ${row[4].text}`);
      // The page does not show customer-success files' mapping and figures yet (the report's customers
      // section): recognised, and nothing breaks. tests/cli/presets.test.mjs checks their figures.
      if (!['tickets', 'survey'].includes(expected.kind)) {
        assert.deepEqual(log.pageErrors, []);
        return;
      }
      // No mapping question: every field the preset must map shows its column, chosen by the preset.
      for (const [field, column] of Object.entries(expected.mapped ?? {})) {
        const select = `select[data-field="${field}"][data-file="0"]`;
        const shown = await page.$eval(select, (s) => s.selectedOptions[0]?.textContent ?? '');
        assert.equal(shown, column, `${field} is mapped to '${column}'`);
      }
      const labels = catalogueLabels(fixture);
      const shown = await kpiTableValues(page);
      for (const [id, want] of Object.entries(expected.kpis)) {
        const cells = shown.get(labels.get(id));
        assert.ok(cells, `KPI ${id} (${labels.get(id)}) is in the table`);
        near(cells.value, want.value, `${fixture} ${id}`);
      }
      assert.deepEqual(log.pageErrors, []);
    } finally {
      await context.close();
    }
  });
}

test('a ticket file and a survey file dropped together: CSAT and NPS by the tickets\' channel', { skip: !process.env.KPILENS_CLI && 'KPILENS_CLI is not set' }, async () => {
  const expected = JSON.parse(readFileSync(join(presetsDir, 'join.expected.json'), 'utf8'));
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    // The ticket file first, as a user would pick them: the engine reads the answers first anyway.
    await dropBytes(page, [fromDir(presetsDir, 'join_tickets.csv'), fromDir(presetsDir, 'join_survey.csv')]);
    await waitForState(page, 'ready');
    const inputs = await readTable(page, 'inputs-table');
    assert.deepEqual(inputs.rows.map((r) => r[3].text).sort(), ['survey', 'tickets']);
    await page.selectOption('#by-select', 'channel');
    await page.waitForFunction(() => document.body.dataset.state === 'ready' &&
      document.querySelector('table[data-testid="breakdown-table"] thead th')?.textContent === 'channel');
    const table = await readTable(page, 'breakdown-table');
    const labels = catalogueLabels('join_tickets.csv');
    const column = (id) => table.headers.indexOf(labels.get(id));
    const bySegment = new Map(table.rows.map((cells) => [cells[0].text, cells]));
    for (const [segment, figures] of Object.entries(expected.by.channel)) {
      const cells = bySegment.get(segment);
      assert.ok(cells, `channel '${segment}' is in the breakdown (${[...bySegment.keys()]})`);
      for (const id of ['csat', 'nps']) {
        assert.ok(column(id) > 0, `the breakdown has a ${id} column: ${table.headers}`);
        near(cells[column(id)].value, figures[id].value, `${id} of channel '${segment}'`);
      }
    }
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('one export in UTF-8, UTF-8 BOM, UTF-16LE, Windows-1252 and ;-decimal-comma shows the same accented names', async () => {
  const names = ['tickets.utf8.csv', 'tickets.utf8-bom.csv', 'tickets.utf16le.txt', 'tickets.windows-1252.csv', 'tickets.semicolon.csv'];
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    let first = null;
    for (const name of names) {
      await dropBytes(page, [fromDir(encodingsDir, name)]);
      await page.waitForFunction((n) => document.body.dataset.state === 'ready' &&
        [...document.querySelectorAll('table[data-testid="inputs-table"] tbody tr td:first-child')].some((td) => td.textContent === n), name);
      await page.selectOption('#by-select', 'agent');
      await page.waitForFunction(() => document.body.dataset.state === 'ready' &&
        [...document.querySelectorAll('table[data-testid="breakdown-table"] tbody tr')].length === 4);
      const table = await readTable(page, 'breakdown-table');
      const agents = table.rows.map((cells) => cells[0].text).sort();
      assert.deepEqual(agents, ['Åsa Öberg', 'François Lefèvre', 'José Núñez', 'Zoë Müller'].sort(), name);
      const values = JSON.stringify(table.rows.map((cells) => cells.map((c) => c.value)).sort());
      first ??= values;
      assert.equal(values, first, `${name} shows the same figures`);
    }
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('bad files (binary, truncated JSON, empty, header only) give a message; good files still load after', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    const bad = [
      { name: 'image.csv', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]) },
      { name: 'cut.json', bytes: Buffer.from('{"tickets":[{"id":1,"created_at":"2024-03-04T09:00:00Z"},{"id":2,"crea') },
      { name: 'empty.csv', bytes: Buffer.alloc(0) },
      { name: 'header.csv', bytes: Buffer.from('id,created_at,status\n') },
    ];
    for (const file of bad) {
      await dropBytes(page, [file]);
      await waitForState(page, ['ready', 'error']);
      const text = await page.textContent('body');
      assert.ok(text.includes(file.name), `${file.name} is named on the page`);
    }
    await dropBytes(page, [fromDir(encodingsDir, 'tickets.utf8.csv')]);
    await page.waitForFunction(() => document.body.dataset.state === 'ready' &&
      document.querySelector('.card[data-kpi="tickets"]')?.getAttribute('data-value') === '7');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('a 100 MB field is read in the worker while the page stays responsive; both rows count', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    // The file is built in the page (100 × 1 MiB of 'x' inside one quoted field), not sent from Node.
    await page.evaluate(() => {
      const mib = 'x'.repeat(1 << 20);
      const parts = ['id,created_at,status,comment\n1,2024-03-04T09:00:00Z,solved,"'];
      for (let i = 0; i < 100; i += 1) parts.push(mib);
      parts.push('"\n2,2024-03-05T09:00:00Z,open,short\n');
      const transfer = new DataTransfer();
      transfer.items.add(new File(parts, 'huge-field.csv', { type: 'text/csv' }));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, composed: true, dataTransfer: transfer }));
      }
      // The main thread keeps running while the worker reads: a timer every 50 ms notes when it ran, from
      // the drop until the page says ready (then it stops, so that ticks after the read do not count).
      const times = [performance.now()];
      window.__times = times;
      const ticker = setInterval(() => times.push(performance.now()), 50);
      new MutationObserver((changes, observer) => {
        if (document.body.dataset.state !== 'ready') return;
        clearInterval(ticker);
        times.push(performance.now());
        observer.disconnect();
      }).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
    });
    await page.waitForFunction(() => document.body.dataset.state === 'ready' &&
      document.querySelector('.card[data-kpi="tickets"]')?.getAttribute('data-value') === '2', null, { timeout: 60_000 });
    const times = await page.evaluate(() => window.__times);
    const elapsed = times.at(-1) - times[0];
    const longest = Math.max(...times.slice(1).map((t, i) => t - times[i]));
    // A page that read the file on its main thread would have no tick from the drop to the report: its
    // longest pause would be the whole read. Allowed: half the read, or 250 ms for a short one.
    assert.ok(longest < Math.max(250, elapsed / 2),
      `the page's timers ran while the file was read: longest pause ${longest.toFixed(0)} ms of ${elapsed.toFixed(0)} ms`);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('an input can be removed from a dataset of several', async () => {
  const { context, page, log } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropBytes(page, [fromDir(encodingsDir, 'tickets.utf8.csv'), fromDir(encodingsDir, 'tickets.semicolon.csv')]);
    await page.waitForFunction(() => document.body.dataset.state === 'ready' &&
      document.querySelector('.card[data-kpi="tickets"]')?.getAttribute('data-value') === '14');
    await page.click('button[data-remove-input="tickets.semicolon.csv"]');
    await page.waitForFunction(() => document.body.dataset.state === 'ready' &&
      document.querySelector('.card[data-kpi="tickets"]')?.getAttribute('data-value') === '7');
    const inputs = await readTable(page, 'inputs-table');
    assert.deepEqual(inputs.rows.map((r) => r[0].text), ['tickets.utf8.csv']);
    assert.equal(await page.$('button[data-remove-input]'), null, 'no Remove button for the last input');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await context.close();
  }
});

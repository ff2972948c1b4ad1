// Exports: the CSV a button downloads, read back with an RFC 4180 parser, holds exactly the table on the
// page; cells a spreadsheet would run as a formula come out neutralised with a leading apostrophe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowserAndServer,
  openPage, fixture, dropAndWait, readTable, clickDownload, parseCsv,
} from './helpers.mjs';

// fixtures/formulas.csv: 8 tickets; Via (channel) carries formula-looking values.
//  #  via                                   status   csat  nps
//  1  =HYPERLINK("http://example.com","x")  Solved   5     10
//  2  =HYPERLINK("http://example.com","x")  Closed   3     6
//  3  @SUM(1+1)*cmd|' /C calc'!A0           Solved   4     9
//  4  +1+2                                  Open     —     7
//  5  -2+3                                  Solved   2     —
//  6  Chat, "live"                          Solved   5     10
//  7  Chat, "live"                          Solved   4     8
//  8  Email                                 Pending  —     —
// tickets 8; CSAT: 5,3,4,2,5,4 → ≥ 4: 4 of 6 → 66.67 %; NPS: 10,6,9,7,10,8 → (3 − 1) ÷ 6 × 100 = 33.33.
// Segments in byte order ('+' < '-' < '=' < '@' < 'C' < 'E') with tickets and CSAT:
//   +1+2 1 (none), -2+3 1 (0), =HYPERLINK… 2 (1 of 2 → 50), @SUM… 1 (100), Chat, "live" 2 (100), Email 1 (none).
const HYPERLINK = '=HYPERLINK("http://example.com","x")';
const AT = "@SUM(1+1)*cmd|' /C calc'!A0";
const SEGMENTS = [
  ['+1+2', 1, null],
  ['-2+3', 1, 0],
  [HYPERLINK, 2, 50],
  [AT, 1, 100],
  ['Chat, "live"', 2, 100],
  ['Email', 1, null],
];
const FORMULA_START = /^[=+\-@\t\r]/;
const neutralised = (text) => (FORMULA_START.test(text) ? `'${text}` : text);

const session = useBrowserAndServer();

function assertNumberCell(csvCell, td, what) {
  if (csvCell === '') {
    assert.equal(td.value, null, `${what}: blank in the CSV and no number on the page`);
    return;
  }
  assert.notEqual(td.value, null, `${what}: the page has a number for ${csvCell}`);
  assert.equal(csvCell, td.value, `${what}: CSV ${csvCell} = page data-value ${td.value}`);
  assert.ok(Number.isFinite(Number(csvCell)), `${what}: ${csvCell} is a plain number`);
}

function readCsvDownload({ text, filename }) {
  assert.equal(text.charCodeAt(0), 0xfeff, `${filename} starts with a UTF-8 BOM`);
  assert.ok(text.endsWith('\r\n'), `${filename} ends with CRLF`);
  return parseCsv(text.slice(1));
}

test('breakdown CSV equals the breakdown table and neutralises formulas', async () => {
  const { context, page } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropAndWait(page, 'formulas.csv', fixture('formulas.csv'));
    const table = await readTable(page, 'breakdown-table');
    assert.deepEqual(table.rows.map((r) => r[0].text), SEGMENTS.map((s) => s[0]), 'the page shows the raw channel names');

    const download = await clickDownload(page, page.locator('[data-export="breakdown-csv"]'));
    assert.equal(download.filename, 'kpilens-breakdown.csv');
    const records = readCsvDownload(download);
    const [header, ...rows] = records;
    assert.equal(header[0], 'segment');
    assert.equal(header.length, table.headers.length, `CSV columns ${header} match the table's ${table.headers}`);
    assert.equal(rows.length, table.rows.length, 'one CSV row per table row');
    rows.forEach((row, i) => {
      const cells = table.rows[i];
      assert.equal(row.length, cells.length, `row ${i + 1}: as many cells as the table`);
      assert.equal(row[0], neutralised(cells[0].text), `row ${i + 1}: segment`);
      for (let c = 1; c < row.length; ++c) assertNumberCell(row[c], cells[c], `row ${i + 1} ${header[c]}`);
    });

    // Neutralised exactly as a spreadsheet needs, and hand-computed figures.
    assert.deepEqual(rows.map((r) => r[0]), [
      "'+1+2", "'-2+3", `'${HYPERLINK}`, `'${AT}`, 'Chat, "live"', 'Email',
    ]);
    assert.ok(download.text.includes(`"'=HYPERLINK(""http://example.com"",""x"")"`), 'the formula cell is quoted RFC 4180 style');
    for (const row of rows) assert.ok(!FORMULA_START.test(row[0]), `no text cell starts a formula: ${row[0]}`);
    const tickets = header.indexOf('tickets');
    const csat = header.indexOf('csat');
    assert.ok(tickets > 0 && csat > 0, `tickets and csat columns in ${header}`);
    SEGMENTS.forEach(([segment, n, satisfied], i) => {
      assert.equal(rows[i][tickets], String(n), `${segment}: tickets`);
      if (satisfied === null) assert.equal(rows[i][csat], '', `${segment}: no CSAT`);
      else assert.equal(Number(rows[i][csat]), satisfied, `${segment}: CSAT`);
    });

    // The JSON export holds the same rows, raw (no apostrophes: JSON is not executed by spreadsheets).
    const json = await clickDownload(page, page.locator('[data-export="breakdown-json"]'));
    const parsed = JSON.parse(json.text);
    assert.deepEqual(parsed.map((r) => r.segment), SEGMENTS.map((s) => s[0]));
    assert.deepEqual(parsed.map((r) => r.tickets), SEGMENTS.map((s) => s[1]));
  } finally {
    await context.close();
  }
});

test('KPI CSV equals the All KPIs table', async () => {
  const { context, page } = await openPage(session.browser);
  try {
    await page.goto(session.server.url);
    await dropAndWait(page, 'formulas.csv', fixture('formulas.csv'));
    const table = await readTable(page, 'kpi-table');
    const download = await clickDownload(page, page.locator('[data-export="kpis-csv"]'));
    assert.equal(download.filename, 'kpilens-kpis.csv');
    const [header, ...rows] = readCsvDownload(download);
    assert.deepEqual(header, ['id', 'label', 'value', 'n', 'unit', 'variant', 'inputs']);
    assert.deepEqual(table.headers, ['KPI', 'Value', 'n', 'Variant', 'Inputs']);
    assert.equal(rows.length, table.rows.length, 'one CSV row per KPI in the table');
    const col = Object.fromEntries(header.map((name, i) => [name, i]));
    rows.forEach((row, i) => {
      const [label, value, n, variant, inputs] = table.rows[i];
      const what = row[col.id];
      assert.equal(row.length, header.length, `${what}: ${header.length} cells`);
      assert.equal(row[col.label], neutralised(label.text), `${what}: label`);
      assertNumberCell(row[col.value], value, `${what}: value`);
      assertNumberCell(row[col.n], n, `${what}: n`);
      assert.equal(row[col.variant], neutralised(variant.text), `${what}: variant`);
      assert.equal(row[col.inputs], neutralised(inputs.text), `${what}: inputs`);
    });
    // Hand-computed figures (see the fixture's comment).
    const byId = Object.fromEntries(rows.map((r) => [r[col.id], r]));
    assert.equal(byId.tickets[col.value], '8');
    assert.ok(Math.abs(Number(byId.csat[col.value]) - 400 / 6) < 1e-9, `csat ${byId.csat[col.value]}`);
    assert.equal(byId.csat[col.n], '6');
    assert.ok(Math.abs(Number(byId.nps[col.value]) - 200 / 6) < 1e-9, `nps ${byId.nps[col.value]}`);
    assert.match(byId.csat[col.inputs], /^csat$/);
    assert.ok(rows.some((r) => r[col.inputs].includes(', ')), 'an inputs cell with a comma survived the round trip');
  } finally {
    await context.close();
  }
});

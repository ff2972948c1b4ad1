// helpers.mjs: shared pieces of the browser tests. Chromium (Debian's, never a downloaded one) driven by
// playwright-core; the served page comes from scripts/static-server.mjs on a free port, the single file
// is opened from disk. The page must be built first (scripts/build wasm web).
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { serve } from '../../scripts/static-server.mjs';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const siteDir = join(root, 'dist/site');
export const singleFile = join(root, 'dist/kpilens.html');
export const singleFileUrl = pathToFileURL(singleFile).href;
export const outputDir = join(root, 'test-output/e2e');

export const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function fixture(name) {
  return readFileSync(join(root, 'tests/e2e/fixtures', name), 'utf8');
}

export function fixturePath(name) {
  return join(root, 'tests/e2e/fixtures', name);
}

export function screenshotPath(name) {
  mkdirSync(outputDir, { recursive: true });
  return join(outputDir, name);
}

/** Fails early, with the command to run, when the page has not been built. */
export function assertBuilt() {
  for (const file of [join(siteDir, 'index.html'), join(siteDir, 'app.js'), singleFile]) {
    assert.ok(existsSync(file), `${file} is missing: build the page first (scripts/build wasm web)`);
  }
}

/** A fresh Chromium (launch() gives it a fresh temporary profile). */
export async function launch() {
  assertBuilt();
  return chromium.launch({
    executablePath: process.env.KPILENS_CHROMIUM ?? '/usr/bin/chromium',
    args: LAUNCH_ARGS,
  });
}

/** The served page (dist/site) on 127.0.0.1 and a free port. */
export async function startServer() {
  const { server, url } = await serve(siteDir, { port: 0 });
  return {
    url,
    origin: new URL(url).origin,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

/**
 * Registers hooks that start one Chromium and the served page for a test file, and close both after
 * it. Returns an object whose `browser` and `server` are set once the hooks have run.
 */
export function useBrowserAndServer() {
  const session = { browser: null, server: null };
  before(async () => {
    session.browser = await launch();
    session.server = await startServer();
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  return session;
}

/**
 * A page in its own context (en-US, fixed viewport) that records what the security tests look at:
 * every request of the context (page and workers), console messages of the page and its workers, page
 * errors, and `securitypolicyviolation` events (window.__cspViolations, set up before any page script).
 *
 * watchWorkers: a violation inside a worker fires on the worker's global scope and Chromium prints nothing
 * to the console for it. With this option, a worker started from a script Blob gets one line prepended
 * to its source that reports such events as console errors ("securitypolicyviolation in worker: …"); the
 * worker is otherwise the page's own (same Blob content, a real Worker).
 */
export async function openPage(browser, { locale = 'en-US', watchWorkers = false } = {}) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const log = { requests: [], console: [], pageErrors: [], workers: [] };
  context.on('request', (request) => log.requests.push(request.url()));
  context.on('console', (message) => log.console.push(`${message.type()}: ${message.text()}`));
  await context.addInitScript(() => {
    window.__cspViolations = [];
    const record = (event) => window.__cspViolations.push({
      directive: event.violatedDirective, blocked: event.blockedURI, source: event.sourceFile, sample: event.sample,
    });
    window.addEventListener('securitypolicyviolation', record, true);
  });
  if (watchWorkers) {
    await context.addInitScript(() => {
      const prelude = "self.addEventListener('securitypolicyviolation', (e) => console.error(" +
        "'securitypolicyviolation in worker: ' + e.violatedDirective + ' ' + e.blockedURI));\n";
      const scripts = new Map();
      const createObjectURL = URL.createObjectURL;
      URL.createObjectURL = function (object) {
        const url = createObjectURL.call(URL, object);
        if (object instanceof Blob && /javascript/.test(object.type)) scripts.set(url, object);
        return url;
      };
      const PageWorker = window.Worker;
      window.Worker = class extends PageWorker {
        constructor(url, options) {
          const script = scripts.get(String(url));
          super(script ? createObjectURL.call(URL, new Blob([prelude, script], { type: 'text/javascript' })) : url, options);
          window.__watchedWorkers = (window.__watchedWorkers ?? 0) + (script ? 1 : 0);
        }
      };
    });
  }
  const page = await context.newPage();
  page.on('pageerror', (error) => log.pageErrors.push(String(error)));
  page.on('worker', (worker) => log.workers.push(worker.url())); // their console messages reach the context's
  return { context, page, log };
}

export async function waitForState(page, wanted, timeout = 20_000) {
  const states = Array.isArray(wanted) ? wanted : [wanted];
  await page.waitForFunction((s) => s.includes(document.body.dataset.state), states, { timeout });
}

/**
 * Drops `text` as a file named `name` on the page with a real DragEvent carrying a DataTransfer whose
 * items hold a File (dragenter, dragover, drop on the body; they bubble to the window).
 */
export async function dropFile(page, name, text) {
  await dropFiles(page, [{ name, text }]);
}

/** Drops several files together, in one drop (one DataTransfer): [{name, text}]. */
export async function dropFiles(page, files) {
  await page.evaluate((files) => {
    const transfer = new DataTransfer();
    for (const { name, text } of files) transfer.items.add(new File([text], name, { type: 'text/csv' }));
    const target = document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, composed: true, dataTransfer: transfer }));
    }
  }, files);
}

/** Drops a fixture and waits until the report is shown. */
export async function dropAndWait(page, name, text) {
  await dropFile(page, name, text);
  await waitForState(page, 'ready');
}

/** KPI cards: {id: {value: data-value, n: data-n, text: visible .value text}}. */
export async function readCards(page) {
  return page.$$eval('.card[data-kpi]', (cards) => Object.fromEntries(cards.map((card) => [
    card.dataset.kpi,
    { value: card.getAttribute('data-value'), n: card.getAttribute('data-n'), text: card.querySelector('.value')?.textContent ?? null },
  ])));
}

/** A table's header labels and body cells ({text, value: data-value or null}). */
export async function readTable(page, testId) {
  return page.$eval(`table[data-testid="${testId}"]`, (table) => ({
    headers: [...table.querySelectorAll('thead th')].map((th) => th.textContent),
    rows: [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => ({
      text: td.textContent,
      value: td.hasAttribute('data-value') ? td.getAttribute('data-value') : null,
    }))),
  }));
}

/** The period keys shown in the trend table (first column). */
export async function trendPeriods(page) {
  return page.$$eval('table[data-testid="trend-table"] tbody tr', (rows) => rows.map((r) => r.children[0].textContent));
}

/** Waits until the trend table lists exactly `keys` and the page is ready again. */
export async function waitForPeriods(page, keys, timeout = 20_000) {
  await page.waitForFunction(
    (expected) => {
      if (document.body.dataset.state !== 'ready') return false;
      const rows = [...document.querySelectorAll('table[data-testid="trend-table"] tbody tr')];
      return JSON.stringify(rows.map((r) => r.children[0].textContent)) === JSON.stringify(expected);
    },
    keys,
    { timeout },
  );
}

/** Clicks a button that triggers a download; resolves to {download, text, filename}. */
export async function clickDownload(page, locator) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), locator.click()]);
  const path = await download.path();
  return { download, filename: download.suggestedFilename(), path, text: readFileSync(path, 'utf8') };
}

/**
 * RFC 4180 parser: fields separated by commas, records by CRLF (or a lone LF/CR); a quoted field may hold
 * commas, line breaks and doubled quotes. A final line break does not start a new record. Throws on a
 * quote inside an unquoted field or text after a closing quote (the exporter must never write those).
 */
export function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let i = 0;
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field was quoted (only a delimiter or line break may follow)
  const endField = () => {
    record.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        wasQuoted = true;
        i += 1;
        continue;
      }
      field += c;
      i += 1;
      continue;
    }
    if (c === ',') {
      endField();
      i += 1;
    } else if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else if (c === '"') {
      if (field !== '' || wasQuoted) throw new Error(`CSV: a quote inside an unquoted field at offset ${i}`);
      quoted = true;
      i += 1;
    } else {
      if (wasQuoted) throw new Error(`CSV: text after a closing quote at offset ${i}`);
      field += c;
      i += 1;
    }
  }
  if (quoted) throw new Error('CSV: an unterminated quoted field');
  if (field !== '' || wasQuoted || record.length > 0) endRecord();
  return records;
}

/** Every element attribute named on* in the document (there must be none: handlers are added in JS). */
export async function inlineHandlers(page) {
  return page.evaluate(() => {
    const found = [];
    for (const node of document.querySelectorAll('*')) {
      for (const attribute of node.attributes) {
        if (/^on/i.test(attribute.name)) found.push(`<${node.localName} ${attribute.name}="${attribute.value}">`);
      }
    }
    return found;
  });
}

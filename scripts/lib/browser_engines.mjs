// browser_engines.mjs: kpilens and DuckDB-WASM in the same Chromium, for scripts/bench --steady. One fresh
// browser, one page served from a temporary folder, and in it one dedicated Web Worker per engine, both
// alive for the whole run: our module as the page's engine worker loads it (build/wasm/kpilens.web.js and
// its wasm, the code the page runs, unpacked), DuckDB-WASM's browser blocking bundle (bundled for the worker
// by esbuild, its eh module). Each worker fetches the warm file's and the file's bytes before any clock and
// warms its engine as the engine table does in Node (WARM_PASSES passes on the warm bytes; then, both
// warmed, WARM_IDLE_MS idle); then the page has them read the file from memory in rounds, one engine after
// the other, their order alternating from round to round, as in Node (bench_engines.mjs inProcessSteady).
// Ours reads through a Dataset (chunkBuffer, pushChunk, FEED_BYTES at a time, as reportFromBuffers without
// its probe; the Dataset deleted inside the run), DuckDB-WASM with registerFileBuffer, the SQL of the
// engine table and dropFile; both copy the bytes into their heaps inside the run. Reading a File, which
// costs the page more than the engine does (docs/architecture.md, "The page's CPU besides the engine"), is
// left out for both: what is timed, inside the worker, is the engines on bytes in memory.
import { copyFileSync, existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../static-server.mjs';
import { LAUNCH_ARGS } from './page_run.mjs';
import { FIGURES, WARM_IDLE_MS, WARM_PASSES, WEEKLY_CONFIG, weeksFromReport, weeksFromSqlRows } from './bench_engines.mjs';
import { weeklySql } from './kpi_sql.mjs';
import { FEED_BYTES } from '../../wasm/bindings/parallel_read.mjs';

const require = createRequire(import.meta.url);

// The part both workers share: {type: 'prepare'} fetches the bytes and warms the engine, {round} times one
// run of it on the file (`run(bytes, round)` → what the engine gave), answered {seconds, result}.
const RUNS_SOURCE = `
function serveRuns(prepare) {
  let file = null;
  let run = null;
  const bytesOf = async (name) => {
    const response = await fetch(name);
    if (!response.ok) throw new Error(name + ': HTTP ' + response.status);
    return new Uint8Array(await response.arrayBuffer());
  };
  onmessage = async ({ data }) => {
    try {
      if (data.type === 'prepare') {
        run = await prepare(data);
        const warm = await bytesOf(data.warm);
        file = await bytesOf(data.file);
        for (let i = 0; i < data.warmPasses; i += 1) await run(warm, 'warm');
        postMessage({ ready: true });
        return;
      }
      const start = performance.now();
      const result = await run(file, data.round);
      postMessage({ seconds: (performance.now() - start) / 1000, result });
    } catch (error) {
      postMessage({ error: String(error?.stack ?? error) });
    }
  };
}
`;

const KPILENS_WORKER = `importScripts('kpilens.web.js');
${RUNS_SOURCE}
serveRuns(async (data) => {
  const engine = await createKpilens(); // (its wasm beside the glue, as in the page)
  return (bytes) => {
    const dataset = new engine.Dataset(data.config);
    try {
      dataset.beginFile('tickets.csv');
      for (let at = 0; at < bytes.length; at += data.feedBytes) {
        const piece = bytes.subarray(at, Math.min(at + data.feedBytes, bytes.length));
        const address = dataset.chunkBuffer(piece.length);
        engine.HEAPU8.set(piece, address); // (HEAPU8 read after chunkBuffer, which may grow the memory)
        dataset.pushChunk(piece.length);
      }
      dataset.endFile();
      return dataset.report();
    } finally {
      dataset.delete();
    }
  };
});
`;

// Bundled by esbuild (the import resolved from node_modules) into duckdb_worker.js.
const DUCKDB_WORKER = (bundle) => `import * as duckdb from ${JSON.stringify(bundle)};
${RUNS_SOURCE}
serveRuns(async (data) => {
  const module = new URL('duckdb-eh.wasm', location.href).href;
  const db = await duckdb.createDuckDB({ mvp: { mainModule: module, mainWorker: '' }, eh: { mainModule: module, mainWorker: '' } },
    new duckdb.VoidLogger(), duckdb.BROWSER_RUNTIME);
  await db.instantiate(() => {});
  const connection = db.connect();
  return (bytes, run) => {
    // Registered under a new name each run, as in Node (registering copies the bytes into its heap, as
    // our Dataset's chunk buffer does).
    const name = run === 'warm' ? 'warm.csv' : 'tickets-' + run + '.csv';
    db.registerFileBuffer(name, bytes);
    const rows = connection.query(data.sql.replaceAll('{file}', name)).toArray().map((row) => row.toJSON());
    db.dropFile(name);
    return rows;
  };
});
`;

/**
 * Both engines in one fresh Chromium: {browser, seconds: {kpilens, duckdb}, weeks: {kpilens, duckdb}}, each
 * run's, in rounds: round 0 is each engine's first run on the file, `rounds` more follow. `webModule`: the
 * glue of our web build, kpilens.web.js (its wasm beside it).
 */
export async function browserRounds(file, { warmFile, rounds, dir, webModule, executablePath }) {
  const site = join(dir, 'same-browser');
  mkdirSync(site, { recursive: true });
  const wasm = join(dirname(webModule), 'kpilens.web.wasm');
  if (!existsSync(webModule) || !existsSync(wasm)) throw new Error(`no web build at ${webModule} (scripts/build wasm)`);
  copyFileSync(webModule, join(site, 'kpilens.web.js'));
  copyFileSync(wasm, join(site, 'kpilens.web.wasm'));
  // (Found through the Node bundle's path: the package's exports do not list the browser bundles.)
  const duckdbDist = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));
  copyFileSync(join(duckdbDist, 'duckdb-eh.wasm'), join(site, 'duckdb-eh.wasm'));
  const esbuild = require('esbuild');
  esbuild.buildSync({
    stdin: { contents: DUCKDB_WORKER(join(duckdbDist, 'duckdb-browser-blocking.mjs')), resolveDir: site, loader: 'js' },
    bundle: true, format: 'iife', outfile: join(site, 'duckdb_worker.js'), logLevel: 'error',
  });
  writeFileSync(join(site, 'kpilens_worker.js'), KPILENS_WORKER);
  writeFileSync(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><title>kpilens bench</title>\n');
  symlinkSync(file, join(site, 'tickets.csv'));
  symlinkSync(warmFile, join(site, 'warm.csv'));

  // How long a worker gets for one answer (its bytes fetched and its engine warmed, or one run) before the
  // bench gives up: 120 s, and 1 s a MB (the page engine's limit is 5 MB/s; DuckDB-WASM is slower).
  const timeoutMs = 120_000 + statSync(file).size / 1e3;
  const common = { file: 'tickets.csv', warm: 'warm.csv', warmPasses: WARM_PASSES };
  const engines = {
    kpilens: { script: 'kpilens_worker.js', prepare: { ...common, config: JSON.stringify(WEEKLY_CONFIG), feedBytes: FEED_BYTES } },
    duckdb: { script: 'duckdb_worker.js', prepare: { ...common, sql: weeklySql('{file}', FIGURES.map((f) => f[2])) } },
  };
  const { server, url } = await serve(site, { port: 0 });
  let browser = null;
  try {
    browser = await chromium.launch({ executablePath, args: LAUNCH_ARGS });
    const page = await browser.newPage();
    await page.goto(`${url}index.html`);
    const got = await page.evaluate(async ({ engines, rounds, idleMs, timeoutMs }) => {
      const workers = {};
      const ask = (id, message) => new Promise((resolve, reject) => {
        const worker = workers[id];
        const script = engines[id].script;
        const end = (error, data) => {
          clearTimeout(timer);
          worker.onmessage = null;
          worker.onerror = null;
          if (error) reject(new Error(`${script}: ${error}`)); else resolve(data);
        };
        const timer = setTimeout(() => end(`no answer after ${timeoutMs} ms`), timeoutMs);
        worker.onmessage = ({ data }) => (data.error ? end(data.error) : end(null, data));
        worker.onmessageerror = () => end('its answer could not be read');
        worker.onerror = (event) => end(`${event.message ?? 'the script failed to load, or threw before it listened'}` +
          (event.filename ? ` (${event.filename}:${event.lineno})` : ''));
        worker.postMessage(message);
      });
      try {
        for (const id of Object.keys(engines)) {
          workers[id] = new Worker(engines[id].script);
          await ask(id, { type: 'prepare', ...engines[id].prepare });
        }
        await new Promise((resolve) => { setTimeout(resolve, idleMs); });
        const seconds = { kpilens: [], duckdb: [] };
        const results = { kpilens: [], duckdb: [] };
        for (let round = 0; round <= rounds; round += 1) {
          for (const id of round % 2 === 0 ? ['kpilens', 'duckdb'] : ['duckdb', 'kpilens']) {
            const answer = await ask(id, { round });
            seconds[id].push(answer.seconds);
            results[id].push(answer.result);
          }
        }
        return { seconds, results };
      } catch (error) {
        return { error: String(error.message ?? error) };
      } finally {
        for (const worker of Object.values(workers)) worker.terminate();
      }
    }, { engines, rounds, idleMs: WARM_IDLE_MS, timeoutMs });
    if (got.error) throw new Error(`the engines in Chromium: ${got.error}`);
    return {
      browser: browser.version(),
      seconds: got.seconds,
      weeks: {
        kpilens: got.results.kpilens.map((text) => weeksFromReport(JSON.parse(text))),
        duckdb: got.results.duckdb.map(weeksFromSqlRows),
      },
    };
  } finally {
    try {
      await browser?.close();
    } finally {
      await new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    }
  }
}

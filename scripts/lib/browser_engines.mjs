// browser_engines.mjs: kpilens and DuckDB-WASM in the same Chromium, for scripts/bench --steady. One fresh
// browser, one page served from a temporary folder, and in it one dedicated Web Worker per engine, one after
// the other: our module as the page's engine worker loads it (build/wasm/kpilens.web.js and its wasm, the
// code the page runs, unpacked), DuckDB-WASM's browser blocking bundle (bundled for the worker by esbuild,
// its eh module). Each worker fetches the warm file's and the file's bytes before any clock, warms its
// engine as the engine table does in Node (WARM_PASSES passes on the warm bytes, then WARM_IDLE_MS idle),
// then reads the file from memory `rounds` + 1 times: ours through a Dataset (chunkBuffer, pushChunk,
// FEED_BYTES at a time, as reportFromBuffers without its probe; the Dataset deleted inside the run),
// DuckDB-WASM with registerFileBuffer, the SQL of the engine table and dropFile. Both copy the bytes into
// their heaps inside the run. Reading a File, which costs the page as much as the engine does
// (docs/architecture.md, "The page's CPU besides the engine"), is left out for both: what is timed is the
// engines on bytes in memory.
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

// The part both workers share: the bytes fetched, the warm-up, the timed runs (`run(bytes)` → what the
// engine gave), posted back as {seconds, results: each run's}.
const ROUNDS_SOURCE = `
async function rounds(data, run) {
  const bytesOf = async (name) => {
    const response = await fetch(name);
    if (!response.ok) throw new Error(name + ': HTTP ' + response.status);
    return new Uint8Array(await response.arrayBuffer());
  };
  const warm = await bytesOf(data.warm);
  const file = await bytesOf(data.file);
  for (let i = 0; i < data.warmPasses; i += 1) await run(warm, 'warm');
  await new Promise((resolve) => { setTimeout(resolve, data.warmIdleMs); });
  const seconds = [];
  const results = [];
  for (let i = 0; i <= data.rounds; i += 1) {
    const start = performance.now();
    results.push(await run(file, i));
    seconds.push((performance.now() - start) / 1000);
  }
  return { seconds, results };
}
function serveRounds(prepare) {
  onmessage = async ({ data }) => {
    try {
      postMessage(await rounds(data, await prepare(data)));
    } catch (error) {
      postMessage({ error: String(error?.stack ?? error) });
    }
  };
}
`;

const KPILENS_WORKER = `importScripts('kpilens.web.js');
${ROUNDS_SOURCE}
serveRounds(async (data) => {
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
${ROUNDS_SOURCE}
serveRounds(async (data) => {
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
 * Both engines in one fresh Chromium: {browser, kpilens: {seconds, weeks}, duckdb: {seconds, weeks}},
 * seconds being the first run's and the `rounds` later ones', weeks each run's. `webModule`: the glue of
 * our web build, kpilens.web.js (its wasm beside it).
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

  // Each worker gets this long for all it does (fetching, warming, every run) before the bench gives up on
  // it: 120 s, and 1 s a MB per run (the page engine's limit is 5 MB/s a run; DuckDB-WASM is slower).
  const timeoutMs = 120_000 + ((rounds + 1) * statSync(file).size) / 1e3;
  const { server, url } = await serve(site, { port: 0 });
  let browser = null;
  try {
    browser = await chromium.launch({ executablePath, args: LAUNCH_ARGS });
    const page = await browser.newPage();
    await page.goto(`${url}index.html`);
    const common = { file: 'tickets.csv', warm: 'warm.csv', rounds, warmPasses: WARM_PASSES, warmIdleMs: WARM_IDLE_MS };
    const inWorker = (script, message) => page.evaluate(([script, message, timeoutMs]) => new Promise((resolve) => {
      const worker = new Worker(script);
      const end = (data) => {
        clearTimeout(timer);
        worker.terminate();
        resolve(data);
      };
      const timer = setTimeout(() => end({ error: `${script}: no answer after ${timeoutMs} ms` }), timeoutMs);
      worker.onmessage = ({ data }) => end(data);
      worker.onmessageerror = () => end({ error: `${script}: its answer could not be read` });
      worker.onerror = (event) => end({
        error: `${script}: ${event.message ?? 'the script failed to load, or threw before it listened'}` +
          (event.filename ? ` (${event.filename}:${event.lineno})` : ''),
      });
      worker.postMessage(message);
    }), [script, message, timeoutMs]);
    const ours = await inWorker('kpilens_worker.js', { ...common, config: JSON.stringify(WEEKLY_CONFIG), feedBytes: FEED_BYTES });
    if (ours.error) throw new Error(`kpilens in Chromium: ${ours.error}`);
    const duck = await inWorker('duckdb_worker.js', { ...common, sql: weeklySql('{file}', FIGURES.map((f) => f[2])) });
    if (duck.error) throw new Error(`DuckDB-WASM in Chromium: ${duck.error}`);
    return {
      browser: browser.version(),
      kpilens: { seconds: ours.seconds, weeks: ours.results.map((text) => weeksFromReport(JSON.parse(text))) },
      duckdb: { seconds: duck.seconds, weeks: duck.results.map(weeksFromSqlRows) },
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

// browser_engines.mjs: kpilens and DuckDB-WASM in the same Chromium, for scripts/bench --steady. One fresh
// browser, one page served from a temporary folder, and in it one dedicated Web Worker per engine, one after
// the other: our module as the page's engine worker loads it (build/wasm/kpilens.web.js and its wasm, the
// code the page runs, unpacked), DuckDB-WASM's browser blocking bundle (bundled for the worker by esbuild,
// its eh module). Each worker fetches the warm file's and the file's bytes before any clock, warms its
// engine as the engine table does in Node (WARM_PASSES passes on the warm bytes, then WARM_IDLE_MS idle),
// then reads the file from memory `rounds` + 1 times: ours through a Dataset (chunkBuffer, pushChunk,
// FEED_BYTES at a time, as reportFromBuffers), DuckDB-WASM with registerFileBuffer and the SQL of the engine
// table. Reading a File, which costs the page as much as the engine does (docs/architecture.md, "Reading
// a File in the page"), is left out for both: what is timed is the engines on bytes in memory.
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../static-server.mjs';
import { FIGURES, WARM_IDLE_MS, WARM_PASSES, WEEKLY_CONFIG, weeksFromReport, weeksFromSqlRows } from './bench_engines.mjs';
import { weeklySql } from './kpi_sql.mjs';
import { FEED_BYTES } from '../../wasm/bindings/parallel_read.mjs';

const require = createRequire(import.meta.url);
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

// The part both workers share: the bytes fetched, the warm-up, the timed runs (`run(bytes)` → what the
// engine gave), posted back as {seconds, last}.
const ROUNDS_SOURCE = `
async function rounds(data, run) {
  const bytesOf = async (name) => new Uint8Array(await (await fetch(name)).arrayBuffer());
  const warm = await bytesOf(data.warm);
  const file = await bytesOf(data.file);
  for (let i = 0; i < data.warmPasses; i += 1) await run(warm, 'warm');
  await new Promise((resolve) => { setTimeout(resolve, data.warmIdleMs); });
  const seconds = [];
  let last = null;
  for (let i = 0; i <= data.rounds; i += 1) {
    const start = performance.now();
    last = await run(file, i);
    seconds.push((performance.now() - start) / 1000);
  }
  return { seconds, last };
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
  const engine = await createKpilens({ locateFile: (name) => name });
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
 * Both engines in one fresh Chromium: {kpilens: {seconds, weeks}, duckdb: {seconds, weeks}}, seconds being
 * the first run's and the `rounds` later ones'. `webModule`: the glue of our web build (its wasm beside it).
 */
export async function browserRounds(file, { warmFile, rounds, dir, webModule, executablePath }) {
  const site = join(dir, 'same-browser');
  mkdirSync(site, { recursive: true });
  const wasm = webModule.replace(/\.js$/, '.wasm');
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

  const { server, url } = await serve(site, { port: 0 });
  let browser = null;
  try {
    browser = await chromium.launch({ executablePath, args: LAUNCH_ARGS });
    const page = await browser.newPage();
    await page.goto(`${url}index.html`);
    const common = { file: 'tickets.csv', warm: 'warm.csv', rounds, warmPasses: WARM_PASSES, warmIdleMs: WARM_IDLE_MS };
    const inWorker = (script, message) => page.evaluate(([script, message]) => new Promise((resolve) => {
      const worker = new Worker(script);
      worker.onmessage = ({ data }) => { worker.terminate(); resolve(data); };
      worker.onerror = (event) => { worker.terminate(); resolve({ error: `${script}: ${event.message}` }); };
      worker.postMessage(message);
    }), [script, message]);
    const ours = await inWorker('kpilens_worker.js', { ...common, config: JSON.stringify(WEEKLY_CONFIG), feedBytes: FEED_BYTES });
    if (ours.error) throw new Error(`kpilens in Chromium: ${ours.error}`);
    const duck = await inWorker('duckdb_worker.js', { ...common, sql: weeklySql('{file}', FIGURES.map((f) => f[2])) });
    if (duck.error) throw new Error(`DuckDB-WASM in Chromium: ${duck.error}`);
    return {
      browser: browser.version(),
      kpilens: { seconds: ours.seconds, weeks: weeksFromReport(JSON.parse(ours.last)) },
      duckdb: { seconds: duck.seconds, weeks: weeksFromSqlRows(duck.last) },
    };
  } finally {
    await browser?.close();
    server.close();
  }
}

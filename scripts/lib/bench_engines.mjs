// bench_engines.mjs: the engines of scripts/bench — how each is run (every run a fresh process:
// `node scripts/lib/bench_engines.mjs --worker ID FILE OPTIONS`, or the CLI itself) and what it returns:
// {seconds, weeks, peakRssBytes, wasmMemoryBytes?, heapTopBytes?, firstKpisSeconds?, phases?, cpu?, threads?}, its weekly figures normalized so that
// any two engines can be compared figure by figure (`differences`).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, read, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { weeklySql } from './kpi_sql.mjs';
import { papaWeekly } from './papa_weekly.mjs';
import { threadClocks } from './schedstat.mjs';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../../', import.meta.url));
const self = fileURLToPath(import.meta.url);
export const CLI = resolve(root, process.env.KPILENS_CLI ?? 'build/native/wasm/cli/kpilens');
export const WASM = resolve(root, process.env.KPILENS_WASM ?? 'build/wasm/kpilens.node.cjs');
// Another build of the module (its Node glue), timed as the engine wasm-ref beside wasm: a change to the
// engine is judged by the two in one run, on the same file and load, rather than by runs minutes apart.
export const WASM_REF = process.env.KPILENS_WASM_REF ? resolve(process.env.KPILENS_WASM_REF) : null;
// The weekly figures written for the bench's export alone (bench/kernel/weekly_kernel.cpp, built with the
// wasm module), timed by --steady beside ours: what a row path that knows the layout reaches.
export const KERNEL = join(dirname(WASM), 'weekly_kernel.cjs');
// What names that build in the engine's label: the commit `scripts/bench --reference REV` built it from.
const WASM_REF_NAME = process.env.KPILENS_WASM_REF_NAME || null;
export const SITE = join(root, 'dist/site');
// Another build's page (scripts/bench --reference REV with --page-ab builds REV's): scripts/bench --page-ab.
export const SITE_REF = process.env.KPILENS_SITE_REF ? resolve(process.env.KPILENS_SITE_REF) : null;
export const CHROMIUM = process.env.KPILENS_CHROMIUM ?? '/usr/bin/chromium';
// A user's drop comes a moment after the page opened; the page starts its engine meanwhile. --first-kpis
// also times a drop at the load event itself.
export const PAGE_SETTLE_MS = 1000;

export const TOLERANCE = 1e-9;

// How a Node engine warms up before its timed run: WARM_PASSES passes over the warm file, then WARM_IDLE_MS
// idle, every engine alike. V8 runs new wasm and JS on baseline code, counts how much each function runs
// and compiles a hot one with its optimising compiler in the background; the optimised code replaces the
// baseline at the function's next call. One pass over the 2 MB, straight into the timed run, left part of
// the tier-up to happen during the run: our wasm took 0.33-0.45 s on its first 1M-row run and ~0.29 s from
// its third on (9-13k page faults and ~0.1 s of background compiling inside the first); three passes and
// 0.3 s idle brought the first run to 0.29-0.30 s (two processes), level with the later runs. The idle time
// stands for the moment between opening the page and dropping a file (the page's own run keeps
// PAGE_SETTLE_MS); peers get the same, whether they need it or not. Ten passes since the two-thread run
// was seen to tier up inside its timed run after three (each of its threads reads half of every warm
// pass): its process's other threads spent 17-33 ms on a CPU during it, taken from the two engine
// threads on a two-core machine; after ten, 6-11 ms, and 0.125 s against 0.133 s (two bench runs, five
// runs each). Alternating processes, three passes against twelve: two threads 138 against 132 ms, one
// thread the same (222 and 224 ms). docs/architecture.md, "Two threads on a shared VM".
export const WARM_PASSES = 10;
export const WARM_IDLE_MS = 500;
const WARM_BYTES = 2 << 20; // the warm file: the export's first whole lines up to this

/**
 * What this process's threads did between two threadClocks() (schedstat.mjs): {main: seconds this thread
 * (the engine's, and the merging one in a parallel read) was on a CPU, workers: seconds on a CPU of the
 * `workers` busiest other threads (a parallel read's worker_threads), most first, waited: seconds those
 * were ready to run while the CPUs ran something else, others: seconds on a CPU of the rest (V8's
 * compiler and garbage collector threads, libuv's)}; null without clocks. A worker slower for the same
 * share of the work, with no more waiting, ran on a slower CPU: on the benchmark's VM one of the two
 * virtual CPUs sometimes runs ~1.5× slower than the other for a while (docs/architecture.md "Two threads
 * on a shared VM").
 */
function threadsBetween(before, after, workers = 0) {
  const main = String(process.pid);
  if (!before || !after || !after.has(main)) return null;
  const spent = (tid, t) => ({
    tid,
    cpu: (t.cpu - (before.get(tid)?.cpu ?? 0)) / 1e9,
    wait: (t.wait - (before.get(tid)?.wait ?? 0)) / 1e9,
  });
  const ours = spent(main, after.get(main));
  const rest = [...after].filter(([tid]) => tid !== main).map(([tid, t]) => spent(tid, t)).sort((a, b) => b.cpu - a.cpu);
  const total = (list, key) => list.reduce((sum, t) => sum + t[key], 0);
  return {
    main: ours.cpu,
    workers: rest.slice(0, workers).map((t) => t.cpu),
    waited: ours.wait + total(rest.slice(0, workers), 'wait'),
    others: total(rest.slice(workers), 'cpu'),
  };
}

/** The file's first whole lines up to ~2 MB, written to `warmFile`: what the engines warm up on. */
export function writeWarmFile(file, warmFile) {
  const head = Buffer.alloc(WARM_BYTES);
  const fd = openSync(file, 'r');
  const got = readSync(fd, head, 0, WARM_BYTES, 0);
  closeSync(fd);
  writeFileSync(warmFile, head.subarray(0, head.subarray(0, got).lastIndexOf(10) + 1));
}

/** WARM_PASSES passes of `pass(options.warmFile)`, then WARM_IDLE_MS idle; nothing without a warm file. */
export async function warmUp(options, pass) {
  if (!options.warmFile) return;
  for (let i = 0; i < WARM_PASSES; i += 1) await pass(options.warmFile);
  await new Promise((resolve) => { setTimeout(resolve, WARM_IDLE_MS); });
}

// The figures of the weekly report: [name, engine KPI id, DuckDB column, exact?]. Counts and medians must
// be equal; means and ratios within TOLERANCE.
export const FIGURES = [
  ['tickets', 'tickets', 'tickets', true],
  ['csat', 'csat', 'csat', false],
  ['nps', 'nps', 'nps', false],
  ['resolution_hours_mean', 'resolution_time_mean', 'resolution_mean', false],
  ['resolution_hours_median', 'resolution_time_median', 'resolution_median', true],
  ['first_response_minutes_mean', 'first_response_time_mean', 'frt_mean', false],
  ['fcr', 'fcr', 'fcr', false],
];

// What our engines are asked for: the weekly report's figures alone (the config's `figures`, the CLI's
// --figures), as the peers' SQL and JS compute those alone. The engine then reads only the columns these
// figures need and keeps the resolution times (for the median) but not the first response times (their
// mean alone is asked for): docs/report.md "figures". wasm-full times the full report (every figure)
// beside it. KPILENS_BENCH_FULL=1 has wasm, wasm-ref, wasm-parallel and cli compute the full report too, as
// before the config had figures: to compare with a reference build that does not know them.
export const FULL_CONFIG = { grain: 'week' };
export const WEEKLY_CONFIG = process.env.KPILENS_BENCH_FULL === '1' ? FULL_CONFIG : { grain: 'week', figures: FIGURES.map(([, id]) => id) };

// --- engines: each runs in its own process ---------------------------------------------------------

/** Runs `node bench_engines.mjs --worker ID FILE OPTIONS` and returns what the worker printed. */
export function inWorker(id, options = {}) {
  return (file, runOptions = {}) => {
    const child = spawnSync(process.execPath, [self, '--worker', id, file, JSON.stringify({ ...options, ...runOptions })], {
      encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`${id}: worker failed (status ${child.status}, ${child.signal ?? 'no signal'})`);
    return JSON.parse(child.stdout);
  };
}

function runCli(file) {
  const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%M'] : [];
  const figures = WEEKLY_CONFIG.figures ? ['--figures', WEEKLY_CONFIG.figures.join(',')] : [];
  const argv = [...time, CLI, 'report', '--grain', 'week', ...figures, file];
  const start = process.hrtime.bigint();
  const child = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (child.status !== 0) throw new Error(`cli: status ${child.status}: ${child.stderr}`);
  const kb = time.length ? Number(child.stderr.trim().split('\n').pop()) : NaN;
  return { seconds, weeks: weeksFromReport(JSON.parse(child.stdout)), peakRssBytes: kb * 1024 || null };
}

export const ENGINES = [
  { id: 'wasm', label: 'kpilens wasm (Node)', run: inWorker('wasm') },
  { id: 'wasm-full', label: 'kpilens wasm, every figure (Node)', run: inWorker('wasm-full') },
  { id: 'wasm-ref', label: `kpilens wasm, reference build ${WASM_REF_NAME ?? '(KPILENS_WASM_REF)'}`, run: inWorker('wasm-ref') },
  { id: 'wasm-parallel', label: `kpilens wasm, ${availableParallelism()} threads (Node: this one and ${availableParallelism() - 1} worker_thread${availableParallelism() === 2 ? '' : 's'})`, run: inWorker('wasm-parallel') },
  { id: 'page', label: 'kpilens page (Chromium)', run: inWorker('page') },
  { id: 'cli', label: 'kpilens native CLI', run: runCli },
  { id: 'papa', label: 'Papa Parse + JS', run: inWorker('papa') },
  { id: 'duckdb-wasm', label: 'DuckDB-WASM (Node)', run: inWorker('duckdb-wasm') },
  { id: 'duckdb', label: 'DuckDB native, 1 thread', run: inWorker('duckdb') },
];

// --- workers ------------------------------------------------------------------------------------------

async function wasmRun(modulePath, file, options, config = WEEKLY_CONFIG) {
  const { loadEngine, reportFromFiles } = await import('../../wasm/bindings/node_engine.mjs');
  const engine = await loadEngine(modulePath);
  await warmUp(options, (warmFile) => reportFromFiles([warmFile], config));
  const clocks = threadClocks();
  const start = process.hrtime.bigint();
  const text = await reportFromFiles([file], config);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const threads = threadsBetween(clocks, threadClocks());
  return { seconds, weeks: weeksFromReport(JSON.parse(text)), wasmMemoryBytes: engine.HEAPU8.buffer.byteLength, heapTopBytes: engine.heapTop(), threads };
}

/**
 * Our module and the reference build's (WASM_REF) in one process, alternately: options.rounds rounds after
 * both warmed up, the order inside a round alternating, the module named by options.first loaded and
 * warmed first (the other order is another process: scripts/bench --ab runs both). Each through its own
 * instance of our bindings (the import's query makes a second one). A run's neighbours share its machine
 * state, so each round's ratio is steadier than the ratio of medians taken minutes apart.
 * Returns {seconds: {wasm, 'wasm-ref'}, weeks, differ: the two modules' differences (empty when they agree)}.
 */
async function inProcessAb(file, options) {
  const order = options.first === 'wasm-ref' ? ['wasm-ref', 'wasm'] : ['wasm', 'wasm-ref'];
  const engines = [];
  for (const id of order) {
    const bindings = await import(`../../wasm/bindings/node_engine.mjs${id === 'wasm-ref' ? '?reference' : ''}`);
    await bindings.loadEngine(id === 'wasm-ref' ? WASM_REF : WASM);
    engines.push({ id, run: (f) => bindings.reportFromFiles([f], WEEKLY_CONFIG), touched: bindings.memoryTouched });
  }
  return alternately(file, engines, options);
}

/**
 * inProcessAb's rounds: `engines` ({id: 'wasm' | 'wasm-ref', run(file) → report text, touched: the bindings'
 * memoryTouched, if they have one}, in the order they were loaded) warmed up, then options.rounds rounds, the
 * order inside a round alternating. Each instance of the bindings pauses its idle memory touch for its own
 * runs only, so both touches are awaited before the first round (they end within the warm-up's idle).
 */
async function alternately(file, engines, options) {
  for (const engine of engines) await warmUp(options, engine.run);
  await Promise.all(engines.map((engine) => engine.touched?.()));
  const seconds = { wasm: [], 'wasm-ref': [] };
  const weeks = {};
  for (let round = 0; round < options.rounds; round += 1) {
    for (const engine of round % 2 === 0 ? engines : [...engines].reverse()) {
      const start = process.hrtime.bigint();
      const text = await engine.run(file);
      seconds[engine.id].push(Number(process.hrtime.bigint() - start) / 1e9);
      weeks[engine.id] ??= weeksFromReport(JSON.parse(text));
    }
  }
  return { seconds, weeks: weeks.wasm, differ: differences(weeks.wasm, weeks['wasm-ref'], 'wasm', 'wasm-ref') };
}

/** inProcessAb in a fresh process; `first`: 'wasm' or 'wasm-ref'. */
export const abInProcess = (file, options) => inWorker('ab')(file, options);

// The reference build's own Node bindings (scripts/bench --reference REV takes REV's source into
// build/reference/<commit>/, its module at build/wasm/kpilens.node.cjs there): what --threads-ab runs.
export const BINDINGS_REF = WASM_REF ? resolve(dirname(WASM_REF), '../../wasm/bindings/node_engine.mjs') : null;

/**
 * Our bindings and module against the reference build's, both reading the file with N threads (the cores:
 * this one and N − 1 worker_threads of each build's own part readers, started before and kept, as a caller
 * keeps them), in one process, alternately: options.rounds rounds after both warmed up, as inProcessAb. A
 * change to the parallel read lies in the bindings (node_engine.mjs, parallel_read.mjs), which --ab shares
 * between the two modules; here each build runs its own.
 * Returns {seconds: {wasm, 'wasm-ref'}, weeks, differ}.
 */
async function inProcessThreadsAb(file, options) {
  const order = options.first === 'wasm-ref' ? ['wasm-ref', 'wasm'] : ['wasm', 'wasm-ref'];
  const engines = [];
  try {
    for (const id of order) {
      const modulePath = id === 'wasm-ref' ? WASM_REF : WASM;
      const bindings = await import(id === 'wasm-ref' ? pathToFileURL(BINDINGS_REF).href : '../../wasm/bindings/node_engine.mjs');
      await bindings.loadEngine(modulePath);
      const readers = await bindings.startPartReaders({ workers: availableParallelism() - 1, modulePath });
      // Split whatever its size, as --paired-threads does.
      const run = (f) => bindings.reportFromFilesParallel([f], WEEKLY_CONFIG, { readers, modulePath, minParallelBytes: 0 });
      engines.push({ id, run, readers, touched: bindings.memoryTouched });
    }
    return await alternately(file, engines, options);
  } finally {
    await Promise.all(engines.map((engine) => engine.readers.close()));
  }
}

/** inProcessThreadsAb in a fresh process; `first`: 'wasm' or 'wasm-ref'. */
export const threadsAbInProcess = (file, options) => inWorker('threads-ab')(file, options);

/**
 * One thread against N (the cores: this one and N − 1 worker_threads) in one process: options.rounds
 * rounds after both warmed up, each reading the file once with one thread and once with N, the order
 * alternating from round to round. A round's two runs are seconds apart on the same machine, so a slow
 * spell of the VM (docs/architecture.md, "Two threads on a shared VM") lands in both or shows as one odd
 * round, where the engine table's medians of fresh processes minutes apart mix it into the ratio.
 * options.first ('one' or 'many'): which is warmed and read first in even rounds (the other order is
 * another process: scripts/bench --paired-threads runs both).
 * Returns {one: seconds, many: seconds, threads: each parallel run's threadsBetween, moved: each parallel
 * run's bytes moved between the threads (rebalanced, taken over, passed on), workers: N − 1, differ: the
 * two reads' differences (empty when they agree)}.
 */
async function inProcessThreads(file, options) {
  const { loadEngine, reportFromFiles, reportFromFilesParallel, startPartReaders } = await import('../../wasm/bindings/node_engine.mjs');
  await loadEngine(WASM);
  const readers = await startPartReaders({ workers: availableParallelism() - 1, modulePath: WASM });
  try {
    // Split whatever its size (minParallelBytes 0; the default, 32 MiB, splits the default file anyway), so
    // that a smaller --rows still compares one thread with N.
    const moved = [];
    const parallel = async (f) => {
      const stats = {};
      const text = await reportFromFilesParallel([f], WEEKLY_CONFIG, { readers, modulePath: WASM, stats, minParallelBytes: 0 });
      if (stats.restarted || stats.files[0].fallback) throw new Error(`threads: read sequentially (${stats.restarted ?? stats.files[0].fallback})`);
      const { rebalanced = 0, tookOver = 0, passedOn = 0 } = stats.files[0];
      moved.push(rebalanced + tookOver + passedOn);
      return text;
    };
    const order = options.first === 'many' ? ['many', 'one'] : ['one', 'many'];
    const read = { one: (f) => reportFromFiles([f], WEEKLY_CONFIG), many: parallel };
    // Warmed as the engine table's wasm and wasm-parallel are, in this process's order.
    for (const id of order) await warmUp(options, read[id]);
    moved.length = 0;
    const one = [];
    const many = [];
    const threads = [];
    const weeks = {};
    for (let round = 0; round < options.rounds; round += 1) {
      for (const id of round % 2 === 0 ? order : [...order].reverse()) {
        const clocks = threadClocks();
        const start = process.hrtime.bigint();
        const text = await read[id](file);
        (id === 'one' ? one : many).push(Number(process.hrtime.bigint() - start) / 1e9);
        if (id === 'many') threads.push(threadsBetween(clocks, threadClocks(), readers.readers.length));
        weeks[id] ??= weeksFromReport(JSON.parse(text));
      }
    }
    return { one, many, threads, moved, workers: readers.readers.length, differ: differences(weeks.one, weeks.many, 'one thread', 'threads') };
  } finally {
    await readers.close();
  }
}

/** inProcessThreads in a fresh process. */
export const threadsInProcess = (file, options) => inWorker('threads')(file, options);

/** inProcessSteady in a fresh process. */
export const steadyInProcess = (file, options) => inWorker('steady')(file, options);

/**
 * kpilens wasm, the weekly kernel (weeklyKernel) and DuckDB-WASM in one process (scripts/bench --steady),
 * all warmed as in the engine table, then options.rounds + 1 rounds in each of which all three read the
 * file, ours and DuckDB-WASM first and last by turns (ours first in round 0), the kernel between them:
 * {seconds: {kpilens, duckdb, kernel}, weeks: {kpilens, duckdb, kernel}}, each run's. A round's runs are
 * seconds apart, so a slow spell of the VM falls on all of them or shows in one round's ratios, not on
 * one engine's every run. Round 0 is each engine's first run on the file (the engine table's); the later
 * rounds run on a heap and code a file this size has been through, as a user's next file in the same tab
 * does.
 */
async function inProcessSteady(file, options) {
  const { loadEngine, reportFromFiles } = await import('../../wasm/bindings/node_engine.mjs');
  await loadEngine(WASM);
  const { db, connection, duckdb } = await duckdbWasmNode({}); // (warmed below, with ours)
  const kernel = await weeklyKernel();
  if (options.warmFile) db.registerFileURL('warm.csv', options.warmFile, duckdb.DuckDBDataProtocol.NODE_FS, true);
  await warmUp(options, async (warmFile) => {
    await reportFromFiles([warmFile], WEEKLY_CONFIG);
    await kernel(warmFile);
    connection.query(weeklySql('warm.csv', FIGURES.map((f) => f[2]))).toArray();
  });
  const run = {
    kpilens: async () => weeksFromReport(JSON.parse(await reportFromFiles([file], WEEKLY_CONFIG))),
    kernel: () => kernel(file),
    // Registered under a new name each run, so that nothing DuckDB-WASM keeps of a file carries over, and
    // dropped inside the run, as in Chromium (ours deletes its Dataset inside the run).
    duckdb: (round) => {
      const name = `tickets-${round}.csv`;
      db.registerFileURL(name, file, duckdb.DuckDBDataProtocol.NODE_FS, true);
      const rows = connection.query(weeklySql(name, FIGURES.map((f) => f[2]))).toArray().map((row) => row.toJSON());
      db.dropFile(name);
      return weeksFromSqlRows(rows);
    },
  };
  const seconds = { kpilens: [], duckdb: [], kernel: [] };
  const weeks = { kpilens: [], duckdb: [], kernel: [] };
  for (let round = 0; round <= options.rounds; round += 1) {
    for (const id of round % 2 === 0 ? ['kpilens', 'kernel', 'duckdb'] : ['duckdb', 'kernel', 'kpilens']) {
      const start = process.hrtime.bigint();
      const got = await run[id](round);
      seconds[id].push(Number(process.hrtime.bigint() - start) / 1e9);
      weeks[id].push(got);
    }
  }
  connection.close();
  return { seconds, weeks };
}

/**
 * The weekly kernel (bench/kernel/weekly_kernel.cpp) instantiated: an async function that reads a file into
 * it and returns its weeks. The file is read as our Node driver reads it (node_engine.mjs feedFile), 2 MiB
 * at a time into two buffers in turn, the next chunk read (fs.read) while the kernel scans this one. It
 * refuses a file whose header is not the bench export's or with rows it could not read (it reads no other
 * layout or form).
 */
export async function weeklyKernel(modulePath = KERNEL) {
  if (!existsSync(modulePath)) throw new Error(`no weekly kernel at ${modulePath} (scripts/build wasm)`);
  const { instantiateCompiled } = await import('../../wasm/bindings/compiled_module.mjs');
  const compiled = await WebAssembly.compile(readFileSync(modulePath.replace(/\.cjs$/, '.wasm')));
  const m = await instantiateCompiled(require(modulePath), compiled);
  const chunkBytes = m._kernel_chunk_bytes();
  const slices = [m._kernel_slice(0), m._kernel_slice(1)];
  const room = 1 << 20;
  const out = m._malloc(room);
  const readAt = (fd, position, b) => new Promise((resolve, reject) => {
    read(fd, m.HEAPU8, slices[b], chunkBytes, position, (error, got) => (error ? reject(error) : resolve(got)));
  });
  return async (file) => {
    m._kernel_reset();
    const fd = openSync(file, 'r');
    let pending = null;
    try {
      let b = 0;
      let position = 0;
      let got = readSync(fd, m.HEAPU8, slices[b], chunkBytes, position);
      for (;;) {
        position += got;
        pending = got === 0 ? null : readAt(fd, position, 1 - b); // (memory grows in place: feedFile)
        if (!m._kernel_feed(b, got)) throw new Error(`weekly kernel: ${file} has a record of over ${chunkBytes} bytes`);
        if (got === 0) break;
        got = await pending;
        pending = null;
        b = 1 - b;
      }
    } finally {
      if (pending) await pending.catch(() => {});
      closeSync(fd);
    }
    const length = m._kernel_report(out, room);
    if (length >= room) throw new Error(`weekly kernel: the weeks of ${file} take more than ${room} bytes of text`);
    return weeksFromKernel(Buffer.from(m.HEAPU8.subarray(out, out + length)).toString(), file); // (after the call: memory may grow)
  };
}

/** kernel_report's text as weeks: a line per week (its Monday, then FIGURES in order), then the counts. */
export function weeksFromKernel(text, file = 'the file') {
  const lines = text.trimEnd().split('\n');
  const [, rows, , unread, , header] = lines.pop().split(' ');
  if (header !== '1') throw new Error(`weekly kernel: ${file} does not have the bench export's header`);
  if (unread !== '0') throw new Error(`weekly kernel: ${unread} of the ${rows} rows of ${file} are not in the bench export's form`);
  return lines.map((line) => {
    const [week, ...values] = line.split(' ');
    const out = { week };
    FIGURES.forEach(([name], i) => { out[name] = values[i] === 'null' ? null : Number(values[i]); });
    return out;
  });
}

/** DuckDB-WASM's Node blocking bundle, instantiated and warmed as in the engine table (not timed). */
async function duckdbWasmNode(options) {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dist = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));
  const bundles = {
    mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: join(dist, 'duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: join(dist, 'duckdb-node-eh.worker.cjs') },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate(() => {});
  const connection = db.connect();
  if (options.warmFile) db.registerFileURL('warm.csv', options.warmFile, duckdb.DuckDBDataProtocol.NODE_FS, true);
  await warmUp(options, () => connection.query(weeklySql('warm.csv', FIGURES.map((f) => f[2]), options.dates)).toArray());
  return { db, connection, duckdb };
}

const WORKERS = {
  ab: inProcessAb,
  'threads-ab': inProcessThreadsAb,
  threads: inProcessThreads,
  steady: inProcessSteady,
  wasm: (file, options) => wasmRun(WASM, file, options),
  'wasm-ref': (file, options) => wasmRun(WASM_REF, file, options),
  'wasm-full': (file, options) => wasmRun(WASM, file, options, FULL_CONFIG),

  // N = the cores: the file read in parts by this thread and N − 1 worker_threads (node_engine.mjs
  // reportFromFilesParallel).
  // Timed like wasm: the readers are started before (startPartReaders: each instantiates the module this
  // thread compiled), as loading the module is not timed; that start is reported beside.
  async 'wasm-parallel'(file, options) {
    const { loadEngine, reportFromFilesParallel, startPartReaders } = await import('../../wasm/bindings/node_engine.mjs');
    const engine = await loadEngine(WASM);
    const started = process.hrtime.bigint();
    const readers = await startPartReaders({ workers: availableParallelism() - 1, modulePath: WASM }); // and this thread
    const startSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    try {
      // Warmed the way it runs: the warm file read in parts too (it is under the 32 MiB a file needs to be
      // split by default), so that the code only parts run (the quote count, the record-start guess,
      // saving and merging a part's state) is optimised before the timed run, as the rest is. The readers
      // instantiate the module this thread compiled: V8 shares the optimised code between them.
      await warmUp(options, async (warmFile) => {
        const warmStats = {};
        await reportFromFilesParallel([warmFile], WEEKLY_CONFIG, { readers, modulePath: WASM, minParallelBytes: 0, stats: warmStats });
        if (warmStats.restarted || warmStats.files[0].fallback) throw new Error(`wasm-parallel: the warm-up was read sequentially (${warmStats.restarted ?? warmStats.files[0].fallback})`);
      });
      const stats = {};
      const clocks = threadClocks();
      const start = process.hrtime.bigint();
      const text = await reportFromFilesParallel([file], WEEKLY_CONFIG, { readers, modulePath: WASM, stats });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const threads = threadsBetween(clocks, threadClocks(), readers.readers.length);
      if (stats.restarted || stats.files[0].fallback) throw new Error(`wasm-parallel: read sequentially (${stats.restarted ?? stats.files[0].fallback})`);
      return {
        seconds, weeks: weeksFromReport(JSON.parse(text)), wasmMemoryBytes: engine.HEAPU8.buffer.byteLength, heapTopBytes: engine.heapTop(), threads,
        phases: {
          startSeconds, headSeconds: stats.headMs / 1000, readSeconds: stats.readMs / 1000, mergeSeconds: stats.mergeMs / 1000,
          rebalancedBytes: stats.files[0].rebalanced, tookOverBytes: stats.files[0].tookOver,
        },
      };
    } finally {
      await readers.close();
    }
  },

  async page(file, options) {
    const { startPageRunner } = await import('./page_run.mjs');
    const runner = await startPageRunner({
      siteDir: options.siteDir ?? SITE, executablePath: CHROMIUM, settleMs: options.settleMs ?? PAGE_SETTLE_MS,
      timeoutMs: 120_000 + statSync(file).size / 5e3, // 5 MB/s at the very least
    });
    try {
      const got = await runner.run(file);
      const weeks = weeksFromReport(got.report);
      // What the page shows is what its report says: the trend table's periods and tickets.
      const series = got.report.kpis.find((k) => k.id === 'tickets').series.value;
      const shown = got.shownTickets.map((row) => `${row.period} ${row.value}`).join(', ');
      const expected = got.report.periods.keys.map((key, i) => `${key} ${series[i]}`).join(', ');
      if (shown !== expected) throw new Error(`page: the trend table shows ${shown.slice(0, 200)}…, its report ${expected.slice(0, 200)}…`);
      const { seconds, firstKpisSeconds, phases, cpu, wasmMemoryBytes, heapTopBytes, peakRssBytes, notices } = got;
      return { seconds, firstKpisSeconds, weeks, wasmMemoryBytes, heapTopBytes, peakRssBytes, phases, cpu, notices };
    } finally {
      await runner.close();
    }
  },

  async papa(file, options) {
    const Papa = require('papaparse');
    await warmUp(options, (warmFile) => papaWeekly(Papa, warmFile, options.dates));
    const start = process.hrtime.bigint();
    const weeks = await papaWeekly(Papa, file, options.dates);
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, weeks };
  },

  async 'duckdb-wasm'(file, options) {
    const { db, connection, duckdb } = await duckdbWasmNode(options);
    const start = process.hrtime.bigint();
    db.registerFileURL('tickets.csv', file, duckdb.DuckDBDataProtocol.NODE_FS, true);
    const table = connection.query(weeklySql('tickets.csv', FIGURES.map((f) => f[2]), options.dates));
    const rows = table.toArray().map((row) => row.toJSON());
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    connection.close();
    return { seconds, weeks: weeksFromSqlRows(rows) };
  },

  async duckdb(file, options) {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run('SET threads = 1');
    await warmUp(options, (warmFile) => connection.runAndReadAll(weeklySql(warmFile, FIGURES.map((f) => f[2]), options.dates)));
    const start = process.hrtime.bigint();
    const result = await connection.runAndReadAll(weeklySql(file, FIGURES.map((f) => f[2]), options.dates));
    const rows = result.getRowObjectsJS();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    connection.closeSync?.();
    return { seconds, weeks: weeksFromSqlRows(rows) };
  },
};

// --- the weekly figures, normalized: {week: 'YYYY-MM-DD', tickets, csat, …} ---------------------------

export function weeksFromReport(report) {
  if (!report.ok) throw new Error(`engine report not ok: ${JSON.stringify(report.errors)}`);
  const kpis = new Map(report.kpis.map((k) => [k.id, k]));
  return report.periods.start.map((week, i) => {
    const out = { week };
    for (const [name, id] of FIGURES) out[name] = kpis.get(id).series.value[i];
    return out;
  });
}

export function weeksFromSqlRows(rows) {
  return rows.map((row) => {
    const out = { week: row.week };
    for (const [name, , column] of FIGURES) out[name] = row[column] === null ? null : Number(row[column]);
    return out;
  });
}

// --- comparing ----------------------------------------------------------------------------------------

/** The differences between two engines' weeks (empty when they agree). */
export function differences(a, b, labelA, labelB) {
  const out = [];
  if (a.length !== b.length) out.push(`${labelA} has ${a.length} weeks, ${labelB} ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i].week !== b[i].week) { out.push(`week ${i}: ${labelA} ${a[i].week}, ${labelB} ${b[i].week}`); continue; }
    for (const [name, , , exact] of FIGURES) {
      const x = a[i][name];
      const y = b[i][name];
      const same = x === y || (x !== null && y !== null && !exact &&
        Math.abs(x - y) <= TOLERANCE * Math.max(Math.abs(x), Math.abs(y)));
      if (!same) out.push(`week of ${a[i].week}, ${name}: ${labelA} ${x}, ${labelB} ${y}`);
    }
  }
  return out;
}

if (process.argv[1] === self && process.argv[2] === '--worker') {
  const [, , , id, file, options] = process.argv;
  const result = await WORKERS[id](file, options ? JSON.parse(options) : {});
  result.peakRssBytes ??= process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify(result));
}

// bench: times the weekly support report (per ISO week: tickets, CSAT top-2-box, NPS, mean and median
// resolution hours, mean first response minutes, FCR) on one synthetic export, with our engine and peers:
//
//   scripts/bench [--rows N] [--runs K] [--out FILE] [--engines id,id…] [--seed S]
//                 [--first-kpis] [--memory] [--huge] [--no-table] [--reference REV] [--ab ROUNDS]
//                 [--paired-threads ROUNDS] [--steady ROUNDS] [--dates iso|minutes|us|jira] [--quotes needed|all] [--crlf]
//
// Files are made by scripts/gen.mjs (fixed seed) in a temporary directory, never in the repository, and
// deleted at the end. Every run of every engine is a fresh process (so no engine profits from another's warm
// caches or heap), and the runs alternate the engines' order (forward, then backward…). What is timed:
//   wasm     reportFromFiles() in Node, for the weekly figures (the config's `figures`: the engine reads
//            only what they need); loading and compiling the module is not timed
//   wasm-full the same for the full report (every figure: no `figures`)
//   wasm-ref the same with another build of the module (KPILENS_WASM_REF: its Node glue); only when that
//            is set, so that a change to the engine is judged against the build before it in one run.
//            `--reference REV` (scripts/bench builds REV's module from its source and sets it): the
//            results then say how this build compares with REV's on this machine today, whatever the
//            machine's speed, which on a shared VM changes from day to day
//   wasm-parallel  reportFromFilesParallel() on N threads: this one and N − 1 worker_threads started
//            beforehand (startPartReaders, not timed, like the module load: they instantiate the module
//            this thread compiled)
//   page     the served page (dist/site) in Debian's Chromium, a fresh browser each run: from the file
//            input's change event (the file given by path, as a user picks it) until the report is painted;
//            the page load is not timed, the file comes PAGE_SETTLE_MS after it (scripts/lib/page_run.mjs)
//   cli      the wall time of the whole `kpilens report --grain week --figures … FILE` process
//   papa     Papa Parse streaming the file (`chunk`) + the aggregation in plain JS (scripts/lib/papa_weekly.mjs)
//   duckdb-wasm  registering the file + the query; instantiating DuckDB-WASM is not timed
//   duckdb   the query in native DuckDB (@duckdb/node-api), SET threads = 1; opening DuckDB is not timed
// In the engine table, every engine run in Node first computes the same report, untimed, ten times on the
// file's first ~2 MB, in the same process, then idles 0.5 s (bench_engines.mjs warmUp): V8 (and DuckDB-WASM's
// V8) runs new wasm and JS on baseline code and optimises a function once it is hot, in the background, so a
// cold first pass measures the compiler as much as the engine. The page warms its own engine when it opens
// (web/worker.js), before the file comes; the CLI needs none, native DuckDB is warmed like the others.
// All engines must agree on every weekly figure (relative 1e-9, counts and medians exactly), or the
// benchmark fails. Peers compute only the seven figures, and so do wasm, wasm-parallel and cli (their report
// lists those alone); wasm-full computes the whole report, and the page its own (every figure, with
// breakdowns by channel, agent, team and priority), and the page checks that the trend table it shows holds
// the report's weekly ticket counts.
//
// The engines and how each is run: scripts/lib/bench_engines.mjs.
//
// --dates minutes|us|jira writes every export's date-times as other helpdesks do
// (scripts/lib/date_layouts.mjs): `2024-01-15 16:34` (to the minute, as our Zendesk and Stripe fixtures),
// `01/15/2024 16:34:31`, or Jira's `15/Jan/24 4:34 PM`, instead of ISO `2024-01-15 16:34:31`. Our engine
// reads them without being told (the minute ones take its ISO fast path, US and Jira its general scanner);
// DuckDB gets the layout's strptime format, the Papa Parse peer a reader for it. Not with --steady: the
// weekly kernel reads ISO alone.
//
// --quotes all quotes every cell of every export (`"2024-01-15 16:34:31","Solved",""`), as some tools and
// spreadsheets write CSV: the same data, ~22 % more bytes, and every block of it holds quotes (our scanner's
// slower path). Not with --steady either: the weekly kernel reads unquoted cells alone.
//
// --crlf ends every line of every export with CR LF, as Windows tools and Excel do: one byte more a row
// (~0.7 %); our decoder ends a record at its CR and passes over the LF. Not with --steady: the kernel splits
// on LF.
//
// Sections beside the engine table (each with its own generated file):
//   --first-kpis  a ~10 MB export in the page: the time until the first KPIs (the cards) are on screen
//                 (target < 300 ms) and until everything is, where it goes, and the CPU each Chromium thread spent
//   --memory      ~250 MB and ~2.5 GB exports: the peak wasm memory of our wasm engines (target: within
//                 10 % of each other)
//   --huge        a ~8 GB export through the page: time, MB/s, peak wasm memory (checked against the CLI)
//   --ab ROUNDS   our module against the reference build's (--reference REV, or KPILENS_WASM_REF) in one
//                 process, ROUNDS rounds each in two processes (each module loaded first once): the ratio
//                 of their times round by round, which resolves smaller differences than the engine table
//   --threads-ab ROUNDS  the same with N threads (the cores), each build with its own bindings and its part
//                 readers kept (--reference REV): a change to the parallel read lies in the bindings
//   --paired-threads ROUNDS  one thread against N (the cores) in one process, ROUNDS rounds each in two
//                 processes (one reading one thread first, the other N): the ratio round by round (target
//                 ≥ 1.7× with 2 on 2 cores), its spread, and the rounds in which a thread was slower
//   --page-ab ROUNDS  our page against the reference build's page (--reference REV builds it, or
//                 KPILENS_SITE_REF: a dist/site), on the ~10 MB export and on the file: ROUNDS rounds, in each
//                 one fresh Chromium per page, their order alternating; the ratio of the times round by round
//   --steady ROUNDS  kpilens wasm and DuckDB-WASM reading the file in ROUNDS + 1 rounds, alternately, in one Node
//                 process and in one Chromium (a Web Worker each, the bytes from memory): their first run (in
//                 Node as the engine table times it) and the later ones, as a user's next file in the same tab
// The wasm engines' peak memory is the module's memory size at the end: wasm memory never shrinks.
import { execFileSync } from 'node:child_process';
import {
  existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BINDINGS_REF, CHROMIUM, CLI, ENGINES, FIGURES, KERNEL, abInProcess, steadyInProcess, threadsAbInProcess, threadsInProcess, PAGE_SETTLE_MS, SITE, SITE_REF, TOLERANCE, WARM_IDLE_MS, WARM_PASSES, WASM, WASM_REF, WEEKLY_CONFIG, differences,
  inWorker, writeWarmFile,
} from './lib/bench_engines.mjs';
import { quantile7 } from './lib/papa_weekly.mjs';
import { dateLayout, LAYOUT_NAMES } from './lib/date_layouts.mjs';
import { QUOTINGS } from './gen.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
// The web build of the module (the page's engine), beside the Node one: --steady runs it in Chromium.
const WEB_MODULE = join(dirname(WASM), 'kpilens.web.js');
const SEED = 20240101;

function parseArgs(argv) {
  const o = {
    rows: 1_000_000, runs: 3, out: null, seed: SEED, engines: ENGINES.filter((e) => e.id !== 'wasm-ref' || WASM_REF).map((e) => e.id),
    dates: 'iso', quotes: 'needed', crlf: false, table: true, firstKpis: false, memory: false, huge: false, reference: null, ab: 0, threadsAb: 0, pageAb: 0, pairedThreads: 0, steady: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    const count = (v, what) => {
      const n = Number(String(v).replaceAll(/[,_]/g, ''));
      if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a whole number ≥ 1, got ${v}`);
      return n;
    };
    switch (argv[i]) {
      case '--rows': o.rows = count(value(), '--rows'); break;
      case '--runs': o.runs = count(value(), '--runs'); break;
      case '--seed': o.seed = count(value(), '--seed'); break;
      case '--out': o.out = resolve(value()); break;
      case '--engines': o.engines = value().split(','); break;
      case '--first-kpis': o.firstKpis = true; break;
      case '--memory': o.memory = true; break;
      case '--huge': o.huge = true; break;
      case '--no-table': o.table = false; break;
      case '--reference': o.reference = value(); break;
      case '--ab': o.ab = count(value(), '--ab'); break;
      case '--threads-ab': o.threadsAb = count(value(), '--threads-ab'); break;
      case '--page-ab': o.pageAb = count(value(), '--page-ab'); break;
      case '--paired-threads': o.pairedThreads = count(value(), '--paired-threads'); break;
      case '--steady': o.steady = count(value(), '--steady'); break;
      case '--dates': o.dates = value(); break;
      case '--quotes': o.quotes = value(); break;
      case '--crlf': o.crlf = true; break;
      case '--help':
        console.log('usage: scripts/bench [--rows N (1000000)] [--runs K (3)] [--out FILE] [--engines ' +
          `${ENGINES.map((e) => e.id).join(',')}] [--seed S (${SEED})] [--first-kpis] [--memory] [--huge] [--no-table] ` +
          '[--reference REV] [--ab ROUNDS] [--threads-ab ROUNDS] [--page-ab ROUNDS] [--paired-threads ROUNDS] [--steady ROUNDS] ' +
          `[--dates ${LAYOUT_NAMES.join('|')}] [--quotes ${QUOTINGS.join('|')}] [--crlf]`);
        process.exit(0);
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  for (const id of o.engines) if (!ENGINES.some((e) => e.id === id)) throw new Error(`unknown engine ${id}`);
  if (!LAYOUT_NAMES.includes(o.dates)) throw new Error(`--dates must be one of ${LAYOUT_NAMES.join(', ')}`);
  if (o.steady && o.dates !== 'iso') throw new Error('--steady reads ISO dates only (its weekly kernel knows that layout alone)');
  if (!QUOTINGS.includes(o.quotes)) throw new Error(`--quotes must be one of ${QUOTINGS.join(', ')}`);
  if (o.steady && o.quotes !== 'needed') throw new Error('--steady reads unquoted cells only (its weekly kernel knows no other)');
  if (o.steady && o.crlf) throw new Error('--steady reads LF line ends only (its weekly kernel splits on LF)');
  if (!o.engines.includes('wasm')) throw new Error('the engines must include wasm: ratios are to it');
  if (o.reference) {
    // scripts/bench built REV's module and set KPILENS_WASM_REF to it; asked for, it is timed whatever --engines says.
    if (!WASM_REF) throw new Error('--reference needs KPILENS_WASM_REF: run it through scripts/bench, which builds it');
    if (!o.engines.includes('wasm-ref')) o.engines.splice(o.engines.indexOf('wasm') + 1, 0, 'wasm-ref');
  }
  if (o.engines.includes('wasm-ref') && !WASM_REF) throw new Error('the engine wasm-ref needs KPILENS_WASM_REF (a Node build\'s kpilens.node.cjs)');
  if (o.ab && !WASM_REF) throw new Error('--ab needs a reference build: --reference REV (through scripts/bench), or KPILENS_WASM_REF');
  if (o.threadsAb && !(BINDINGS_REF && existsSync(BINDINGS_REF))) throw new Error('--threads-ab needs a reference build with its source: --reference REV (through scripts/bench)');
  if (o.threadsAb && availableParallelism() < 2) throw new Error('--threads-ab needs two cores or more');
  if (o.pageAb && !SITE_REF) throw new Error('--page-ab needs a reference page: --reference REV (through scripts/bench), or KPILENS_SITE_REF');
  if ((o.firstKpis || o.huge) && !o.engines.includes('page')) throw new Error('--first-kpis and --huge need the page engine');
  if (o.pairedThreads && availableParallelism() < 2) throw new Error('--paired-threads needs two cores or more (one thread against one per core)');
  if (o.steady && !existsSync(WEB_MODULE)) throw new Error(`--steady needs the web build beside the Node one: no ${WEB_MODULE} (scripts/build wasm)`);
  if (o.steady && !existsSync(CHROMIUM)) throw new Error(`--steady needs Chromium: no ${CHROMIUM} (KPILENS_CHROMIUM)`);
  if (o.steady && !existsSync(KERNEL)) throw new Error(`--steady needs the weekly kernel beside the module: no ${KERNEL} (scripts/build wasm)`);
  return o;
}

const median = (xs) => quantile7([...xs].sort((a, b) => a - b), 0.5);
const fmt = (x, digits) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mib = (bytes) => (bytes ? `${fmt(bytes / 2 ** 20, 0)} MiB` : '–');
// The module's memory size, and beside it the most of it used (the heap's top: its size grows in 20 % steps).
const wasmMib = (size, used) => (size ? `${mib(size)}${used ? ` (${fmt(used / 2 ** 20, 1)} used)` : ''}` : '–');
// A ratio with three significant digits, as the issue writes them: 12.3×, 1.23×, 0.456×.
const times = (x) => `${x >= 100 ? fmt(x, 0) : x.toPrecision(3)}×`;

// Runs of one engine whose slowest took this many times its fastest: on the benchmark's shared VM that is
// a slow spell of the machine (every engine's runs then split between ~1× and ~1.5×), not the engine.
const SPREAD_WARNING = 1.25;

/** A line saying which engines' runs spread past SPREAD_WARNING (slowest ÷ fastest), or that none did. */
function spreadNote(labelled) {
  const spread = labelled.filter(([, xs]) => xs.length > 1)
    .map(([label, xs]) => [label, Math.max(...xs) / Math.min(...xs)]);
  const wide = spread.filter(([, ratio]) => ratio > SPREAD_WARNING);
  if (!spread.length) return 'Spread: one run per engine, none to compare.';
  if (!wide.length) return `Spread: every engine's slowest run within ${times(SPREAD_WARNING)} its fastest.`;
  return `Spread: ${wide.map(([label, ratio]) => `${label} ${times(ratio)}`).join('; ')} (slowest run ÷ fastest, ` +
    `above ${times(SPREAD_WARNING)}). Runs that far apart on this kind of machine mean it slowed down for a while ` +
    '(docs/architecture.md, "Two threads on a shared VM"): read the ratios from a run where they stay close.';
}

const progress = (line) => process.stderr.write(`bench: ${line}\n`);

/**
 * The page's CPU by role (page_run.mjs cpuByRole), the median of each over the runs, as a sentence (empty
 * where /proc gave nothing): where a run's time went besides the engine.
 */
function cpuNote(cpus) {
  if (!cpus.length) return '';
  const m = (key) => fmt(median(cpus.map((c) => c[key])), 0);
  return `CPU ms, medians (until everything was painted; /proc/…/schedstat): the engine's worker ${m('workerMs')}, ` +
    'the renderer\'s threads that ended by then (its helper workers: the renderer\'s total less its live threads, ' +
    `±20 ms) ${m('endedMs')}, the page's main thread ${m('mainMs')}, the renderer's thread pool ${m('backgroundMs')}, ` +
    'the rest (the browser\'s and GPU processes, the renderer\'s IO and compositor threads: the file\'s bytes come ' +
    `through them) ${m('otherMs')}; the worker and main thread waited ${m('waitedMs')} ms for a CPU. `;
}

// What the page's console said of Blob reads made again (web/parallel_read.js blobChunks: a read slower than
// STALL_MS), run by run: such a run read part of its file again, and maybe with the slower default reader.
function stallNote(noticesByRun) {
  const stalls = noticesByRun.map((notices, i) => [i + 1, notices.filter((n) => n.includes(': read again from byte '))])
    .filter(([, found]) => found.length > 0);
  if (stalls.length === 0) return 'No Blob read of the page stalled (its console said none was read again).';
  return `Blob reads that stalled (the page's console): ${stalls.map(([run, found]) => `run ${run}: ${found.join('; ')}`).join('; ')}.`;
}
// How often the merging thread handed the end of its part to a helper that was done before it, and took over
// the end of a slower helper's part when it was done first (readFileInParts).
const rebalanced = (bytes, tookOver) => {
  const runs = bytes.filter((b) => b > 0);
  const handed = runs.length === 0
    ? 'No run handed the end of this thread\'s part to a worker (none was done while 4 MiB or more were left).'
    : `In ${runs.length} of ${bytes.length} runs this thread handed the end of its part to a worker that was done ` +
      `first (${runs.map((b) => `${fmt(b / 1e6, 1)} MB`).join(', ')}).`;
  const took = tookOver.filter((b) => b > 0);
  return `${handed} ${took.length === 0
    ? 'No run had this thread take over the end of a worker\'s part (none was slow enough for it to pay).'
    : `In ${took.length} of ${tookOver.length} runs this thread, done first, took over the end of a worker's part ` +
      `(${took.map((b) => `${fmt(b / 1e6, 1)} MB`).join(', ')}).`}`;
};

function machine(engines) {
  let cpu = 'unknown CPU';
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch { /* not Linux */ }
  let browser = '';
  if (engines.some((e) => e.id === 'page')) {
    try {
      browser = `, ${execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(' built')[0]}`;
    } catch { /* reported when the page runs */ }
  }
  return `${cpu}, ${cpus().length} cores, node ${process.version}${browser}, ${process.platform} ${process.arch}`;
}

/** The commit this checkout is at, and whether its files differ from it ('' outside a git checkout). */
function buildLine() {
  try {
    const git = (...args) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short=7', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return `${commit}${dirty ? ' with uncommitted changes' : ''}`;
  } catch {
    return '';
  }
}

/**
 * Writes a generated export of `rows` rows to `file` (seed o.seed, dates written as o.dates, cells quoted as
 * o.quotes, lines ended with CR LF when o.crlf); returns its size in bytes.
 */
function generate(file, rows, o) {
  progress(`generating ${fmt(rows, 0)} rows (seed ${o.seed}${o.dates === 'iso' ? '' : `, ${o.dates} dates`}` +
    `${o.quotes === 'needed' ? '' : ', every cell quoted'}${o.crlf ? ', CR LF line ends' : ''})…`);
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', String(rows), '--seed', String(o.seed),
    '--dates', o.dates, '--quotes', o.quotes, ...(o.crlf ? ['--crlf'] : []), '--out', file]);
  return statSync(file).size;
}

/** Rows for an export of about `bytes` bytes, from the size of 20,000 rows of the same seed and layout. */
function rowsFor(dir, bytes, o) {
  const sample = join(dir, 'sample.csv');
  const size = generate(sample, 20_000, o);
  rmSync(sample);
  return Math.max(1, Math.round(bytes / (size / 20_000)));
}

/** The --rows export as `name`.csv and its warm file beside it (writeWarmFile): {file, bytes, warmFile}. */
function exportWithWarm(o, dir, name) {
  const file = join(dir, `${name}.csv`);
  const bytes = generate(file, o.rows, o);
  const warmFile = join(dir, `${name}-warm.csv`);
  writeWarmFile(file, warmFile);
  return { file, bytes, warmFile };
}

/** The middle half of some ratios (their quartiles), as `1.23×–1.45×`. */
function middleHalf(ratios) {
  const r = [...ratios].sort((a, b) => a - b);
  return `${times(quantile7(r, 0.25))}–${times(quantile7(r, 0.75))}`;
}

function assertAgree(reference, weeks, label) {
  const diff = differences(reference, weeks, 'kpilens wasm', label);
  if (diff.length) {
    throw new Error(`DISAGREEMENT: ${label} differs from kpilens wasm in ${diff.length} figure(s):\n  ${diff.slice(0, 30).join('\n  ')}`);
  }
}

/** The engines × runs table on the --rows export. */
async function tableSection(o, dir, engines) {
  const { file, bytes, warmFile } = exportWithWarm(o, dir, 'tickets');
  const results = new Map(engines.map((e) => [e.id, { seconds: [], peak: 0, wasm: 0, heap: 0, weeks: null, phases: [], threads: [], notices: [], cpus: [] }]));
  for (let run = 0; run < o.runs; run++) {
    const order = run % 2 === 0 ? engines : [...engines].reverse();
    for (const engine of order) {
      const got = await engine.run(file, { warmFile, dates: o.dates });
      const r = results.get(engine.id);
      r.seconds.push(got.seconds);
      r.peak = Math.max(r.peak, got.peakRssBytes ?? 0);
      r.wasm = Math.max(r.wasm, got.wasmMemoryBytes ?? 0);
      r.heap = Math.max(r.heap, got.heapTopBytes ?? 0);
      if (got.phases) r.phases.push(got.phases);
      r.notices.push(got.notices ?? []);
      r.threads.push(got.threads ?? null);
      if (got.cpu) r.cpus.push(got.cpu);
      r.weeks ??= got.weeks;
      progress(`run ${run + 1}/${o.runs} ${engine.label}: ${got.seconds.toFixed(3)} s`);
      const diff = differences(r.weeks, got.weeks, `${engine.id} run 1`, `${engine.id} run ${run + 1}`);
      if (diff.length) throw new Error(`${engine.label} changed its figures between runs:\n  ${diff.slice(0, 20).join('\n  ')}`);
    }
  }
  // Every engine against ours, figure by figure.
  const reference = results.get('wasm').weeks;
  for (const engine of engines) assertAgree(reference, results.get(engine.id).weeks, engine.label);
  rmSync(file);

  const mb = bytes / 1e6;
  const ours = median(results.get('wasm').seconds);
  const oursFastest = Math.min(...results.get('wasm').seconds);
  const lines = [
    '### Weekly support report',
    '',
    `- file: ${fmt(o.rows, 0)} tickets, ${fmt(mb, 1)} MB (scripts/gen.mjs, seed ${o.seed}), ${reference.length} ISO weeks`,
    `- ${o.runs} run(s) per engine, each a fresh process, engine order alternating; median shown, and the fastest run ` +
      '(noise on a shared machine mostly adds time to a run of fixed work: a second reading, not a truer one)',
    `- all ${engines.length} engines agree on every weekly figure (${FIGURES.map((f) => f[0]).join(', ')}; ` +
      `relative ${TOLERANCE}, counts and medians exactly)`,
    '',
    '| engine | median s | MB/s | × our wasm | fastest s | × our fastest | peak RSS | peak wasm memory | runs (s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const engine of engines) {
    const r = results.get(engine.id);
    const s = median(r.seconds);
    const fastest = Math.min(...r.seconds);
    lines.push(`| ${engine.label} | ${fmt(s, 3)} | ${fmt(mb / s, 1)} | ${times(s / ours)} | ${fmt(fastest, 3)} | ` +
      `${times(fastest / oursFastest)} | ${mib(r.peak)} | ` +
      `${wasmMib(r.wasm, r.heap)} | ${r.seconds.map((x) => x.toFixed(3)).join(', ')} |`);
  }
  lines.push('', spreadNote(engines.map((e) => [e.label, results.get(e.id).seconds])));
  lines.push('', 'Each engine\'s time against kpilens wasm\'s (its median seconds ÷ ours; above 1: slower than ours; in ' +
    'brackets its fastest run ÷ our fastest):', '');
  for (const engine of engines.filter((e) => e.id !== 'wasm')) {
    const xs = results.get(engine.id).seconds;
    lines.push(`- ${engine.label} … ${times(median(xs) / ours)} (fastest ${times(Math.min(...xs) / oursFastest)})`);
  }
  const parallel = results.get('wasm-parallel');
  if (parallel) {
    const s = median(parallel.seconds);
    const part = (key) => median(parallel.phases.map((p) => p[key]));
    const label = engines.find((e) => e.id === 'wasm-parallel').label;
    const fastest = Math.min(...parallel.seconds);
    lines.push('', `${label}: ${times(ours / s)} the speed of one worker (kpilens wasm, median ${fmt(ours, 3)} s ÷ ` +
      `${fmt(s, 3)} s; fastest runs ${fmt(oursFastest, 3)} s ÷ ${fmt(fastest, 3)} s: ${times(oursFastest / fastest)}). Medians of its phases: the head ${fmt(part('headSeconds'), 3)} s, parts ` +
      `${fmt(part('readSeconds'), 3)} s, merge ${fmt(part('mergeSeconds'), 3)} s. Starting the workers (not timed, ` +
      `like loading the module: each instantiates the module this thread compiled) took ${fmt(part('startSeconds'), 3)} s. ` +
      rebalanced(parallel.phases.map((p) => p.rebalancedBytes), parallel.phases.map((p) => p.tookOverBytes ?? 0)));
    const single = results.get('wasm').threads.filter(Boolean);
    if (single.length && parallel.threads.every(Boolean)) {
      const seconds = (x) => x.toFixed(3);
      lines.push('', 'Where the threads\' time went (/proc/self/task/*/schedstat: on a CPU during the timed run, and ready to ' +
        `run but waiting for one): kpilens wasm's thread a median ${fmt(median(single.map((t) => t.main)), 3)} s on a CPU, ` +
        `the process's other threads (V8's compiler and garbage collector) ${fmt(median(single.map((t) => t.others)), 3)} s. ` +
        'Each run of it (wall seconds: on a CPU, this thread — the head, its own part, the merge, the report — ' +
        'and its worker_threads; the other threads; how long ours waited for a CPU): ' +
        parallel.threads.map((t, i) => `${seconds(parallel.seconds[i])}: ${[t.main, ...t.workers].map(seconds).join(' + ')}, ` +
          `${seconds(t.others)}, ${seconds(t.waited)}`).join('; ') + '. This thread does a few milliseconds more than a ' +
        'worker (the head, the merge, the report: the phases above); one much longer on a CPU than that for its share, ' +
        'with no more waiting, ran on a slower CPU (docs/architecture.md, "Two threads on a shared VM").');
    }
  }
  const page = results.get('page');
  if (page) {
    const part = (key) => fmt(median(page.phases.map((p) => p[key])), 3);
    lines.push('', `The page's median run: ${part('engineSeconds')} s from the file to the worker's report in the page, ` +
      `${part('renderSeconds')} s rendering it, ${part('paintSeconds')} s to the next painted frame. ` +
      `${cpuNote(page.cpus)}${stallNote(page.notices)}`);
  }
  const ourIds = new Set(['wasm', 'wasm-ref', 'wasm-parallel', 'cli']);
  const ourLabels = engines.filter((e) => ourIds.has(e.id)).map((e) => e.label).join(', ');
  let asked = WEEKLY_CONFIG.figures
    ? `Asked for: ${ourLabels} compute the weekly figures alone (config figures: ${WEEKLY_CONFIG.figures.join(', ')}; ` +
      'the engine reads only what they need, docs/report.md), as the peers do'
    : `Asked for: ${ourLabels} compute the full report (KPILENS_BENCH_FULL=1: every ticket figure, the distributions)`;
  if (engines.some((e) => e.id === 'wasm-full')) asked += '; kpilens wasm, every figure computes the full report (every ticket figure, the distributions)';
  if (engines.some((e) => e.id === 'page')) asked += '; the page its own full report, with breakdowns';
  lines.push('', `${asked}.`);
  lines.push('', 'Timed: wasm = reportFromFiles (module load excluded); page = the file input\'s change event until the',
    `report is painted (page load excluded; the file comes ${PAGE_SETTLE_MS} ms after it); CLI = whole process; Papa Parse =`,
    'parse + aggregation; DuckDB-WASM = register + query (instantiate excluded); DuckDB = query (open excluded).',
    `Warm: in Node each engine first computed the same report ${WARM_PASSES} times on the file's first 2 MB, untimed, in the same`,
    `process, then idled ${WARM_IDLE_MS} ms (V8 optimises wasm and JS once hot, in the background; our Node driver faults in`,
    'its module\'s free memory while idle, as the page\'s engine worker does); the page warms its engine when it opens,',
    'before the file comes.',
    'Peak RSS: the whole process (the page: its renderer process, with the worker). Peak wasm memory: the',
    'module\'s memory at the end (it never shrinks; it grows in 20 % steps), and in brackets the most of it used (the',
    'heap\'s top: the module\'s heapTop()); the page runs its own config, with breakdowns by channel, agent, team and',
    'priority, so it keeps more groups than the Node run.');
  return lines;
}

/** A ~10 MB export in the page, the file given 1 s after the page loaded and at its load event. */
async function firstKpisSection(o, dir) {
  const file = join(dir, 'first-kpis.csv');
  const rows = rowsFor(dir, 10e6, o);
  const bytes = generate(file, rows, o);
  const reference = inWorker('wasm')(file).weeks;
  const settings = [
    { label: `${PAGE_SETTLE_MS / 1000} s after the page loaded`, settleMs: PAGE_SETTLE_MS, runs: [] },
    { label: 'at the page\'s load event', settleMs: 0, runs: [] },
  ];
  for (let run = 0; run < o.runs; run++) {
    for (const setting of run % 2 === 0 ? settings : [...settings].reverse()) {
      const got = inWorker('page', { settleMs: setting.settleMs })(file);
      assertAgree(reference, got.weeks, 'kpilens page (Chromium)');
      setting.runs.push(got);
      progress(`first KPIs, run ${run + 1}/${o.runs}, file given ${setting.label}: ${got.firstKpisSeconds.toFixed(3)} s ` +
        `(everything ${got.seconds.toFixed(3)} s)`);
    }
  }
  rmSync(file);

  const lines = [
    '### First KPIs: a 10 MB export in the page',
    '',
    `- file: ${fmt(rows, 0)} tickets, ${fmt(bytes / 1e6, 1)} MB; ${o.runs} run(s) each, a fresh Chromium per run; median shown`,
    '- target: the first KPIs (the cards with their values) on screen < 300 ms after the drop',
    '',
    '| file given | first KPIs s | engine s | render s | paint s | everything s | CPU ms: worker | main | background | other | waited ms | runs: first KPIs (s) | runs: everything (s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const { label, runs } of settings) {
    const m = (pick, digits) => {
      const xs = runs.map(pick).filter((x) => x !== null && x !== undefined && !Number.isNaN(x));
      return xs.length ? fmt(median(xs), digits) : '–';
    };
    lines.push(`| ${label} | ${m((r) => r.firstKpisSeconds, 3)} | ${m((r) => r.phases.engineSeconds, 3)} | ` +
      `${m((r) => r.phases.renderSeconds, 3)} | ${m((r) => r.phases.paintSeconds, 3)} | ${m((r) => r.seconds, 3)} | ` +
      `${m((r) => r.cpu?.workerMs, 0)} | ${m((r) => r.cpu?.mainMs, 0)} | ${m((r) => r.cpu?.backgroundMs, 0)} | ` +
      `${m((r) => r.cpu?.otherMs, 0)} | ${m((r) => r.cpu?.waitedMs, 0)} | ${runs.map((r) => r.firstKpisSeconds.toFixed(3)).join(', ')} | ` +
      `${runs.map((r) => r.seconds.toFixed(3)).join(', ')} |`);
  }
  const s = median(settings[0].runs.map((r) => r.firstKpisSeconds));
  lines.push('', `- ${s < 0.3 ? 'within' : 'over'} the 300 ms target: ${fmt(s * 1000, 0)} ms (file given ${settings[0].label})`,
    '', 'first KPIs = the change event until the KPI cards with their values were painted (the page draws the cards and',
    'controls first, the charts and tables in the task after that frame: web/app.js show()); engine = the change event until the',
    'worker\'s report reached the page (reading the file, the engine, the report); render = JSON.parse, the cards and',
    'controls; paint = until the next frame was painted. everything = until the frame after the last chart and table',
    'was painted (what the engine table times for the page). CPU (until everything was painted): what each Chromium',
    'thread spent on a CPU meanwhile (/proc/…/schedstat): worker = the engine\'s worker; main = the page\'s main thread;',
    'background = the renderer\'s thread pool (V8 optimising wasm and JS, garbage collection); other = browser, GPU and',
    'compositor processes. waited = how long the worker and main threads were ready to run while other processes had',
    'the CPUs: on a shared machine it is most of the gap between the wall time and worker + main.');
  return lines;
}

/** Peak wasm memory of the wasm engines on ~250 MB and ~2.5 GB exports. */
async function memorySection(o, dir, engines) {
  const wasmEngines = engines.filter((e) => e.id === 'wasm' || e.id === 'page');
  const sizes = [['250 MB', 250e6], ['2.5 GB', 2.5e9]];
  const perRow = rowsFor(dir, 1e6, o) / 1e6; // rows per byte
  const rowsOut = [];
  for (const [label, target] of sizes) {
    const file = join(dir, `memory-${label.replace(/\W/g, '')}.csv`);
    const rows = Math.round(target * perRow);
    const bytes = generate(file, rows, o);
    const row = { label, rows, bytes, got: new Map() };
    for (const engine of wasmEngines) {
      const got = await engine.run(file);
      row.got.set(engine.id, got);
      progress(`memory, ${label}, ${engine.label}: ${got.seconds.toFixed(3)} s, ${wasmMib(got.wasmMemoryBytes, got.heapTopBytes)}`);
    }
    // Our two builds of one engine: the same figures (past the exact cap, the same approximations).
    for (const engine of wasmEngines) assertAgree(row.got.get('wasm').weeks, row.got.get(engine.id).weeks, engine.label);
    rmSync(file);
    rowsOut.push(row);
  }

  const lines = [
    '### Peak wasm memory',
    '',
    '| input | tickets | MB | ' + wasmEngines.map((e) => `${e.label}: peak wasm memory | s`).join(' | ') + ' |',
    '|---|---:|---:|' + wasmEngines.map(() => '---:|---:|').join(''),
  ];
  for (const row of rowsOut) {
    lines.push(`| ${row.label} | ${fmt(row.rows, 0)} | ${fmt(row.bytes / 1e6, 0)} | ` +
      wasmEngines.map((e) => `${wasmMib(row.got.get(e.id).wasmMemoryBytes, row.got.get(e.id).heapTopBytes)} | ${fmt(row.got.get(e.id).seconds, 2)}`).join(' | ') + ' |');
  }
  lines.push('');
  for (const engine of wasmEngines) {
    const [small, big] = rowsOut.map((row) => row.got.get(engine.id).wasmMemoryBytes);
    const ratio = big / small;
    const change = ratio >= 1 ? `${fmt((ratio - 1) * 100, 0)} % more` : `${fmt((1 - ratio) * 100, 0)} % less`;
    const [smallUsed, bigUsed] = rowsOut.map((row) => row.got.get(engine.id).heapTopBytes);
    const used = smallUsed && bigUsed ? `; the most used: ${(bigUsed / smallUsed).toFixed(2)}` : '';
    lines.push(`- ${engine.label}: ${sizes[1][0]} ÷ ${sizes[0][0]} = ${ratio.toFixed(2)}, ${change} ` +
      `(target: within 10 % — ${Math.abs(ratio - 1) <= 0.1 ? 'met' : 'not met'})${used}`);
  }
  lines.push('', 'The Node run computes the weekly figures (config figures, as in the engine table); the page its default',
    'report (every figure, breakdowns by channel, agent, team, priority). What the memory holds: README, "Benchmark".');
  return lines;
}

/** A ~8 GB export through the page, checked against the native CLI when it is among the engines. */
async function hugeSection(o, dir, engines) {
  const file = join(dir, 'huge.csv');
  const rows = rowsFor(dir, 8e9, o);
  const bytes = generate(file, rows, o);
  // The file was just written: until the disk has it, reading it competes with the write-back (a run made
  // at once most likely had a Blob read stall; docs/architecture.md "A read that never came back").
  progress('huge: sync (the generated file to disk)…');
  execFileSync('sync');
  const runs = engines.filter((e) => e.id === 'page' || e.id === 'cli');
  const got = new Map();
  for (const engine of runs) {
    got.set(engine.id, await engine.run(file));
    progress(`huge, ${engine.label}: ${got.get(engine.id).seconds.toFixed(1)} s`);
  }
  rmSync(file);
  if (got.has('cli')) {
    const diff = differences(got.get('cli').weeks, got.get('page').weeks, 'cli', 'page');
    if (diff.length) throw new Error(`DISAGREEMENT on the 8 GB file: the page differs from the CLI:\n  ${diff.slice(0, 30).join('\n  ')}`);
  }
  const lines = [
    '### An 8 GB export in the page',
    '',
    `- file: ${fmt(rows, 0)} tickets, ${fmt(bytes / 1e9, 2)} GB, one run` +
      (got.has('cli') ? '; the page\'s weekly figures equal the native CLI\'s' : ''),
    '',
    '| engine | s | MB/s | peak wasm memory | peak RSS |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const engine of runs) {
    const r = got.get(engine.id);
    lines.push(`| ${engine.label} | ${fmt(r.seconds, 1)} | ${fmt(bytes / 1e6 / r.seconds, 1)} | ${wasmMib(r.wasmMemoryBytes, r.heapTopBytes)} | ${mib(r.peakRssBytes)} |`);
  }
  if (got.has('page')) lines.push('', stallNote([got.get('page').notices ?? []]));
  return lines;
}

/**
 * --ab: our module against the reference build's in one process, o.ab rounds (each module reading the file
 * once a round, their order alternating), in two processes: ours loaded and warmed first, then the
 * reference's. The module loaded second may gain from what the first left warm; the geometric mean of
 * the two orders' ratios cancels that. `threads` (--threads-ab, o.threadsAb rounds): each build reads with
 * N threads through its own bindings and part readers (scripts/lib/bench_engines.mjs inProcessThreadsAb).
 */
async function abSection(o, dir, threads = false) {
  const { file, bytes, warmFile } = exportWithWarm(o, dir, threads ? 'threads-ab' : 'ab');
  const reference = `reference build ${process.env.KPILENS_WASM_REF_NAME || '(KPILENS_WASM_REF)'}`;
  const rounds = threads ? o.threadsAb : o.ab;
  const n = availableParallelism();
  const orders = [];
  for (const first of ['wasm', 'wasm-ref']) {
    progress(`one process, ${rounds} rounds${threads ? `, ${n} threads` : ''}, ${first === 'wasm' ? 'ours' : 'the reference'} loaded first…`);
    const got = (threads ? threadsAbInProcess : abInProcess)(file, { warmFile, rounds, first });
    if (got.differ.length) throw new Error(`DISAGREEMENT: the ${reference} differs from ours:\n  ${got.differ.slice(0, 30).join('\n  ')}`);
    const ours = got.seconds.wasm;
    const theirs = got.seconds['wasm-ref'];
    orders.push({ first, ours, theirs, paired: median(theirs.map((x, i) => x / ours[i])) });
  }
  rmSync(file);
  const both = Math.sqrt(orders[0].paired * orders[1].paired);
  const apart = Math.abs(orders[0].paired / orders[1].paired - 1) * 100;
  const lines = [
    threads ? `### Against the reference build, in one process, ${n} threads` : '### Against the reference build, in one process',
    '',
    `- file: ${fmt(o.rows, 0)} tickets, ${fmt(bytes / 1e6, 1)} MB (scripts/gen.mjs, seed ${o.seed}); the weekly figures`,
    `- ${rounds} rounds in each of two processes, each module warmed as in the engine table; in a round each module ` +
      'reads the file once, their order alternating from round to round; both give the same weekly figures',
    ...(threads ? [`- each build with its own bindings, reading with this thread and ${n - 1} worker_thread${n === 2 ? '' : 's'} ` +
      'of its own, started before and kept from round to round (the file split whatever its size)'] : []),
    '',
    '| loaded first | our median s | our fastest s | reference median s | reference fastest s | reference ÷ ours (median of the rounds) |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of orders) {
    lines.push(`| ${r.first === 'wasm' ? 'ours' : 'the reference'} | ${fmt(median(r.ours), 3)} | ${fmt(Math.min(...r.ours), 3)} | ` +
      `${fmt(median(r.theirs), 3)} | ${fmt(Math.min(...r.theirs), 3)} | ${times(r.paired)} |`);
  }
  lines.push('', `The ${reference}'s time ÷ ours: ${times(both)} (the geometric mean of the two orders; above 1: ours is ` +
    `faster); the two orders differ by ${fmt(apart, 1)} %. Two identical modules measured this way came out at 1.01× ` +
    '(docs/architecture.md, "What the in-process A/B can tell"): a difference of a few per cent is the least it resolves.');
  return lines;
}

/**
 * --page-ab: our page against the reference build's, on the ~10 MB export of --first-kpis and on the file of
 * the engine table (o.rows; left out when no larger), o.pageAb rounds each: in a round both pages read the
 * file once, each in a fresh Chromium, the file given PAGE_SETTLE_MS after the page loaded (as in the engine
 * table), their order alternating from round to round. A page's times move by tens of per cent from run to
 * run on a shared machine; pairing two runs seconds apart and taking the median of the rounds' ratios, as
 * --ab does, resolves smaller changes than the table. Both pages must give the same weekly figures.
 */
async function pageAbSection(o, dir) {
  const reference = `reference build ${process.env.KPILENS_WASM_REF_NAME || '(KPILENS_SITE_REF)'}`;
  const small = join(dir, 'page-ab-small.csv');
  const smallRows = rowsFor(dir, 10e6, o);
  const inputs = [
    { file: small, rows: smallRows, bytes: generate(small, smallRows, o) },
    ...(o.rows > smallRows ? [{ file: join(dir, 'page-ab.csv'), rows: o.rows }] : []),
  ];
  if (!inputs[1]) progress(`page A/B: --rows ${o.rows} is no more than the ~10 MB export's ${smallRows}: that export alone`);
  if (inputs[1]) inputs[1].bytes = generate(inputs[1].file, o.rows, o);
  const pages = [['ours', SITE], ['reference', SITE_REF]];
  for (const input of inputs) {
    input.runs = { ours: [], reference: [] };
    for (let round = 0; round < o.pageAb; round++) {
      const got = {};
      for (const [id, siteDir] of round % 2 === 0 ? pages : [...pages].reverse()) {
        got[id] = inWorker('page', { siteDir })(input.file);
        input.runs[id].push(got[id]);
      }
      const differ = differences(got.ours.weeks, got.reference.weeks, 'our page', `the ${reference}'s page`);
      if (differ.length) throw new Error(`DISAGREEMENT: the ${reference}'s page differs from ours:\n  ${differ.slice(0, 30).join('\n  ')}`);
      progress(`page A/B, ${fmt(input.bytes / 1e6, 0)} MB, round ${round + 1}/${o.pageAb}: ours ` +
        `${got.ours.phases.engineSeconds.toFixed(3)} s, the reference ${got.reference.phases.engineSeconds.toFixed(3)} s (engine)`);
    }
    rmSync(input.file);
  }
  // A figure a run lacks (no /proc: no CPU times) is left out, and a measure with none shows '–'.
  const known = (xs) => xs.filter((x) => Number.isFinite(x));
  const show = (xs, digits) => (known(xs).length ? fmt(median(known(xs)), digits) : '–');
  const ratio = (runs, pick) => {
    const xs = known(runs.reference.map((r, i) => pick(r) / pick(runs.ours[i])));
    return xs.length ? times(median(xs)) : '–';
  };
  const measures = [
    ['first KPIs s', (r) => r.firstKpisSeconds, 3],
    ['engine s', (r) => r.phases.engineSeconds, 3],
    ['everything s', (r) => r.seconds, 3],
    ["engine worker's CPU ms", (r) => r.cpu?.workerMs ?? NaN, 0],
  ];
  const lines = [
    '### Against the reference build, the page',
    '',
    `- files: ${inputs.map((i) => `${fmt(i.rows, 0)} tickets, ${fmt(i.bytes / 1e6, 1)} MB`).join('; ')} (scripts/gen.mjs, ` +
      `seed ${o.seed}); each page's own full report, with breakdowns`,
    `- ${o.pageAb} rounds a file; in a round each page reads the file once, each in a fresh Chromium, the file given ` +
      `${PAGE_SETTLE_MS / 1000} s after the page loaded, their order alternating from round to round; both give the same weekly figures`,
    '- engine = the change event until the worker\'s report reached the page; the engine worker\'s CPU: its thread\'s time ' +
      'on a CPU from the change event until everything was painted (/proc/…/schedstat; what it did before the file came is ' +
      'not counted)',
    '',
    `| file | measure | our median | reference median | reference ÷ ours (median of the rounds) |`,
    '|---|---|---:|---:|---:|',
  ];
  for (const input of inputs) {
    for (const [label, pick, digits] of measures) {
      lines.push(`| ${fmt(input.bytes / 1e6, 0)} MB | ${label} | ${show(input.runs.ours.map(pick), digits)} | ` +
        `${show(input.runs.reference.map(pick), digits)} | ${ratio(input.runs, pick)} |`);
    }
  }
  lines.push('', `Above 1: the ${reference}'s page took longer than ours. Runs, engine s (ours / the reference): ` +
    inputs.map((i) => `${fmt(i.bytes / 1e6, 0)} MB: ` + i.runs.ours.map((r, k) =>
      `${fmt(r.phases.engineSeconds, 3)} / ${fmt(i.runs.reference[k].phases.engineSeconds, 3)}`).join(', ')).join('; ') + '.');
  return lines;
}

// A thread slower than the other shows in a parallel run in one of two ways (docs/architecture.md, "Two
// threads on a shared VM"): the parts' ends moved between the threads (one was done while 4 MiB or more
// of another's part was left: parallel_read.mjs step 2c), so that both ended together; or, nothing moved,
// one engine thread spent this many times another's time on a CPU for its part.
const SLOW_CPU = 1.3;
const TWO_THREAD_TARGET = 1.7;

/**
 * --paired-threads: one thread against N in one process, o.pairedThreads rounds in each of two fresh
 * processes (scripts/lib/bench_engines.mjs inProcessThreads), the first warming and reading one thread
 * first in its even rounds, the second N threads. Each round's ratio (one thread's seconds ÷ N threads')
 * pairs two runs seconds apart, so the spread of the ratios shows the machine, and the rounds with a
 * slower thread are named rather than mixed into a median.
 */
async function pairedThreadsSection(o, dir) {
  const { file, bytes, warmFile } = exportWithWarm(o, dir, 'paired');
  const processes = [];
  for (const first of ['one', 'many']) {
    progress(`one thread against ${availableParallelism()}, ${o.pairedThreads} rounds in a process reading ` +
      `${first === 'one' ? 'one thread' : 'the threads'} first…`);
    const got = threadsInProcess(file, { warmFile, rounds: o.pairedThreads, first });
    if (got.differ.length) throw new Error(`DISAGREEMENT: one thread and ${got.workers + 1} differ:\n  ${got.differ.slice(0, 30).join('\n  ')}`);
    const rounds = got.one.map((one, i) => {
      const t = got.threads[i];
      const engine = t ? [t.main, ...t.workers] : [];
      // The engine threads' CPU times, the longest ÷ the shortest; null without clocks.
      const uneven = engine.length > 1 && Math.min(...engine) > 0 ? Math.max(...engine) / Math.min(...engine) : null;
      return { one, many: got.many[i], ratio: one / got.many[i], moved: got.moved[i], uneven };
    });
    processes.push({ first, workers: got.workers, rounds, waited: got.threads.map((t) => t?.waited).filter((w) => w != null) });
  }
  rmSync(file);
  const threads = processes[0].workers + 1;
  const all = processes.flatMap((p) => p.rounds);
  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const middle = (rounds) => middleHalf(rounds.map((x) => x.ratio));
  const extremes = (rounds) => {
    const r = sorted(rounds.map((x) => x.ratio));
    return `lowest ${times(r[0])}, highest ${times(r[r.length - 1])}`;
  };
  const reaching = (rounds) => rounds.filter((x) => x.ratio >= TWO_THREAD_TARGET).length;
  const lines = [
    `### ${threads} threads against one, in one process`,
    '',
    `- file: ${fmt(o.rows, 0)} tickets, ${fmt(bytes / 1e6, 1)} MB (scripts/gen.mjs, seed ${o.seed}); the weekly figures`,
    `- ${o.pairedThreads} rounds in each of two processes, warmed as in the engine table (the ${threads} threads: this one ` +
      `and ${threads - 1} worker_thread${threads === 2 ? '' : 's'}, started before; the file split whatever its size); in a ` +
      `round the file is read once with one thread and once with ${threads}, their order alternating from round to round ` +
      'and between the processes; both give the same weekly figures',
    '',
    `| read first | one thread median s | fastest s | ${threads} threads median s | fastest s | one ÷ ${threads} (median of the rounds) | middle half of the rounds | rounds ≥ ${times(TWO_THREAD_TARGET)} |`,
    '|---|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const p of processes) {
    const one = p.rounds.map((x) => x.one);
    const many = p.rounds.map((x) => x.many);
    lines.push(`| ${p.first === 'one' ? 'one thread' : `${threads} threads`} | ${fmt(median(one), 3)} | ${fmt(Math.min(...one), 3)} | ` +
      `${fmt(median(many), 3)} | ${fmt(Math.min(...many), 3)} | ${times(median(p.rounds.map((x) => x.ratio)))} | ` +
      `${middle(p.rounds)} | ${reaching(p.rounds)} of ${p.rounds.length} |`);
  }
  lines.push('', `${threads} threads against one, every round of both processes: ${times(median(all.map((x) => x.ratio)))} ` +
    `(the median of the rounds' ratios; the middle half ${middle(all)}; ${extremes(all)}); ${reaching(all)} of ${all.length} ` +
    `rounds at ${times(TWO_THREAD_TARGET)} or more (the target with 2 threads on 2 cores).`);
  const moved = all.filter((x) => x.moved > 0);
  const clocked = all.filter((x) => x.moved === 0 && x.uneven !== null);
  const slowCpu = clocked.filter((x) => x.uneven >= SLOW_CPU);
  const slower = [...moved, ...slowCpu];
  const rest = all.filter((x) => !slower.includes(x));
  const waited = median(processes.flatMap((p) => p.waited));
  lines.push('', `A thread slower than the other${threads > 2 ? 's' : ''} (docs/architecture.md, "Two threads on a shared VM"): ` +
    `in ${moved.length} of ${all.length} rounds the parts' ends moved between the threads (one was done while 4 MiB or more ` +
    'of another\'s part was left, and took it over)' + (clocked.length || rest.length ? ', ' : '') +
    (clocked.length
      ? `and in ${slowCpu.length} of the ${clocked.length} other rounds one engine thread spent ${times(SLOW_CPU)} or more the time ` +
        `of the other${threads > 2 ? 's' : ''} on a CPU (the engine threads waited a median ${fmt(waited * 1000, 0)} ms a round ` +
        'for one; on a small file the calling thread\'s own work, the head, the merge and the report, counts too).'
      : rest.length ? 'and the others cannot be told apart: no scheduler clocks here (/proc/self/task/*/schedstat).' : '.') +
    (slower.length && rest.length ? ` The ratio in ${slower.length === 1 ? 'that round' : `those ${slower.length} rounds`}: ${times(median(slower.map((x) => x.ratio)))}; ` +
      `in the other ${rest.length}: ${times(median(rest.map((x) => x.ratio)))} (the middle half ${middle(rest)}; ${extremes(rest)}).` : ''));
  return lines;
}

const DUCKDB_WASM_TARGET = 10;

/**
 * --steady: kpilens wasm and DuckDB-WASM after their first run, in Node and in Chromium
 * (scripts/lib/bench_engines.mjs steadyInProcess, scripts/lib/browser_engines.mjs). The engine table times
 * each engine's first run on the file in a fresh process; here both engines read the file in o.steady + 1
 * rounds, one after the other in each round, their order alternating, in one process and in one browser,
 * so that the ratio is also read where neither engine pays a first run's costs (its heap growing to the
 * file's needs, code first run on it) and where both run in the same browser; and each round's ratio
 * pairs two runs seconds apart, as --paired-threads does. In Node the weekly kernel (bench/kernel) reads
 * the file between them in each round: what a row path that knows the layout reaches.
 */
// What --steady times, as [id, label]: the kernel in Node only.
const STEADY_READERS = [['kpilens', 'kpilens wasm'], ['duckdb', 'DuckDB-WASM'], ['kernel', 'the weekly kernel']];

async function steadySection(o, dir) {
  const { file, bytes, warmFile } = exportWithWarm(o, dir, 'steady');
  progress(`kpilens wasm, the weekly kernel and DuckDB-WASM, ${o.steady + 1} rounds in one Node process…`);
  const node = steadyInProcess(file, { warmFile, rounds: o.steady });
  progress(`kpilens and DuckDB-WASM, ${o.steady + 1} rounds in one Chromium…`);
  const { browserRounds } = await import('./lib/browser_engines.mjs');
  const chromium = await browserRounds(file, { warmFile, rounds: o.steady, dir, webModule: WEB_MODULE, executablePath: CHROMIUM });
  rmSync(file);
  // Every run of each against our first run in Node.
  const reference = node.weeks.kpilens[0];
  for (const [where, got] of [['Node', node], ['Chromium', chromium]]) {
    for (const [id, label] of STEADY_READERS) {
      got.weeks[id]?.forEach((weeks, run) => assertAgree(reference, weeks, `${label} (${where}), round ${run + 1}`));
    }
  }
  const later = (xs) => xs.slice(1);
  // The later rounds' ratios, one engine's seconds ÷ another's (DuckDB-WASM's ÷ ours by default).
  const ratios = (got, id = 'duckdb', to = 'kpilens') => later(got.seconds[id]).map((x, i) => x / later(got.seconds[to])[i]);
  const lines = [
    '### After the first run: kpilens against DuckDB-WASM in Node and in Chromium',
    '',
    `- file: ${fmt(o.rows, 0)} tickets, ${fmt(bytes / 1e6, 1)} MB (scripts/gen.mjs, seed ${o.seed}); the weekly figures, every run of all five (the two engines in both places, the kernel in Node) agreeing on every one`,
    `- ${o.steady + 1} rounds in each place; in a round each engine reads the file once, one after the other, ours first in ` +
      'rounds 1, 3, 5…; round 1 is each engine\'s first run on the file (a single reading, as in the engine table), the later ' +
      'rounds run on a heap and code that a file this size has been through, as a user\'s next file in the same tab',
    '- Node: both engines in one fresh process, warmed as in the engine table (ours: reportFromFiles; DuckDB-WASM: the file ' +
      'registered under a new name, the query, and the file dropped); in each round the weekly kernel reads the file between ' +
      'them: the weekly figures written for this export\'s layout alone (bench/kernel/weekly_kernel.cpp, built with our ' +
      'module\'s flags; no header mapping, encoding check, other time formats or value issues), read as ours is (2 MiB slices, ' +
      'the next read while this one is decoded): ' +
      'what a plain row path that knows the layout in advance reaches in wasm here (a measure, not a bound). The ratios are ' +
      'medians of the rounds\' ratios, not ratios of the medians',
    `- Chromium (${chromium.browser}): one fresh browser, one page, a Web Worker for each engine; the file's bytes fetched ` +
      'into each worker before any clock and each engine warmed the same way on the warm file\'s bytes, then the file read ' +
      'from memory, timed in the worker (ours: the web build the page runs, a Dataset fed 1 MiB at a time; DuckDB-WASM: its ' +
      'browser blocking bundle, registerFileBuffer, the query and dropFile; both copy the bytes into their heaps inside the ' +
      'run). Reading the File is left out for both (scripts/lib/browser_engines.mjs)',
    '',
    '| where | engine | first run s | later rounds: median s | later rounds: fastest s | first run ÷ ours | later rounds ÷ ours (median of the rounds; middle half) |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const [where, got] of [['Node', node], ['Chromium', chromium]]) {
    for (const [id, label] of STEADY_READERS) {
      const runs = got.seconds[id];
      if (!runs) continue;
      const ratio = id === 'kpilens' ? '1.00×' : `${times(median(ratios(got, id)))} (${middleHalf(ratios(got, id))})`;
      lines.push(`| ${where} | ${label} | ${fmt(runs[0], 3)} | ${fmt(median(later(runs)), 3)} | ${fmt(Math.min(...later(runs)), 3)} | ` +
        `${times(runs[0] / got.seconds.kpilens[0])} | ${ratio} |`);
    }
  }
  lines.push('', `DuckDB-WASM's time against ours after the first run: ${times(median(ratios(node)))} in Node, ` +
    `${times(median(ratios(chromium)))} in Chromium (medians of the rounds' ratios; the target: ${times(DUCKDB_WASM_TARGET)}); ` +
    `on the first run: ${times(node.seconds.duckdb[0] / node.seconds.kpilens[0])} in Node, ` +
    `${times(chromium.seconds.duckdb[0] / chromium.seconds.kpilens[0])} in Chromium. The weekly kernel in Node after the first ` +
    `run: ${times(median(ratios(node, 'kernel')))} our time (${fmt(bytes / 1e6 / median(later(node.seconds.kernel)), 1)} MB/s ` +
    `against our ${fmt(bytes / 1e6 / median(later(node.seconds.kpilens)), 1)}), DuckDB-WASM ${times(median(ratios(node, 'duckdb', 'kernel')))} ` +
    'its time (docs/architecture.md, "A kernel that knows the layout"). Runs (s), round by round: ' +
    [['Node', node], ['Chromium', chromium]].flatMap(([where, got]) => STEADY_READERS
      .filter(([id]) => got.seconds[id]).map(([id, label]) => `${where}, ${label}: ${got.seconds[id].map((x) => fmt(x, 3)).join(', ')}`)).join('; ') + '.');
  return lines;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const engines = ENGINES.filter((e) => o.engines.includes(e.id));
  if (!existsSync(WASM)) throw new Error(`no wasm module at ${WASM} (scripts/build wasm, or KPILENS_WASM)`);
  if (o.engines.includes('wasm-ref') && !existsSync(WASM_REF)) throw new Error(`no wasm module at ${WASM_REF} (KPILENS_WASM_REF)`);
  if (o.engines.includes('cli') && !existsSync(CLI)) throw new Error(`no CLI at ${CLI} (scripts/build native, or KPILENS_CLI)`);
  if (o.engines.includes('page') && !existsSync(join(SITE, 'index.html'))) throw new Error(`no page in ${SITE} (scripts/build wasm web)`);
  if (o.pageAb && !existsSync(join(SITE, 'index.html'))) throw new Error(`no page in ${SITE} (scripts/build wasm web)`);
  if (o.pageAb && !existsSync(join(SITE_REF, 'index.html'))) throw new Error(`no page in ${SITE_REF} (KPILENS_SITE_REF)`);

  const build = buildLine();
  const loadAtStart = loadavg()[0];
  const dir = mkdtempSync(join(tmpdir(), 'kpilens-bench-'));
  try {
    const sections = [];
    if (o.table) sections.push(await tableSection(o, dir, engines));
    if (o.firstKpis) sections.push(await firstKpisSection(o, dir));
    if (o.memory) sections.push(await memorySection(o, dir, engines));
    if (o.huge) sections.push(await hugeSection(o, dir, engines));
    if (o.ab) sections.push(await abSection(o, dir));
    if (o.threadsAb) sections.push(await abSection(o, dir, true));
    if (o.pageAb) sections.push(await pageAbSection(o, dir));
    if (o.pairedThreads) sections.push(await pairedThreadsSection(o, dir));
    if (o.steady) sections.push(await steadySection(o, dir));
    const lines = [
      '## kpilens benchmark',
      '',
      `- machine: ${machine(engines)}`,
      ...(build ? [`- build: ${build}${o.reference ? `; reference build ${process.env.KPILENS_WASM_REF_NAME || o.reference} ` +
        `(its wasm module${o.pageAb ? ' and its page' : ''}, built from that commit by scripts/bench --reference, timed as ours are: what the ` +
        'code changed since it, measured on this machine today)' : ''}`] : []),
      ...(o.dates === 'iso' ? [] : [`- dates: every export's date-times written like \`${dateLayout(o.dates).example}\` (--dates ${o.dates}), not ISO`]),
      ...(o.quotes === 'needed' ? [] : ['- quotes: every cell of every export quoted, an empty one as `""` (--quotes all)']),
      ...(o.crlf ? ['- line ends: every line of every export ended with CR LF (--crlf)'] : []),
      `- load: 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end ` +
        `(${cpus().length} cores; anything else running slows every engine)`,
      ...sections.flatMap((section) => ['', ...section]),
    ];
    const text = lines.join('\n') + '\n';
    process.stdout.write(text);
    if (o.out) writeFileSync(o.out, text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exit(1);
}

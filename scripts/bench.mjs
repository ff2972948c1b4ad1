// bench: times the weekly support report (per ISO week: tickets, CSAT top-2-box, NPS, mean and median
// resolution hours, mean first response minutes, FCR) on one synthetic export, with our engine and peers:
//
//   scripts/bench [--rows N] [--runs K] [--out FILE] [--engines id,id…] [--seed S]
//
// The file is made by scripts/gen.mjs (fixed seed) in a temporary directory, never in the repository.
// Every run of every engine is a fresh process (so no engine profits from another's warm caches or heap),
// and the runs alternate the engines' order (forward, then backward…). What is timed:
//   wasm     reportFromFiles() in Node; loading and compiling the module is not timed
//   cli      the wall time of the whole `kpilens report --grain week FILE` process
//   papa     Papa Parse streaming the file (`chunk`) + the aggregation in plain JS (scripts/lib/papa_weekly.mjs)
//   duckdb-wasm  registering the file + the query; instantiating DuckDB-WASM is not timed
//   duckdb   the query in native DuckDB (@duckdb/node-api), SET threads = 1; opening DuckDB is not timed
// All engines must agree on every weekly figure (relative 1e-9, counts and medians exactly), or the
// benchmark fails. Peers compute only the seven figures; our engine computes its whole report.
//
// Engines are entries of ENGINES: another one (the page in Chromium, a 2.5 GB file under a memory cap)
// is one more entry with a `run(file)` that returns {seconds, weeks, peakRssBytes}.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { weeklySql } from './lib/kpi_sql.mjs';
import { papaWeekly, quantile7 } from './lib/papa_weekly.mjs';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../', import.meta.url));
const self = fileURLToPath(import.meta.url);
const CLI = resolve(root, process.env.KPILENS_CLI ?? 'build/native/wasm/cli/kpilens');
const WASM = resolve(root, process.env.KPILENS_WASM ?? 'build/wasm/kpilens.node.cjs');
const SEED = 20240101;
const TOLERANCE = 1e-9;

// The figures of the weekly report: [name, engine KPI id, DuckDB column, exact?]. Counts and medians must
// be equal; means and ratios within TOLERANCE.
const FIGURES = [
  ['tickets', 'tickets', 'tickets', true],
  ['csat', 'csat', 'csat', false],
  ['nps', 'nps', 'nps', false],
  ['resolution_hours_mean', 'resolution_time_mean', 'resolution_mean', false],
  ['resolution_hours_median', 'resolution_time_median', 'resolution_median', true],
  ['first_response_minutes_mean', 'first_response_time_mean', 'frt_mean', false],
  ['fcr', 'fcr', 'fcr', false],
];

// --- engines: each runs in its own process ---------------------------------------------------------

/** Runs `node bench.mjs --worker ID FILE` and returns what the worker printed. */
function inWorker(id) {
  return (file) => {
    const child = spawnSync(process.execPath, [self, '--worker', id, file], {
      encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`${id}: worker failed (status ${child.status}, ${child.signal ?? 'no signal'})`);
    return JSON.parse(child.stdout);
  };
}

function runCli(file) {
  const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%M'] : [];
  const argv = [...time, CLI, 'report', '--grain', 'week', file];
  const start = process.hrtime.bigint();
  const child = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (child.status !== 0) throw new Error(`cli: status ${child.status}: ${child.stderr}`);
  const kb = time.length ? Number(child.stderr.trim().split('\n').pop()) : NaN;
  return { seconds, weeks: weeksFromReport(JSON.parse(child.stdout)), peakRssBytes: kb * 1024 || null };
}

const ENGINES = [
  { id: 'wasm', label: 'kpilens wasm (Node)', run: inWorker('wasm') },
  { id: 'cli', label: 'kpilens native CLI', run: runCli },
  { id: 'papa', label: 'Papa Parse + JS', run: inWorker('papa') },
  { id: 'duckdb-wasm', label: 'DuckDB-WASM (Node)', run: inWorker('duckdb-wasm') },
  { id: 'duckdb', label: 'DuckDB native, 1 thread', run: inWorker('duckdb') },
];

// --- workers ------------------------------------------------------------------------------------------

const WORKERS = {
  async wasm(file) {
    const { loadEngine, reportFromFiles } = await import('../wasm/bindings/node_engine.mjs');
    await loadEngine(WASM);
    const start = process.hrtime.bigint();
    const text = await reportFromFiles([file], { grain: 'week' });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { seconds, weeks: weeksFromReport(JSON.parse(text)) };
  },

  async papa(file) {
    const Papa = require('papaparse');
    const start = process.hrtime.bigint();
    const weeks = await papaWeekly(Papa, file);
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, weeks };
  },

  async 'duckdb-wasm'(file) {
    const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
    const dist = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));
    const bundles = {
      mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: join(dist, 'duckdb-node-mvp.worker.cjs') },
      eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: join(dist, 'duckdb-node-eh.worker.cjs') },
    };
    const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
    await db.instantiate(() => {});
    const connection = db.connect();
    const start = process.hrtime.bigint();
    db.registerFileURL('tickets.csv', file, duckdb.DuckDBDataProtocol.NODE_FS, true);
    const table = connection.query(weeklySql('tickets.csv', FIGURES.map((f) => f[2])));
    const rows = table.toArray().map((row) => row.toJSON());
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    connection.close();
    return { seconds, weeks: weeksFromSqlRows(rows) };
  },

  async duckdb(file) {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run('SET threads = 1');
    const start = process.hrtime.bigint();
    const result = await connection.runAndReadAll(weeklySql(file, FIGURES.map((f) => f[2])));
    const rows = result.getRowObjectsJS();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    connection.closeSync?.();
    return { seconds, weeks: weeksFromSqlRows(rows) };
  },
};

// --- the weekly figures, normalized: {week: 'YYYY-MM-DD', tickets, csat, …} ---------------------------

function weeksFromReport(report) {
  if (!report.ok) throw new Error(`engine report not ok: ${JSON.stringify(report.errors)}`);
  const kpis = new Map(report.kpis.map((k) => [k.id, k]));
  return report.periods.start.map((week, i) => {
    const out = { week };
    for (const [name, id] of FIGURES) out[name] = kpis.get(id).series.value[i];
    return out;
  });
}

function weeksFromSqlRows(rows) {
  return rows.map((row) => {
    const out = { week: row.week };
    for (const [name, , column] of FIGURES) out[name] = row[column] === null ? null : Number(row[column]);
    return out;
  });
}

// --- comparing ----------------------------------------------------------------------------------------

/** The differences between two engines' weeks (empty when they agree). */
function differences(a, b, labelA, labelB) {
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

// --- main ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = { rows: 1_000_000, runs: 3, out: null, seed: SEED, engines: ENGINES.map((e) => e.id) };
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
      case '--help':
        console.log('usage: scripts/bench [--rows N (1000000)] [--runs K (3)] [--out FILE] [--engines ' +
          `${ENGINES.map((e) => e.id).join(',')}] [--seed S (${SEED})]`);
        process.exit(0);
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  for (const id of o.engines) if (!ENGINES.some((e) => e.id === id)) throw new Error(`unknown engine ${id}`);
  if (!o.engines.includes('wasm')) throw new Error('the engines must include wasm: ratios are to it');
  return o;
}

const median = (xs) => quantile7([...xs].sort((a, b) => a - b), 0.5);
const fmt = (x, digits) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function machine() {
  let cpu = 'unknown CPU';
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch { /* not Linux */ }
  return `${cpu}, ${cpus().length} cores, node ${process.version}, ${process.platform} ${process.arch}`;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const engines = ENGINES.filter((e) => o.engines.includes(e.id));
  if (o.engines.includes('wasm') && !existsSync(WASM)) throw new Error(`no wasm module at ${WASM} (scripts/build wasm, or KPILENS_WASM)`);
  if (o.engines.includes('cli') && !existsSync(CLI)) throw new Error(`no CLI at ${CLI} (scripts/build native, or KPILENS_CLI)`);

  const dir = mkdtempSync(join(tmpdir(), 'kpilens-bench-'));
  try {
    const file = join(dir, 'tickets.csv');
    process.stderr.write(`bench: generating ${fmt(o.rows, 0)} rows (seed ${o.seed})…\n`);
    execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', String(o.rows), '--seed', String(o.seed), '--out', file]);
    const bytes = statSync(file).size;

    const results = new Map(engines.map((e) => [e.id, { seconds: [], peak: 0, weeks: null }]));
    for (let run = 0; run < o.runs; run++) {
      const order = run % 2 === 0 ? engines : [...engines].reverse();
      for (const engine of order) {
        const got = await engine.run(file);
        const r = results.get(engine.id);
        r.seconds.push(got.seconds);
        r.peak = Math.max(r.peak, got.peakRssBytes ?? 0);
        r.weeks ??= got.weeks;
        process.stderr.write(`bench: run ${run + 1}/${o.runs} ${engine.label}: ${got.seconds.toFixed(3)} s\n`);
        const diff = differences(r.weeks, got.weeks, `${engine.id} run 1`, `${engine.id} run ${run + 1}`);
        if (diff.length) throw new Error(`${engine.label} changed its figures between runs:\n  ${diff.slice(0, 20).join('\n  ')}`);
      }
    }

    // Every engine against ours, figure by figure.
    const reference = results.get('wasm').weeks;
    for (const engine of engines) {
      const diff = differences(reference, results.get(engine.id).weeks, 'wasm', engine.id);
      if (diff.length) {
        throw new Error(`DISAGREEMENT: ${engine.label} differs from kpilens wasm in ${diff.length} figure(s):\n  ` +
          diff.slice(0, 30).join('\n  '));
      }
    }

    const mb = bytes / 1e6;
    const ours = median(results.get('wasm').seconds);
    const lines = [
      `## kpilens benchmark: weekly support report`,
      '',
      `- file: ${fmt(o.rows, 0)} tickets, ${fmt(mb, 1)} MB (scripts/gen.mjs, seed ${o.seed}), ${reference.length} ISO weeks`,
      `- machine: ${machine()}`,
      `- ${o.runs} run(s) per engine, each a fresh process, engine order alternating; median shown`,
      `- all ${engines.length} engines agree on every weekly figure (${FIGURES.map((f) => f[0]).join(', ')}; ` +
        `relative ${TOLERANCE}, counts and medians exactly)`,
      '',
      '| engine | median s | MB/s | × our wasm | peak RSS | runs (s) |',
      '|---|---:|---:|---:|---:|---|',
    ];
    for (const engine of engines) {
      const r = results.get(engine.id);
      const s = median(r.seconds);
      lines.push(`| ${engine.label} | ${fmt(s, 3)} | ${fmt(mb / s, 1)} | ${fmt(s / ours, 2)}× | ` +
        `${r.peak ? `${fmt(r.peak / 2 ** 20, 0)} MiB` : '–'} | ${r.seconds.map((x) => x.toFixed(3)).join(', ')} |`);
    }
    lines.push('', '× our wasm = the engine\'s median seconds ÷ kpilens wasm\'s median seconds (above 1: slower than ours).',
      'Timed: wasm = reportFromFiles (module load excluded); CLI = whole process; Papa Parse = parse + aggregation;',
      'DuckDB-WASM = register + query (instantiate excluded); DuckDB = query (open excluded). Peak RSS: the whole process.');
    const text = lines.join('\n') + '\n';
    process.stdout.write(text);
    if (o.out) writeFileSync(o.out, text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--worker') {
  const [, , , id, file] = process.argv;
  const result = await WORKERS[id](file);
  result.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify(result));
} else {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(1);
  }
}

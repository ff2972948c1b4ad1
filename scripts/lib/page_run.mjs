// page_run.mjs: one run of the served page (dist/site) in Debian's Chromium, driven by playwright-core, for
// scripts/bench: the page served on a free port, a fresh browser and context, the page loaded (not timed), a
// file given to the page's file input the way a user picks it, and the time until the report is on screen.
//
// The file reaches the page by path: playwright's setInputFiles with a local path has Chromium open the file
// itself (DOM.setFileInputFiles), so the page gets a disk-backed File and no byte of it goes through the
// driver — an 8 GB file costs what a user's pick costs.
//
// What is timed, inside the page (performance.now(), no driver round trip in the figure):
//   from  the `change` event of the file input (a listener on window, capture phase: before the page's own)
//   to    the first KPIs painted: the page draws the report in two steps (web/app.js show()): the KPI cards
//         and controls, then <body data-state="kpis">; in the task after that frame the charts and
//         tables, then <body data-state="ready">. A MutationObserver notes each state, then one animation
//         frame (style, layout and paint of that frame) and one task later the time is taken: `kpisShownAt`
//         (the cards with their values on screen) and `shownAt` (everything on screen).
// The worker's report message is recorded as it arrives (its JSON text and the wasm memory size the worker
// adds to it), so the bench can check the page's weekly figures against the other engines'.
//
// On a shared machine the wall time says as much about the other work as about ours, so each run also
// reads what every Chromium thread spent on a CPU and waiting for one (/proc/<pid>/task/<tid>/schedstat).
import { chromium } from 'playwright-core';
import { readdirSync, readFileSync } from 'node:fs';
import { serve } from '../static-server.mjs';
import { threadClocks } from './schedstat.mjs';

// Flags that work here as root (/work/shared/docs/toolchain.md; the same as tests/e2e/helpers.mjs).
export const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// Runs in the page before any of its scripts (addInitScript).
function instrument() {
  const bench = {
    dropAt: null, messageAt: null, kpisAt: null, kpisShownAt: null, readyAt: null, shownAt: null, state: null,
    json: null, wasmMemoryBytes: null, heapTopBytes: null,
  };
  window.__bench = bench;
  window.addEventListener('change', (event) => {
    if (event.target?.id === 'file-input' && bench.dropAt === null) bench.dropAt = performance.now();
  }, true);
  const PageWorker = window.Worker;
  window.Worker = class extends PageWorker {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (event.data?.type !== 'report' || bench.json !== null) return;
        bench.messageAt = performance.now();
        bench.json = event.data.json;
        bench.wasmMemoryBytes = event.data.wasmMemoryBytes ?? null;
        bench.heapTopBytes = event.data.heapTopBytes ?? null;
      });
    }
  };
  // `at` now; `shown` once the next frame has been painted.
  const painted = (at, shown) => {
    bench[at] = performance.now();
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { bench[shown] = performance.now(); };
      channel.port2.postMessage(0);
    });
  };
  new MutationObserver(() => {
    const state = document.body?.dataset.state;
    if (bench.dropAt === null || bench.readyAt !== null) return;
    if (bench.kpisAt === null && (state === 'kpis' || state === 'ready' || state === 'error')) painted('kpisAt', 'kpisShownAt');
    if (state !== 'ready' && state !== 'error') return;
    bench.state = state;
    painted('readyAt', 'shownAt');
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
}

// ---- Chromium's processes and threads, from /proc (Linux; elsewhere the figures are null) ----

/** Pids of the processes below this one (the Chromium that playwright started), with their --type. */
function chromiumProcesses() {
  const parent = new Map();
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return null;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended meanwhile
    }
  }
  const below = (pid) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  const out = [];
  for (const pid of parent.keys()) {
    if (!below(pid)) continue;
    try {
      const type = /--type=([a-z-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1] ?? 'browser';
      out.push({ pid, type });
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

// The kernel's clock tick, the unit of /proc/<pid>/stat's times (USER_HZ: 100 on every Linux build we run).
const TICK_NS = 1e7;

/**
 * Nanoseconds on a CPU and waiting in the run queue, per thread: Map 'pid/tid' → {name, cpu, wait}; and per
 * process, Map 'pid' → {name, cpu}: its whole CPU time from /proc/<pid>/stat (user + system, in clock ticks),
 * which keeps the time of its threads that have ended (the kernel adds a thread's time to its process's when
 * it exits), where the threads' own clocks leave with them.
 */
function threadTimes() {
  const processes = chromiumProcesses();
  if (!processes) return null;
  const out = new Map();
  for (const { pid, type } of processes) {
    for (const [tid, clock] of threadClocks(pid, { names: true }) ?? []) {
      out.set(`${pid}/${tid}`, { ...clock, name: `${type}:${clock.name}` });
    }
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime: fields 14 and 15 of the line, 12 and 13 after the command's closing bracket.
      out.set(`${pid}`, { name: `${type}`, cpu: (Number(fields[11]) + Number(fields[12])) * TICK_NS, process: true });
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/**
 * CPU milliseconds between two threadTimes() readings, by role: the engine's worker thread, the page's main
 * thread (the report parsed, rendered, painted), the renderer's thread pool (V8 compiling wasm and JS in the
 * background, garbage collection helpers) and all the rest (browser process, compositor, GPU process…); and
 * the milliseconds the worker and main threads waited for a CPU (other work on the machine). `endedMs`: the
 * renderer threads that ended before the second reading, whose clocks left with them — the helper workers of
 * a file of MIN_PARALLEL_BYTES or more (web/parallel_read.js), which the page ends when the run's report comes
 * (engine_client.js stopHelpers). It is the renderer's own total (whole clock ticks, 10 ms) less its live
 * threads' clocks, so it is known to ±20 ms (clamped at 0: a run without helpers reads 0 to +20); their waiting
 * is not known.
 */
function cpuByRole(before, after) {
  if (!before || !after) return null;
  const roles = { workerMs: 0, mainMs: 0, backgroundMs: 0, otherMs: 0, waitedMs: 0, endedMs: 0 };
  const liveMs = new Map(); // renderer pid → its live threads' CPU ms between the readings
  for (const [key, t] of after) {
    if (t.process) continue;
    const b = before.get(key) ?? { cpu: 0, wait: 0 };
    const cpu = (t.cpu - b.cpu) / 1e6;
    const wait = (t.wait - b.wait) / 1e6;
    const pid = key.slice(0, key.indexOf('/'));
    if (t.name.startsWith('renderer:')) liveMs.set(pid, (liveMs.get(pid) ?? 0) + cpu);
    if (t.name.startsWith('renderer:DedicatedWorker')) {
      roles.workerMs += cpu;
      roles.waitedMs += wait;
    } else if (t.name === 'renderer:chromium') {
      roles.mainMs += cpu;
      roles.waitedMs += wait;
    } else if (t.name.startsWith('renderer:ThreadPoolForeg')) {
      roles.backgroundMs += cpu;
    } else {
      roles.otherMs += cpu;
    }
  }
  for (const [pid, live] of liveMs) {
    const whole = after.get(pid);
    if (!whole) continue;
    const total = (whole.cpu - (before.get(pid)?.cpu ?? 0)) / 1e6;
    roles.endedMs += Math.max(0, total - live);
  }
  return roles;
}

/** The peak resident set (VmHWM) of the largest renderer process: the page's, with its worker and wasm memory. */
function rendererPeakRssBytes() {
  const processes = chromiumProcesses();
  if (!processes) return null;
  let peak = 0;
  for (const { pid, type } of processes) {
    if (type !== 'renderer') continue;
    try {
      const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      peak = Math.max(peak, Number(kb ?? 0) * 1024);
    } catch {
      // ended meanwhile
    }
  }
  return peak || null;
}

/**
 * Serves `siteDir` and starts Chromium; `run(file)` then loads the page in a fresh context, waits `settleMs`
 * after its load event (a user's drop comes a moment after the page opened), gives it the file and waits for
 * the report. close() ends both. One runner is meant for one run (a fresh browser each time, as every other
 * engine of the bench is a fresh process), but several runs in one browser work too.
 */
export async function startPageRunner({ siteDir, executablePath = '/usr/bin/chromium', timeoutMs = 120_000, settleMs = 1000 }) {
  const { server, url } = await serve(siteDir, { port: 0 });
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: LAUNCH_ARGS });
  } catch (error) {
    server.close();
    throw error;
  }
  const close = async () => {
    await browser.close();
    await new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  };

  async function run(file) {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    try {
      await context.addInitScript(instrument);
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      // The page's own notices, its workers' included (a Blob read made again after a stall, how a file
      // was split): the console a user would see, kept for the bench to print.
      const notices = [];
      page.on('console', (message) => { if (message.text().startsWith('kpilens: ')) notices.push(message.text()); });
      await page.goto(url, { waitUntil: 'load' });
      if (settleMs > 0) await page.waitForTimeout(settleMs);
      const before = threadTimes();
      await page.setInputFiles('#file-input', file);
      await page.waitForFunction(() => window.__bench.shownAt !== null, null, { timeout: timeoutMs, polling: 100 });
      const cpu = cpuByRole(before, threadTimes());
      const bench = await page.evaluate(() => window.__bench);
      if (bench.state !== 'ready') {
        const status = await page.textContent('#status');
        throw new Error(`the page ended in state ${bench.state}: ${status} ${errors.join('; ')}`);
      }
      // The trend table as shown (tickets per period, the figure the page picks first).
      const shownTickets = await page.$$eval('table[data-testid="trend-table"] tbody tr', (rows) => rows.map((row) => ({
        period: row.children[0].textContent,
        value: row.children[2].getAttribute('data-value'),
      })));
      return {
        seconds: (bench.shownAt - bench.dropAt) / 1000, // everything on screen
        firstKpisSeconds: (bench.kpisShownAt - bench.dropAt) / 1000, // the KPI cards on screen
        phases: {
          engineSeconds: (bench.messageAt - bench.dropAt) / 1000, // the drop → the report message in the page
          renderSeconds: (bench.kpisAt - bench.messageAt) / 1000, // JSON.parse, the cards and controls
          paintSeconds: (bench.kpisShownAt - bench.kpisAt) / 1000, // the next frame: the cards painted
          restSeconds: (bench.shownAt - bench.kpisShownAt) / 1000, // charts and tables, drawn and painted
        },
        cpu,
        report: JSON.parse(bench.json),
        wasmMemoryBytes: bench.wasmMemoryBytes,
        heapTopBytes: bench.heapTopBytes,
        peakRssBytes: rendererPeakRssBytes(),
        shownTickets,
        errors,
        notices,
      };
    } finally {
      await context.close();
    }
  }

  return { run, close, url };
}

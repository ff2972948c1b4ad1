// engine_client.js: the main thread's side of the worker protocol. One worker at a time, started with the
// page (not at the first drop) so that it has compiled and instantiated the module before a file comes in:
// the first one by engine_start.js, the page's first script, whose worker and Blob URL it takes over;
// cancelling terminates it at once (no cooperative checks needed) and starts the next one.
import { parallelWorkers, startHelpers, workerCount } from './parallel_read.js';

// A file is read in slices of 1 MiB: one push into the engine each (FEED_BYTES), and no larger than the
// pipe (2 MiB) through which the browser sends a Blob stream's bytes to the worker. The browser fills that
// pipe while the engine works on a slice, so the next one is mostly there when asked for; with 8 MiB slices
// the worker read 2 MiB at once and waited for the other 6 (docs/architecture.md, "Parallel reading").
const CHUNK_BYTES = 1 << 20;
const STANDBY_AFTER_RUN_MS = 2000; // helpers started ahead again this long after a run
// The progress is drawn at most this often (and at once when the run's last byte is read, or a notice
// comes): each worker posts its own every PROGRESS_MS, and every drawing is a frame — style, layout, paint
// and the compositor's work — on the two cores the workers share with the page (docs/architecture.md, "The
// page's CPU besides the engine").
const PROGRESS_DRAW_MS = 250;

/**
 * `onProgress` fed only figures that never go back. The engine worker's bytes and rows fall back when it
 * drops the helpers' parts of a file and reads their bytes itself (parallel_read.js: the page stops adding
 * what the helpers had read), or reads the whole run again in one worker (a part that could not give the
 * sequential report): the bar and the counts then stay where they were until the reading passes them (the
 * worker's `notice`, passed on with every later progress, says why).
 */
export function monotonicProgress(onProgress) {
  if (!onProgress) return onProgress;
  let bytes = 0;
  let rows = 0;
  return (progress) => {
    bytes = Math.max(bytes, progress.bytes);
    rows = Math.max(rows, progress.rows ?? 0);
    onProgress({ ...progress, bytes, rows });
  };
}

/**
 * `draw` called with the latest progress at most every `everyMs` (`clock` in ms): show(progress) draws it
 * now when that long has passed since the last drawing, when `now` is asked (a notice) or when every byte
 * is read; else the latest progress shown meanwhile is drawn once that long has passed. stop() drops a
 * drawing still to come (the run's report or error replaces it).
 */
export function drawnAtMost(everyMs, draw, clock = () => performance.now()) {
  let drawnAt = -Infinity;
  let timer = null;
  let latest = null;
  const flush = () => {
    clearTimeout(timer);
    timer = null;
    drawnAt = clock();
    draw(latest);
  };
  return {
    show(progress, now = false) {
      latest = progress;
      const wait = drawnAt + everyMs - clock();
      if (now || wait <= 0 || progress.bytes >= progress.totalBytes) flush();
      else timer ??= setTimeout(flush, wait);
    },
    stop() {
      clearTimeout(timer);
      timer = null;
    },
  };
}

export class EngineClient {
  constructor() {
    this.worker = null;
    this.workerUrl = null;
    this.pending = null;
    this.nextId = 1;
    // Helper workers started ahead of a large file's run (parallel_read.js startHelpers), once the engine
    // worker has warmed up and again after each run: started after the drop, they began
    // reading their parts 61–82 ms after it here (scripts/bench's file, 9 runs), while the engine worker had
    // begun at 5; started ahead, 19–36 ms after it (10 runs), once the engine worker has read the head.
    // Their ports go to the engine worker at once, which posts them its compiled module: idle, they
    // instantiate it and touch its memory (web/worker.js), which they did inside the run when the module
    // came with it.
    this.standby = null;
    this.standbyTimer = null;
    const start = globalThis.kpilensEngineStart;
    if (!start?.url) throw new Error('kpilens: engine_start.js did not run before the page script');
    this.workerUrl = start.url;
    if (start.worker && !start.error) {
      this.adopt(start.worker);
      if (start.warm) this.prepareHelpers(); // warmed up before this script ran
    } else {
      start.worker?.terminate();
    }
    this.ensureWorker();
  }

  adopt(worker) {
    this.worker = worker;
    this.worker.onmessage = (event) => this.onMessage(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail(new Error(event.message || 'the engine stopped unexpectedly'));
    };
    return worker;
  }

  ensureWorker() {
    if (this.worker) return this.worker;
    this.adopt(new Worker(this.workerUrl));
    // Creating the worker, inflating, compiling and instantiating the module would otherwise happen
    // after the drop, while the user waits (scripts/bench --first-kpis).
    this.worker.postMessage({ type: 'load' });
    return this.worker;
  }

  // Helper workers of a parallel run (parallel_read.js): they live as long as the run.
  stopHelpers() {
    this.helpers?.terminate();
    this.helpers = null;
    // Later, not while the page draws the report the run gave.
    this.prepareHelpers(STANDBY_AFTER_RUN_MS);
  }

  /**
   * Starts the helpers a large file's run would take (after `delayMs`), unless they are there or coming, or
   * this machine has one core; not during a run (its end calls this again).
   */
  prepareHelpers(delayMs = 0) {
    if (this.standby || this.standbyTimer || parallelWorkers() < 2) return;
    this.standbyTimer = setTimeout(() => {
      this.standbyTimer = null;
      if (this.standby || this.pending || !this.worker) return;
      const helpers = startHelpers(this.workerUrl, parallelWorkers() - 1);
      this.worker.postMessage({ type: 'helpers', ports: helpers.ports }, helpers.ports);
      Object.assign(helpers, { ports: [], standby: true }); // (the engine worker holds their ports)
      this.standby = helpers;
    }, delayMs);
  }

  /** The helpers for a run that needs `count`: the ones started ahead when they fit, else new ones. */
  takeHelpers(count) {
    if (count > 0 && this.standby?.count === count) {
      const helpers = this.standby;
      this.standby = null;
      return helpers;
    }
    return startHelpers(this.workerUrl, count);
  }

  onMessage(message) {
    if (message.type === 'warm') {
      this.prepareHelpers(); // the engine worker is ready, the page idle: a large drop finds them started
      return;
    }
    const pending = this.pending;
    if (!pending || message.id !== pending.id) return;
    if (message.type === 'report' || message.type === 'error') {
      pending.progress?.stop();
      this.stopHelpers();
    }
    if (message.type === 'notice') {
      // Why the progress holds still for a while (web/worker.js): kept on every later progress of the run.
      pending.notice = message.text;
      this.showProgress(pending, true);
    } else if (message.type === 'progress') {
      pending.lastProgress = message;
      this.showProgress(pending);
    } else if (message.type === 'report') {
      this.pending = null;
      if (pending.healthCsv) {
        pending.resolve(message.healthCsv ?? null);
        return;
      }
      let report;
      try {
        report = JSON.parse(message.json);
      } catch (error) {
        pending.reject(new Error(`the engine returned a report that is not JSON: ${error.message}`));
        return;
      }
      pending.resolve(report);
    } else if (message.type === 'error') {
      this.pending = null;
      pending.reject(new Error(message.message));
    }
  }

  /**
   * The run's latest progress, with the helpers' on the same file added and the notice, if there is one
   * (drawn at most every PROGRESS_DRAW_MS; `now`: at once).
   */
  showProgress(pending, now = false) {
    const message = pending.lastProgress;
    if (!message) return;
    const progress = this.helpers ? this.helpers.progress(message) : message;
    pending.progress?.show(pending.notice ? { ...progress, notice: pending.notice } : progress, now);
  }

  fail(error) {
    const pending = this.pending;
    this.pending = null;
    pending?.progress?.stop();
    // Helpers started ahead serve the engine worker that holds their ports: they go with it.
    this.standby?.terminate();
    this.standby = null;
    this.stopHelpers();
    this.worker?.terminate();
    this.worker = null;
    pending?.reject(error);
  }

  /**
   * Runs the engine over files (one Dataset, in order; `names` are the names the report gives them,
   * default the files' own); resolves to the report object. One run at a time.
   */
  run(files, config, onProgress, names = files.map((file) => file.name), healthCsv = false) {
    if (this.pending) this.cancel();
    const id = this.nextId++;
    const worker = this.ensureWorker();
    // A large file is read by N workers: this one and N − 1 helpers (started ahead, or now).
    this.helpers = this.takeHelpers(workerCount(files) - 1);
    this.helpers.onChange = () => {
      if (this.pending?.id === id && this.pending.lastProgress?.helpersFile != null) this.showProgress(this.pending);
    };
    const { ports, standby = false } = this.helpers;
    return new Promise((resolve, reject) => {
      const shown = monotonicProgress(onProgress);
      const progress = shown && drawnAtMost(PROGRESS_DRAW_MS, shown);
      this.pending = { id, resolve, reject, progress, healthCsv };
      worker.postMessage({ type: 'run', id, files, names, config, chunkBytes: CHUNK_BYTES, ports, standby, healthCsv }, ports);
    });
  }

  /** The same run, resolving to the engine's health CSV (every scored customer), or null without one. */
  healthCsv(files, config, names, onProgress) {
    return this.run(files, config, onProgress, names, true);
  }

  /** Stops the current run immediately. */
  cancel() {
    if (!this.pending) return false;
    const error = new Error('cancelled');
    error.cancelled = true;
    this.fail(error);
    this.ensureWorker(); // ready for the next run (not after a failure: a worker that fails might fail again)
    return true;
  }
}

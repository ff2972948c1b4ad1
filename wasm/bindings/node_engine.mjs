// node_engine: drives the wasm module from Node — files read in slices straight into the module's chunk
// buffer, the next one while the engine decodes this one (feedFile), or in parts by worker_threads.
import { createRequire } from 'node:module';
import { openSync, read, readSync, readFileSync, closeSync, fstatSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FEED_BYTES, feedRange, readFileInParts } from './parallel_read.mjs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inReadOrder } from './read_order.mjs';
import { instantiateCompiled } from './compiled_module.mjs';

const require = createRequire(import.meta.url);
const defaultModulePath = fileURLToPath(new URL('../../build/wasm/kpilens.node.cjs', import.meta.url));

let modulePromise = null;
let compiledPromise = null;
const PROBE_BYTES = 64 << 10;

/** What a file's first bytes say it is: {format, encoding, kind, preset, columns, error}. */
export function probe(engine, dataset, name, bytes) {
  const address = dataset.chunkBuffer(bytes.length);
  engine.HEAPU8.set(bytes, address);
  return JSON.parse(dataset.probeChunk(name, bytes.length));
}

/**
 * Loads (once) the Node build of the wasm module: `modulePath` is its glue (kpilens.node.cjs), the wasm is
 * beside it (kpilens.node.wasm). `compiled`: the module already compiled by another thread (a part
 * reader, node_part_worker.mjs), which shares that thread's machine code instead of compiling again.
 */
export function loadEngine(modulePath = defaultModulePath, compiled = null) {
  if (!modulePromise) {
    // (A missing .wasm throws here, before anything is set: a later call may give another path.)
    const bytes = compiled ? null : readFileSync(modulePath.replace(/\.c?js$/, '.wasm'));
    touch = { engine: null, at: 0, timer: null, keepAlive: false, slices: 0, done: null, resolve: null, reject: null };
    touch.done = new Promise((resolve, reject) => { touch.resolve = resolve; touch.reject = reject; });
    touch.done.catch(() => {}); // (a module that fails to load: its error is loadEngine's to report)
    compiledPromise = compiled ? Promise.resolve(compiled) : WebAssembly.compile(bytes);
    modulePromise = compiledPromise.then((module) => instantiateCompiled(require(modulePath), module)).then((engine) => {
      touch.engine = engine;
      scheduleTouch();
      return engine;
    });
    modulePromise.catch((error) => touch.reject(error));
  }
  return modulePromise;
}

// ---- The module's memory faulted in while the engine is idle ------------------------------------------
// A wasm memory is reserved, not resident: the first touch of each 4 KiB page is a page fault (~14 µs on
// the benchmark's VM), which a file's first run would otherwise take inside its own time for whatever its
// groups, the chunk buffer and the report need beyond what ran before. So, as the page's engine worker
// does once it has warmed up (web/worker.js; it stops for good when a file comes), the memory above the
// heap's top is written with zeros, 1 MiB a turn of the event loop, up to the memory's size (32 MiB at the
// start), whenever no run of this module is under way (whileRunning): a run pauses it, its end resumes it.
// Above the heap's top nothing lives (the static data and the stack lie below the heap, emmalloc takes
// every allocation from below sbrk(0), which only rises), and fresh memory is zeros already: only the
// pages' residence changes. The top is read again before every slice, so a slice never writes where
// something was allocated since. docs/architecture.md, "Memory faulted in while the engine is idle, in Node".
const TOUCH_BYTES = 1 << 20;
// {engine (once loaded), at: where the next slice begins (Infinity: done), timer: the next slice's,
// keepAlive: memoryTouched() is awaited, slices: run so far, done: a promise, resolve, reject}
let touch = null;
let running = 0; // runs under way (whileRunning)

function scheduleTouch() {
  if (!touch?.engine || touch.timer || touch.at === Infinity) return;
  touch.timer = setTimeout(touchSlice, 0);
  // Unref'd unless memoryTouched() is awaited: the touch alone keeps no process alive (one that is done
  // exits, touched or not). (A timer rather than setImmediate: an unref'd immediate waits for something
  // else to wake the event loop, an unref'd timer fires when due while the loop waits on other work.)
  if (!touch.keepAlive) touch.timer.unref();
}

function touchSlice() {
  touch.timer = null;
  if (running > 0) return; // resumed when the last run ends
  const heap = touch.engine.HEAPU8; // (read again: the memory may have grown)
  const from = Math.max(touch.at, touch.engine.heapTop());
  if (from >= heap.length) {
    touch.at = Infinity; // done: memory grown later is the run's that grew it
    touch.resolve();
    return;
  }
  touch.at = Math.min(from + TOUCH_BYTES, heap.length);
  heap.fill(0, from, touch.at);
  touch.slices += 1;
  scheduleTouch();
}

/**
 * Runs `run()` (async) with the idle touch of the module's memory paused until it settles. reportFromFiles,
 * reportFromBuffers and reportFromFilesParallel run so (and a part reader's tasks); a caller driving a
 * Dataset itself may too.
 */
export async function whileRunning(run) {
  running += 1;
  try {
    return await run();
  } finally {
    running -= 1;
    if (running === 0) scheduleTouch();
  }
}

/**
 * Resolves once the module's memory was touched up to its size (loadEngine first; a run under way delays
 * it; rejects if the module failed to load). While it is awaited, the touch keeps the process alive.
 */
export function memoryTouched() {
  if (!touch) throw new Error('kpilens: loadEngine() first');
  touch.keepAlive = true;
  touch.timer?.ref();
  return touch.done;
}

/** How many 1 MiB slices of the idle touch have run so far (for tests and diagnostics). */
export function memoryTouchSlices() {
  return touch?.slices ?? 0;
}

/** The compiled WebAssembly.Module of the loaded engine (loadEngine first): for part readers. */
export function compiledEngine() {
  if (!compiledPromise) throw new Error('kpilens: loadEngine() first');
  return compiledPromise;
}

/**
 * Runs the engine over files and returns the report JSON text.
 * @param {string[]} paths files to read, in order
 * @param {object|string} config the engine config (object or JSON text)
 * @param {{chunkBytes?: number, names?: string[], healthCsv?: boolean}} options `chunkBytes`: the slice read
 *   at a time (READ_BYTES); with `healthCsv`, returns `{report, healthCsv}` (the report JSON text and
 *   Dataset.healthCsv())
 */
export function reportFromFiles(paths, config = {}, options = {}) {
  return whileRunning(() => reportFromFilesRunning(paths, config, options));
}

async function reportFromFilesRunning(paths, config, options) {
  const engine = await loadEngine();
  const dataset = new engine.Dataset(typeof config === 'string' ? config : JSON.stringify(config));
  try {
    const slice = Buffer.allocUnsafe(PROBE_BYTES);
    const inputs = paths.map((path, index) => ({ path, name: options.names?.[index] ?? basename(path) }));
    // Survey answers first, then customer-success files, then tickets (read_order.mjs; the engine's
    // kind, not ours). One file: nothing to order, no probe (~1 ms).
    const ordered = inputs.length < 2 ? inputs : inReadOrder(inputs, (input) => {
      const fd = openSync(input.path, 'r');
      try {
        const got = readSync(fd, slice, 0, PROBE_BYTES, 0);
        return probe(engine, dataset, input.name, slice.subarray(0, got)).kind;
      } finally {
        closeSync(fd);
      }
    });
    for (const { path, name } of ordered) {
      dataset.beginFile(name);
      await feedFile(engine, dataset, path, options.chunkBytes);
      dataset.endFile();
    }
    const report = dataset.report();
    return options.healthCsv ? { report, healthCsv: dataset.healthCsv() } : report;
  } finally {
    dataset.delete();
  }
}

// The slice feedFile reads at a time, into each half of the chunk buffer: 2 MiB, fed 1 MiB per call (FEED_BYTES).
// Each read is a turn of the event loop. The bench's file in slices of 1, 2 and 4 MiB, sixteen alternating
// rounds: medians 252, 249 and 246 ms (read synchronously: 271 ms), so the middle one, for a smaller buffer.
export const READ_BYTES = 2 << 20;

const readAt = (fd, heap, address, length, position) => new Promise((resolve, reject) => {
  read(fd, heap, address, length, position, (error, got) => (error ? reject(error) : resolve(got)));
});

/**
 * Feeds the file at `path` to `dataset` (between its beginFile and endFile), `sliceBytes` read at a time
 * straight into the module's chunk buffer, which holds two slices: while the engine decodes one, the next
 * is read into the other half by libuv's threads (fs.read), so that reading the file (from the page cache:
 * ~12 % of the weekly report's run when the engine waited for each slice) overlaps the engine's work.
 * The engine still runs on this thread alone. `path` is a regular file (read at explicit positions).
 *
 * What this rests on: the engine may grow its memory while a read is under way (it allocates as it
 * decodes), and the read goes on writing at the address it was given. That is the module's memory still
 * because V8 grows a wasm memory in place: with its trap handler (on by default in Node on 64-bit hosts) it
 * reserves 8 GiB of address space for a 32-bit memory when the memory is made; without, it reserves the
 * memory's maximum (4 GiB here), unless that reservation failed and a smaller one was taken. Only then
 * would a memory move, and a read in flight write where the module no longer is (tests/wasm/
 * feed_file.test.mjs grows the memory while a read is in flight). HEAPU8 is read again after every call
 * that may grow the memory.
 * A module built before pushChunkAt (scripts/bench --reference's of an older commit) is fed as it was then:
 * 1 MiB read, then fed, and so on.
 */
export async function feedFile(engine, dataset, path, sliceBytes = READ_BYTES) {
  const fd = openSync(path, 'r');
  let pending = null; // the read in flight: awaited before the file is closed, whatever happens
  try {
    if (typeof dataset.pushChunkAt !== 'function') {
      const bytes = Math.min(sliceBytes, FEED_BYTES);
      for (;;) {
        const address = dataset.chunkBuffer(bytes); // before HEAPU8 is read: it may grow the memory
        const got = readSync(fd, engine.HEAPU8, address, bytes, null);
        if (got === 0) return;
        dataset.pushChunk(got);
      }
    }
    const base = dataset.chunkBuffer(2 * sliceBytes); // HEAPU8 read after it: it may grow the memory
    let position = 0;
    let half = 0;
    let got = readSync(fd, engine.HEAPU8, base, sliceBytes, position);
    while (got > 0) {
      const at = base + half * sliceBytes;
      const next = base + (1 - half) * sliceBytes;
      position += got;
      pending = readAt(fd, engine.HEAPU8, next, sliceBytes, position);
      for (let done = 0; done < got; done += FEED_BYTES) dataset.pushChunkAt(at + done, Math.min(FEED_BYTES, got - done));
      got = await pending;
      pending = null;
      half = 1 - half;
    }
  } finally {
    if (pending) await pending.catch(() => {});
    closeSync(fd);
  }
}

/** Runs the engine over in-memory inputs: [{name, bytes: Uint8Array|string}]. */
export function reportFromBuffers(inputs, config = {}, options = {}) {
  return whileRunning(() => reportFromBuffersRunning(inputs, config, options));
}

async function reportFromBuffersRunning(inputs, config, options) {
  const engine = await loadEngine();
  const chunkBytes = options.chunkBytes ?? FEED_BYTES;
  const dataset = new engine.Dataset(typeof config === 'string' ? config : JSON.stringify(config));
  try {
    const buffers = inputs.map((input) => ({
      name: input.name,
      bytes: typeof input.bytes === 'string' ? Buffer.from(input.bytes, 'utf8') : input.bytes,
    }));
    const ordered = buffers.length < 2 ? buffers
      : inReadOrder(buffers, (b) => probe(engine, dataset, b.name, b.bytes.subarray(0, PROBE_BYTES)).kind);
    for (const { name, bytes } of ordered) {
      dataset.beginFile(name);
      for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
        const piece = bytes.subarray(offset, Math.min(offset + chunkBytes, bytes.length));
        const address = dataset.chunkBuffer(piece.length);
        engine.HEAPU8.set(piece, address);
        dataset.pushChunk(piece.length);
      }
      dataset.endFile();
    }
    return dataset.report();
  } finally {
    dataset.delete();
  }
}

// ---- Parallel reading (parallel_read.mjs; docs/architecture.md "Parallel reading") -----------------
// A file of at least `minParallelBytes` is read in parts by `workers` worker_threads (node_part_worker.mjs)
// and merged here; the report is the sequential one byte for byte. A file the engine cannot split is read
// sequentially (stats.files[i].fallback says why); a merge the engine refuses to make ("sequential")
// starts the whole dataset over sequentially (stats.restarted says why).

/**
 * A file as parallel_read's source: {size, read(start, end) → Uint8Array}. The bytes returned are valid
 * until the next read (one buffer, reused: every caller copies them into the module at once), so reading
 * a file allocates nothing per slice.
 */
export function fileSource(path) {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  let buffer = Buffer.alloc(0);
  return {
    size,
    read(start, end) {
      const length = Math.max(0, Math.min(end, size) - start);
      if (buffer.length < length) buffer = Buffer.allocUnsafe(length);
      const bytes = buffer.subarray(0, length);
      let got = 0;
      while (got < bytes.length) {
        const n = readSync(fd, bytes, got, bytes.length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      return bytes.subarray(0, got);
    },
    readInto(start, end, heap, address) {
      const length = Math.max(0, Math.min(end, size) - start);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, heap, address + got, length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      return got;
    },
    close() {
      closeSync(fd);
    },
  };
}

// PartPool.saveShare's share when every reader holds a spare large enough (parallel_read's SAVE_SHARE
// otherwise).
const SPARE_SAVE_SHARE = 1 / 48;

/** worker_threads running node_part_worker.mjs, one task at a time each: readers for readFileInParts. */
class PartPool {
  constructor(count, modulePath, compiled) {
    this.waiting = new Map();
    this.nextId = 1;
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(new URL('./node_part_worker.mjs', import.meta.url), { workerData: { modulePath, compiled } });
      worker.ready = new Promise((resolve) => worker.once('message', resolve)); // its module is instantiated
      worker.on('message', ({ id, result, error, spare }) => {
        if (id === undefined) return;
        const pending = this.waiting.get(id);
        this.waiting.delete(id);
        if (spare) pending.reader.spare = spare; // sent back unused (no state, or a failed task)
        if (error) pending.reject(new Error(error));
        else pending.resolve(result);
      });
      worker.on('error', (error) => {
        for (const pending of this.waiting.values()) pending.reject(error);
        this.waiting.clear();
      });
      return worker;
    });
    const ask = (reader, message, transfer = []) => new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject, reader });
      reader.worker.postMessage({ id, ...message }, transfer);
    });
    // A reader's spare: the largest buffer one of its states came in while a file was read, once the file is
    // merged (recycle()), sent with its next task, whose state is then written into it rather than into
    // fresh memory (node_part_worker); spareFits: the largest part (file bytes) whose state it should hold,
    // at the state's bytes a file byte of the part it came from. (A buffer still in use by a part not yet
    // merged is never sent: one report at a time per pool.)
    this.readers = this.workers.map((worker) => {
      const reader = {
        worker,
        spare: null,
        spareFits: 0,
        latest: null,
        run: async (task) => {
          const { spare } = reader;
          reader.spare = null;
          const result = await (spare ? ask(reader, { task, spare }, [spare]) : ask(reader, { task }));
          if (result.state?.length) {
            const fits = result.state.buffer.byteLength * ((result.to - result.from) / result.state.length);
            if (!(reader.latest?.fits >= fits)) reader.latest = { buffer: result.state.buffer, fits };
          }
          return result;
        },
        shorten: (request) => ask(reader, { shorten: request }),
      };
      return reader;
    });
  }

  ready() {
    return Promise.all(this.workers.map((worker) => worker.ready));
  }

  /**
   * Once a file's parts are merged (or dropped): each reader keeps the largest buffer of its states (or the
   * spare it was sent back, if larger) as its spare.
   */
  recycle() {
    for (const reader of this.readers) {
      const { latest } = reader;
      reader.latest = null;
      if (!latest || (reader.spare && reader.spareFits >= latest.fits)) continue;
      reader.spare = latest.buffer;
      reader.spareFits = latest.fits;
    }
  }

  /**
   * A helper's time beyond reading, as a share of its part's (parallel_read's partCuts), for parts of at
   * most `partBytes` each: smaller when every reader's spare should hold its state. A new 1.6 MB array for the
   * weekly report's state took 6 ms of page faults, a spare 0.1 ms (the helper's save, 6–7 ms → ~2 ms). The
   * 2-thread weekly report in one process, runs interleaved (24 rounds each, the median of the rounds' one
   * thread ÷ 2 threads): without a spare 1.637×; with one 1.641× at 1/12 (parallel_read's SAVE_SHARE),
   * 1.663× at 1/24, 1.679× at 1/48; again 1.651× at 1/32, 1.658× at 1/48, 1.679× at 1/96, 1.676× at 0.
   * (A spare too small for the state: a new array, and the default share.)
   */
  saveShare(partBytes) {
    return this.readers.every((reader) => reader.spare && reader.spareFits >= partBytes) ? SPARE_SAVE_SHARE : undefined;
  }

  close() {
    return Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * Starts `workers` part readers (worker_threads), each instantiating the module this thread compiled
 * (loadEngine): pass it to reportFromFilesParallel as `options.readers` to keep it across reports (it
 * then reads with this thread and these; one report at a time), and close() it when done. Resolves once
 * every reader is ready.
 */
export async function startPartReaders({ workers = availableParallelism(), modulePath = defaultModulePath } = {}) {
  await loadEngine(modulePath);
  const pool = new PartPool(Math.max(1, workers), modulePath, await compiledEngine());
  await pool.ready();
  return pool;
}

/**
 * reportFromFiles, with each ticket CSV of at least `minParallelBytes` read in parts by `workers` threads
 * (default: the cores): this one and `workers` − 1 worker_threads.
 * @param {string[]} paths
 * @param {object|string} config
 * @param {{workers?: number, readers?: object, chunkBytes?: number, headBytes?: number,
 *          minParallelBytes?: number, names?: string[], modulePath?: string, balance?: boolean|object,
 *          stats?: object}} options
 *   `readers`: a pool from startPartReaders (kept open; `workers` is then its size + 1), else one is
 *   started when a file needs it and closed at the end. `balance`: readFileInParts' (default true). `stats`,
 *   when given, is filled in: {files: [{name, parts, fallback, rebalanced, tookOver, passedOn}], restarted,
 *   startMs (starting the readers), headMs (reading the head), readMs (parts), mergeMs}
 */
export function reportFromFilesParallel(paths, config = {}, options = {}) {
  return whileRunning(() => reportFromFilesParallelRunning(paths, config, options));
}

async function reportFromFilesParallelRunning(paths, config, options) {
  const workers = options.readers ? options.readers.readers.length + 1 : Math.max(1, options.workers ?? availableParallelism());
  const chunkBytes = options.chunkBytes ?? FEED_BYTES;
  const headBytes = options.headBytes ?? 256 << 10;
  const minParallelBytes = options.minParallelBytes ?? 32 << 20;
  const modulePath = options.modulePath ?? defaultModulePath;
  const stats = options.stats ?? {};
  Object.assign(stats, { files: [], restarted: null, startMs: 0, headMs: 0, readMs: 0, mergeMs: 0 });
  const configText = typeof config === 'string' ? config : JSON.stringify(config);
  const engine = await loadEngine(modulePath);
  const dataset = new engine.Dataset(configText);
  let pool = options.readers ?? null;
  try {
    const inputs = paths.map((path, index) => ({ path, name: options.names?.[index] ?? basename(path) }));
    const ordered = inputs.length < 2 ? inputs : inReadOrder(inputs, (input) => {
      const source = fileSource(input.path);
      try {
        return probe(engine, dataset, input.name, source.read(0, PROBE_BYTES)).kind;
      } finally {
        source.close();
      }
    });
    for (const { path, name } of ordered) {
      const source = fileSource(path);
      try {
        dataset.beginFile(name);
        if (workers < 2 || source.size < minParallelBytes) {
          stats.files.push({ name, parts: 1, fallback: workers < 2 ? 'one worker' : 'small file' });
          await feedRange(engine, dataset, source, 0, source.size, chunkBytes);
        } else {
          if (!pool) {
            const started = performance.now();
            pool = await startPartReaders({ workers: workers - 1, modulePath });
            stats.startMs = performance.now() - started;
          }
          const got = await readFileInParts({
            module: engine, dataset, source, input: path, name, config: configText, helpers: pool.readers, chunkBytes, headBytes,
            balance: options.balance ?? true, saveShare: (partBytes) => pool.saveShare(partBytes),
          });
          pool.recycle();
          stats.files.push({ name, parts: got.parts, fallback: got.fallback, rebalanced: got.rebalanced, tookOver: got.tookOver, passedOn: got.passedOn });
          stats.headMs += got.headMs;
          stats.readMs += got.readMs;
          stats.mergeMs += got.mergeMs;
          if (got.restart) {
            // The dataset holds part of this file's figures: start over, all sequential.
            stats.restarted = got.restart;
            return await reportFromFiles(paths, config, { chunkBytes, names: options.names });
          }
        }
        dataset.endFile();
      } finally {
        source.close();
      }
    }
    return dataset.report();
  } finally {
    dataset.delete();
    if (pool && pool !== options.readers) await pool.close();
  }
}

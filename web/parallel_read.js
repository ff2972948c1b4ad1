// parallel_read (page): a large ticket file read by N Web Workers at once (wasm/bindings/parallel_read.mjs
// has the algorithm; docs/architecture.md "Parallel reading"). The page (engine_client.js) starts N − 1
// helper workers from the engine worker's own Blob URL and hands the engine worker one MessagePort to each;
// the engine worker reads the first part itself, straight into its dataset, the helpers the others, each
// from a Blob stream in 1 MiB slices (blobChunks), and the engine worker merges their states. A helper done
// first may be given the end of the engine worker's part, or of a slower helper's, as its next task, and the
// engine worker, done first, may take over the end of a helper's part (parallel_read.mjs, steps 2b and 2c). The engine
// worker first posts its compiled WebAssembly.Module on each port: a helper instantiates it (no unpacking, no compiling,
// and V8 shares the machine code the engine worker has already optimised; from file:// Chromium does not
// deliver it and the helper loads its own). No SharedArrayBuffer: works from file:// and under the page's CSP. Cancel
// terminates every worker at once.
/* global FileReaderSync */
import { helperControl, readFileInParts, runTask } from '../wasm/bindings/parallel_read.mjs';

export const MIN_PARALLEL_BYTES = 32 << 20; // smaller files: one worker (starting helpers costs more)
// A worker posts its progress this often at most (and at the end of a helper's part, of a file read in parts,
// and of the run). It was 50 ms: each post is a task on the page's main thread, and each drawing of it a
// frame, on the cores the workers use (docs/architecture.md, "The page's CPU besides the engine").
export const PROGRESS_MS = 250;
const MAX_WORKERS = 4;
const HEAD_BYTES = 256 << 10; // grown while the engine needs more (parallel_read.mjs)

/** How many workers read a run's files: the cores (at most 4), 1 when no file is large. */
export function workerCount(files, cores = globalThis.navigator?.hardwareConcurrency ?? 1) {
  if (!files.some((file) => file.size >= MIN_PARALLEL_BYTES)) return 1;
  return parallelWorkers(cores);
}

/** How many workers read a large file: the cores, at most 4. */
export function parallelWorkers(cores = globalThis.navigator?.hardwareConcurrency ?? 1) {
  return Math.max(1, Math.min(MAX_WORKERS, cores || 1));
}

/**
 * Page side: starts `count` helper workers; returns {count, ports (for the engine worker), terminate(),
 * progress(message), onChange}: progress adds the helpers' bytes and rows on the file the engine worker's
 * message names (`helpersFile`; they report to the page directly, so the count moves while the engine
 * worker is busy with its own part) to the message's. A file done, or dropped from the helpers, counts in
 * the engine worker's own figures: the helpers' reports on it are left out from then on, whenever they
 * arrive. `onChange()`, when set, is called when a helper reports. The helpers serve one run; they may be
 * started before it (engine_client.js keeps a set ready), as they wait on their port until it comes.
 */
export function startHelpers(workerUrl, count) {
  const helpers = [];
  const ports = [];
  const bytes = new Map(); // file name → bytes the helpers read of it
  const rows = new Array(count).fill(null); // each helper's latest {file, rows}
  for (let i = 0; i < count; i += 1) {
    const worker = new Worker(workerUrl);
    worker.onmessage = ({ data }) => {
      if (data.type !== 'helper-progress') return;
      bytes.set(data.file, (bytes.get(data.file) ?? 0) + data.bytes);
      rows[i] = data;
      set.onChange?.();
    };
    const channel = new MessageChannel();
    worker.postMessage({ type: 'helper', port: channel.port2 }, [channel.port2]);
    helpers.push(worker);
    ports.push(channel.port1);
  }
  const set = {
    count,
    ports,
    onChange: null,
    terminate: () => helpers.forEach((worker) => worker.terminate()),
    progress: (message) => message.helpersFile == null ? message : {
      ...message,
      bytes: message.bytes + (bytes.get(message.helpersFile) ?? 0),
      rows: message.rows + rows.reduce((sum, r) => sum + (r?.file === message.helpersFile ? r.rows : 0), 0),
    },
  };
  return set;
}

// A BYOB read of a Blob stream that has not settled after this long is taken for one that never will
// (blobChunks). Reads normally settle within milliseconds: each returns what the browser's pipe holds,
// not a whole slice. On storage slow enough to take longer, a read is only made again, never wrong.
export const STALL_MS = 1000;
// Stalls in one range after which blobChunks reads the rest with the default reader.
export const MAX_STALLS = 3;

/**
 * The bytes [start, end) of `file` in slices of `chunkBytes` (the last one shorter), from a Blob stream read
 * into one buffer. Each slice is a view of that buffer, valid until the next is asked for. FileReaderSync
 * read scripts/bench's 142 MB file in 0.20–0.63 s in Chromium here, a stream in 0.13–0.36 s (8 MiB slices,
 * nothing else running), and one buffer replaces an ArrayBuffer per slice (docs/architecture.md,
 * "Parallel reading"). A BYOB reader fills the buffer itself (no allocation per read). In Chromium a BYOB
 * read now and then never settles (docs/architecture.md, "A read that never came back"): after `stallMs`
 * this slice and the rest are read again from a new stream, with a BYOB reader again, and after
 * MAX_STALLS stalls with the default reader, whose chunks are copied in (as on a browser whose Blob
 * streams have no BYOB reader): never stuck, and one slow read does not cost the rest of the range the
 * default reader's chunks (an ArrayBuffer each: an 8.2 GB file read so took the page's renderer to
 * 1,302 MiB, against 258–262 MiB); the console says so.
 */
export async function* blobChunks(file, start, end, chunkBytes, stallMs = STALL_MS) {
  let at = start; // the next slice's first byte
  let buffer = new ArrayBuffer(chunkBytes);
  for (let stalls = 0; stalls < MAX_STALLS; stalls += 1) {
    let byob;
    try {
      byob = file.slice(at, end).stream().getReader({ mode: 'byob' });
    } catch {
      break; // not a byte stream here: the default reader below
    }
    let timer;
    try {
      for (let filled = 0; ;) {
        const read = await Promise.race([
          byob.read(new Uint8Array(buffer, filled, chunkBytes - filled)),
          new Promise((resolve) => { timer = setTimeout(resolve, stallMs); }),
        ]);
        clearTimeout(timer);
        if (!read) { // stalled: the buffer went with that read, so this slice is read again
          console.info(`kpilens: a read of ${file.name} took over ${stallMs} ms: read again from byte ${at}`);
          buffer = new ArrayBuffer(chunkBytes);
          break;
        }
        if (read.value) buffer = read.value.buffer; // a read transfers the buffer: its new handle
        if (!read.done) filled += read.value.byteLength;
        if (filled > 0 && (read.done || filled === chunkBytes)) {
          yield new Uint8Array(buffer, 0, filled);
          at += filled;
          filled = 0;
        }
        if (read.done) return;
      }
    } finally {
      byob.cancel().catch(() => {}); // a consumer that stopped early: the browser stops reading (else a no-op)
    }
  }
  yield* copiedChunks(file, at, end, chunkBytes);
}

/** blobChunks with the stream's default reader: its chunks copied into one buffer. */
async function* copiedChunks(file, start, end, chunkBytes) {
  const reader = file.slice(start, end).stream().getReader();
  try {
    const slice = new Uint8Array(chunkBytes);
    let filled = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let at = 0; at < value.length;) {
        const take = Math.min(value.length - at, chunkBytes - filled);
        slice.set(value.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === chunkBytes) {
          yield slice;
          filled = 0;
        }
      }
    }
    if (filled > 0) yield slice.subarray(0, filled);
  } finally {
    reader.cancel().catch(() => {});
  }
}

function fileSource(reader, file) {
  return {
    size: file.size,
    read: (start, end) => new Uint8Array(reader.readAsArrayBuffer(file.slice(start, end))),
    chunks: (start, end, chunkBytes) => blobChunks(file, start, end, chunkBytes),
  };
}

/**
 * Helper worker side: answers the engine worker's tasks on `port`, and its requests to end the part being
 * read earlier ({id, shorten}: parallel_read.mjs step 2c; they come in between the part's slices). The
 * port's first message is {module}: the engine worker's compiled module, which `instantiate(module)` turns
 * into the engine; when it is null (the module could not be posted), `engine()` loads one of its own. Once
 * the engine is there before the first task, `idle(module, busy)` runs until busy() (a task came): helpers
 * started ahead of a run are posted the module before it (web/worker.js), and the run's own get it while
 * the engine worker reads the head.
 */
export function serveHelper(port, instantiate, engine, idle) {
  let ready = null;
  const control = helperControl();
  const rowsBefore = new Map(); // file name → rows of this helper's earlier tasks on it (a second task)
  let shared = false; // instantiated from the engine worker's module
  // Busy from the first task on, for good: a task over within one turn must not let the touch go on
  // over what it left allocated (parallel_read.mjs runTask may return before it yields).
  let tasked = false;
  const busy = () => tasked;
  const load = (make) => {
    ready = make();
    ready.then((module) => busy() || idle?.(module, busy), () => {}); // (a failure: reported by the task)
  };
  // A page opened from disk (file://): Chromium posts the module but the helper cannot receive it (a
  // messageerror); the helper then unpacks and compiles its own.
  port.onmessageerror = () => {
    if (!ready) load(engine);
  };
  port.onmessage = async ({ data }) => {
    if ('module' in data) {
      shared = Boolean(data.module);
      load(shared ? () => instantiate(data.module) : engine);
      return;
    }
    const { id, task } = data;
    if (data.shorten) {
      try {
        port.postMessage({ id, result: control.answer(data.shorten) });
      } catch (error) {
        port.postMessage({ id, error: String(error?.message || error) });
      }
      return;
    }
    control.tasks += 1; // (before the engine is awaited: a request that comes meanwhile is answered "later")
    tasked = true;
    try {
      const module = await (ready ?? engine());
      const before = rowsBefore.get(task.name) ?? 0;
      // To the page, every PROGRESS_MS at most (a slice is 1 MiB), and what is left once the part is read.
      let unposted = 0;
      let lastPost = 0;
      const post = (rows) => {
        postMessage({ type: 'helper-progress', file: task.name, bytes: unposted, rows: before + rows });
        unposted = 0;
        lastPost = performance.now();
      };
      const onBytes = (bytes, rows) => {
        unposted += bytes;
        if (performance.now() - lastPost > PROGRESS_MS) post(rows);
      };
      const result = { ...await runTask(module, fileSource(new FileReaderSync(), task.input), task, onBytes, control), sharedModule: shared };
      post(result.rows);
      rowsBefore.set(task.name, before + result.rows);
      port.postMessage({ id, result }, result.state ? [result.state.buffer] : []);
    } catch (error) {
      port.postMessage({ id, error: String(error?.message || error) });
    } finally {
      control.tasks -= 1;
    }
  };
}

/** Engine worker side: posts the compiled `module` to each helper (first message on its port). */
export function shareModule(ports, module) {
  for (const port of ports) {
    try {
      port.postMessage({ module });
    } catch {
      port.postMessage({ module: null }); // not cloneable here: the helper loads its own
    }
  }
}

/**
 * Engine worker side: reads `file` into `dataset` (beginFile called) with itself and the helpers behind
 * `ports`; resolves to readFileInParts' result. `onBytes(bytes)`: this worker's progress (the head and its
 * own part, read into `dataset`, and the ends of helpers' parts it takes over); the helpers report theirs to
 * the page. `onAlone()`: from now on this worker reads the rest alone (readFileInParts), so the page must stop
 * adding the helpers' progress on it.
 */
export function readInParts({ module, dataset, file, name, config, ports, chunkBytes, onBytes, onAlone }) {
  const pending = new Map();
  let nextId = 1;
  const helpers = ports.map((port) => {
    port.onmessage = ({ data }) => {
      const waiting = pending.get(data.id);
      pending.delete(data.id);
      if (data.error) waiting.reject(new Error(data.error));
      else waiting.resolve(data.result);
    };
    const ask = (message) => new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      port.postMessage({ id, ...message });
    });
    return { run: (task) => ask({ task }), shorten: (request) => ask({ shorten: request }) };
  });
  return readFileInParts({
    module, dataset, source: fileSource(new FileReaderSync(), file), input: file, name, config, helpers, chunkBytes,
    headBytes: HEAD_BYTES, onBytes, onAlone,
  });
}

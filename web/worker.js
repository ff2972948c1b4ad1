// worker.js: owns the wasm module. Reads each File in slices (1 MiB: engine_client.js, from a Blob stream:
// parallel_read.js blobChunks), copies a slice once into the engine's chunk buffer and makes one pushChunk
// call per MiB. The built worker is kpilens.web.js (which defines createKpilens) + the LZMA-packed wasm
// as base64 (KPILENS_WASM_LZMA_BASE64) + this file bundled with what it imports, started from a Blob URL.
// Each slice is its own task, so terminate() stops it between slices instead of waiting for one long task
// to end. The page starts the worker when it opens ('load' message): the module is unpacked, compiled,
// instantiated and warmed up before the user drops a file.
/* global createKpilens, FileReaderSync, KPILENS_WASM_LZMA_BASE64, KPILENS_LZMA_DECODER_BASE64 */
import { lzmaDecode } from './lzma_decode.js';
import { MIN_PARALLEL_BYTES, PROGRESS_MS, blobChunks, readInParts, serveHelper, shareModule } from './parallel_read.js';
import { instantiateCompiled } from '../wasm/bindings/compiled_module.mjs';
import { inReadOrder } from '../wasm/bindings/read_order.mjs';
import { nextTurn, pushBytes } from '../wasm/bindings/parallel_read.mjs';

// performance.mark('kpilens:…') milestones (unpack, unpacked, compiled, instantiated, warm-up, warmed-up,
// touched, run, read, report) show in a Chromium trace of the worker and in its performance timeline.
let enginePromise = null;
let compiledPromise = null; // the compiled WebAssembly.Module, posted to helper workers
const PROBE_BYTES = 64 << 10;

// The module ships LZMA-packed (page weight); web/lzma_decode.js unpacks it without a network request,
// with the small wasm decoder (web/lzma_decode.c) that travels beside it.
// Uint8Array.fromBase64 where the browser has it (Debian's Chromium 156 here does; older browsers take
// the fallback, whose loop over ~230 K characters runs as cold, interpreted JavaScript).
function base64Bytes(base64) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(base64);
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return bytes;
}

async function wasmBytes() {
  performance.mark('kpilens:unpack');
  return lzmaDecode(base64Bytes(KPILENS_LZMA_DECODER_BASE64), base64Bytes(KPILENS_WASM_LZMA_BASE64));
}

function engine() {
  if (!enginePromise) {
    compiledPromise = wasmBytes().then((bytes) => {
      performance.mark('kpilens:unpacked');
      return WebAssembly.compile(bytes);
    });
    enginePromise = compiledPromise.then((compiled) => {
      performance.mark('kpilens:compiled');
      return instantiateCompiled(createKpilens, compiled);
    }).then((module) => {
      performance.mark('kpilens:instantiated');
      return module;
    });
  }
  return enginePromise;
}

// V8 runs new wasm code from its baseline compiler (Liftoff) and compiles a function with its optimising
// compiler (TurboFan, in the background) only once the function is hot, so the first pass over a file is
// the slow one: 2–3× the time of later passes over a 10 MB export, measured in Node and in Chromium
// (scripts/bench --first-kpis). An engine pass over a small made-up export when the worker starts, before
// any file comes, leaves the hot functions optimised for the user's first file. The rows only need the
// usual shape (timestamps, status, channel, agent, scores); ~0.65 MB: 840 rows (the period of their
// day, hour and minute cycles) made once and repeated 7 times, because making each of 6,000 rows ran as
// cold JavaScript on the worker (45-120 ms in Chromium under load) and delayed the warm-up itself.
const WARM_UP_BLOCK_ROWS = 840;
const WARM_UP_BLOCKS = 7;
let runRequested = false; // a file came before the module was ready: its own run is the warm-up

function warmUpCsv() {
  const pad = (n) => String(n).padStart(2, '0');
  const encoder = new TextEncoder();
  const header = encoder.encode('Id,Created at,First reply at,Solved at,Status,Via,Assignee,Group,Priority,Replies,' +
    'Reopens,Satisfaction Score,NPS,Comment\n');
  const lines = [];
  for (let i = 0; i < WARM_UP_BLOCK_ROWS; i += 1) {
    const day = `2024-01-${pad(1 + (i % 28))}`;
    const hour = pad(i % 24);
    const minute = pad((i * 7) % 60);
    lines.push(`${i},${day} ${hour}:${minute}:00,${day} ${hour}:${minute}:${pad(i % 60)},${day} 23:${minute}:00,` +
      `${i % 7 ? 'Solved' : 'Open'},${['email', 'chat', 'phone'][i % 3]},Agent ${i % 13},Team ${i % 4},normal,` +
      `${1 + (i % 3)},${i % 11 ? 0 : 1},${i % 3 ? '' : 1 + (i % 5)},${i % 4 ? '' : i % 11},${i % 5 ? '' : '"Fine, thanks"'}\n`);
  }
  const block = encoder.encode(lines.join(''));
  const bytes = new Uint8Array(header.length + block.length * WARM_UP_BLOCKS);
  bytes.set(header);
  for (let b = 0; b < WARM_UP_BLOCKS; b += 1) bytes.set(block, header.length + b * block.length);
  return bytes;
}

// The warm-up goes in small slices, each its own task: a file that comes meanwhile waits for one slice,
// not for the whole warm-up (~0.2–0.3 s on cold code in Chromium under load, when a file given at the
// page's load event waited for all of it), and the warm-up stops there; the run itself compiles and
// tiers up what is still cold.
const WARM_UP_SLICE_BYTES = 64 << 10;

async function warmUp(module) {
  if (runRequested) return;
  performance.mark('kpilens:warm-up');
  const bytes = warmUpCsv();
  const dataset = new module.Dataset(JSON.stringify({ grain: 'week', by_if_mapped: ['channel', 'agent', 'team', 'priority'] }));
  try {
    dataset.beginFile('warm-up.csv');
    for (let offset = 0; offset < bytes.length; offset += WARM_UP_SLICE_BYTES) {
      if (runRequested) return;
      pushBytes(module, dataset, bytes.subarray(offset, offset + WARM_UP_SLICE_BYTES)); // one push
      await nextTurn();
    }
    if (runRequested) return;
    dataset.endFile();
    dataset.report();
    performance.mark('kpilens:warmed-up');
    postMessage({ type: 'warm' }); // the page may start helpers now (engine_client.js)
  } finally {
    dataset.delete();
  }
  await touchMemory(module, () => runRequested);
}

// While the page is idle, the module's memory above the heap's top (nothing lives there: the static data
// and the stack lie below the heap, and every allocation comes from below sbrk(0)) is touched once, 1 MiB a
// task, up to the memory's size (the warm-up does not grow it: 32 MiB), until `busy()`: a file came (the
// engine worker), or a task (a helper). A page's first touch is a page fault (~14 µs on the benchmark's
// VM), which a run would otherwise take inside its own time. The mark's detail: where the touch began.
async function touchMemory(module, busy) {
  const from = module.heapTop();
  for (let at = from; at < module.HEAPU8.length && !busy(); at += 1 << 20) {
    module.HEAPU8.fill(0, at, at + (1 << 20));
    await nextTurn();
  }
  if (!busy()) performance.mark('kpilens:touched', { detail: from });
}

// A helper's state (parallel_read.mjs takePartState) goes into Module.partSpare when it fits
// (wasm/bindings/api.cpp kpilens_state_piece): a buffer the helper makes and touches while idle, once
// its module's memory is touched. The page's own config on scripts/bench's 142 MB file gave a helper's
// half a state of 8.7–9.0 MB (in Node), which a fresh buffer took as ~2,200 page faults at the end of
// its part, while the engine worker waited for it.
const HELPER_SPARE_BYTES = 12 << 20;

async function helperIdle(module, busy) {
  await touchMemory(module, busy);
  if (busy()) return;
  const spare = new Uint8Array(HELPER_SPARE_BYTES);
  module.partSpare = spare.buffer; // (detached once a state in it is sent: a later state gets a new one)
  for (let at = 0; at < spare.length && !busy(); at += 1 << 20) {
    spare.fill(0, at, at + (1 << 20));
    await nextTurn();
  }
  if (!busy()) performance.mark('kpilens:spare', { detail: spare.length });
}

// The ports of the helpers the page started ahead of a run (engine_client.js prepareHelpers), and the
// promise that this worker's compiled module was posted on them; a run that says `standby` reads with them.
let standby = { ports: [], shared: null };

// A file is read in `chunkBytes` slices and given to the engine 1 MiB at a time (pushBytes,
// parallel_read.mjs). Small pushes also let V8's optimised code in early: V8 replaces a wasm function by
// its optimised code at the function's next call, never in the middle of one (no on-stack replacement for
// wasm), and the engine's reading loop runs once per push. An 8 MiB first push ran on baseline code from
// start to end when the module was still cold (a file given at the page's load event: 0.30–0.37 s for the
// first 8 MiB, against 0.10–0.15 s once warm).
async function run(message) {
  const { id, files, names, config, chunkBytes } = message;
  performance.mark('kpilens:run');
  // The helpers (parallel_read.js): the ones started ahead, given the module already, or the run's own.
  const ports = message.standby ? standby.ports : message.ports ?? [];
  const shared = message.standby ? standby.shared : null;
  if (message.standby) standby = { ports: [], shared: null };
  const module = await engine();
  if (shared) await shared;
  else if (ports.length > 0) shareModule(ports, await compiledPromise); // helpers start while this one probes
  {
    const dataset = new module.Dataset(JSON.stringify(config));
    try {
      const configErrors = JSON.parse(dataset.configErrors());
      if (configErrors.length > 0) {
        postMessage({ type: 'error', id, message: configErrors.join('; ') });
        return;
      }
      const reader = new FileReaderSync();
      const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
      let doneBytes = 0;
      let lastPost = 0;
      // The file whose parts the helpers are reading: the page adds their progress on it to this worker's.
      // null when they are not (no helpers, another file, or this worker dropped their parts and reads their
      // bytes itself); a file's helpers' bytes count here once it is done.
      let helpersFile = null;
      // Survey answers first (they wait for their tickets), then customer-success files, then tickets
      // (wasm/bindings/read_order.mjs): the engine says which is which from each file's first 64 KiB
      // (copied in once, one call per file).
      const inputs = files.map((file, index) => ({ file, name: names?.[index] ?? file.name }));
      const kindOf = (input) => {
        if (files.length < 2) return 'tickets'; // one file: nothing to order
        const bytes = new Uint8Array(reader.readAsArrayBuffer(input.file.slice(0, PROBE_BYTES)));
        const address = dataset.chunkBuffer(bytes.length);
        module.HEAPU8.set(bytes, address);
        return JSON.parse(dataset.probeChunk(input.name, bytes.length)).kind;
      };
      const kinds = inputs.map(kindOf);
      const ordered = inReadOrder(inputs, (_, i) => kinds[i]);
      const progress = (bytes) => {
        doneBytes += bytes;
        const now = performance.now();
        if (now - lastPost > PROGRESS_MS || doneBytes === totalBytes) {
          lastPost = now;
          postMessage({ type: 'progress', id, bytes: doneBytes, totalBytes, rows: dataset.rowsRead(), helpersFile });
        }
      };
      for (const { file, name } of ordered) {
        dataset.beginFile(name); // the page's names are unique within a dataset
        if (ports.length > 0 && file.size >= MIN_PARALLEL_BYTES) {
          const bytesBefore = doneBytes;
          helpersFile = name;
          const got = await readInParts({
            module, dataset, file, name, config: JSON.stringify(config), ports, chunkBytes, onBytes: progress,
            onAlone: (why) => {
              helpersFile = null;
              // The page's progress holds still until this worker passes what the helpers had read: it says why.
              postMessage({ type: 'notice', id, text: `${name}: read by one worker (${why})` });
            },
          });
          // The parts could not give the sequential report: the whole run again, in this worker alone.
          if (got.restart) {
            console.info(`kpilens: ${name}: read again by one worker (${got.restart})`);
            postMessage({ type: 'notice', id, text: `${name}: every file read again by one worker (${got.restart})` });
            return run({ ...message, ports: [], standby: false });
          }
          // Done, whoever read which part: the whole file counts here (its rows are this dataset's once merged).
          helpersFile = null;
          lastPost = 0;
          progress(bytesBefore + file.size - doneBytes);
          console.info(`kpilens: ${name}: ${got.parts} part(s)${got.fallback ? `, read by one worker (${got.fallback})` : ''}` +
            `${got.rebalanced ? `, ${got.rebalanced} bytes of this worker's part handed over` : ''}` +
            `${got.tookOver ? `, ${got.tookOver} bytes of helpers' parts taken over` : ''}` +
            `${got.passedOn ? `, ${got.passedOn} bytes passed on between helpers` : ''}` +
            `${got.sharedModule ? `, ${got.sharedModule} helper(s) on this worker's compiled module` : ''}`);
          dataset.endFile();
          continue;
        }
        for await (const bytes of blobChunks(file, 0, file.size, chunkBytes)) {
          pushBytes(module, dataset, bytes);
          await nextTurn();
          progress(bytes.length);
        }
        dataset.endFile();
      }
      performance.mark('kpilens:read');
      const json = dataset.report();
      performance.mark('kpilens:report');
      // The health list's "All scores (CSV)" asks for every scored customer (the report lists the lowest).
      const healthCsv = message.healthCsv && typeof dataset.healthCsv === 'function' ? dataset.healthCsv() : undefined;
      // The module's memory never shrinks: its size now is the peak of this worker's warm-up and runs, and
      // the heap's top the most of it used (scripts/bench reports both).
      postMessage({
        type: 'report', id, json, healthCsv, wasmMemoryBytes: module.HEAPU8.buffer.byteLength, heapTopBytes: module.heapTop(),
      });
    } finally {
      dataset.delete();
    }
  }
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'load') {
    // Compile, instantiate and warm up before any file comes; a failure is reported by the run that needs
    // the module.
    engine().then(warmUp).catch(() => {});
    return;
  }
  if (message.type === 'helper') {
    // A helper reads parts for an engine worker (parallel_read.js), with the engine worker's module, whose
    // memory it touches until its first task comes when it has the module before it (started ahead; or
    // with the run, while the engine worker reads the head).
    serveHelper(message.port, (compiled) => instantiateCompiled(createKpilens, compiled), engine, helperIdle);
    return;
  }
  if (message.type === 'helpers') {
    // Helpers started ahead of a run (engine_client.js): the module goes to them now, while the page is idle.
    standby = { ports: message.ports, shared: engine().then(() => compiledPromise).then((compiled) => shareModule(message.ports, compiled)) };
    standby.shared.catch(() => {}); // (the engine failed to load: the run that takes them reports it)
    return;
  }
  if (message.type !== 'run') return;
  runRequested = true;
  run(message).catch((error) => {
    postMessage({ type: 'error', id: message.id, message: String(error?.message || error) });
  });
};

// engine_start.js: the page's first script, in <head> (its own classic script, before the page's app.js):
// starts the engine worker (worker.js, from a Blob URL) and has it unpack, compile and warm up the wasm
// module while the browser is still fetching, parsing and running the page's own script (~0.13-0.18 s of
// app.js with ECharts in Chromium under load, measured from app.js's arrival to the worker's start). A file
// given at the page's load event then finds the module ready, or nearly (scripts/bench --first-kpis).
// engine_client.js adopts this worker (kpilensEngineStart); the worker source is injected by the build.
/* global __KPILENS_WORKER_SOURCE__ */

const url = URL.createObjectURL(new Blob([__KPILENS_WORKER_SOURCE__], { type: 'text/javascript' }));
const start = { url, worker: null, error: null };
try {
  start.worker = new Worker(url);
  // Until engine_client.js takes the worker over: an error (a worker that could not start) is kept, and
  // engine_client.js starts another worker then.
  start.worker.onerror = (event) => {
    event.preventDefault();
    start.error = event.message || 'the engine stopped unexpectedly';
  };
  // The worker's 'warm' (web/worker.js), should it come before engine_client.js takes the worker over:
  // with no listener yet it would be lost, and the helpers a large drop takes not started ahead.
  start.worker.onmessage = (event) => {
    start.warm = event.data.type === 'warm';
  };
  start.worker.postMessage({ type: 'load' });
} catch (error) {
  start.error = String(error?.message ?? error);
}
globalThis.kpilensEngineStart = start;

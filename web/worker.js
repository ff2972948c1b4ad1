// worker.js: owns the wasm module. Reads each File in slices (8 MiB by default, FileReaderSync),
// copies a slice once into the engine's chunk buffer and makes one pushChunk call per slice. The built
// worker is this file appended to kpilens.web.js (which defines createKpilens), started from a Blob URL.
/* global createKpilens, FileReaderSync */
'use strict';

let enginePromise = null;

function engine() {
  if (!enginePromise) enginePromise = createKpilens();
  return enginePromise;
}

function run(message) {
  const { id, files, config, chunkBytes } = message;
  return engine().then((module) => {
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
      for (const file of files) {
        dataset.beginFile(file.name);
        for (let offset = 0; offset < file.size; offset += chunkBytes) {
          const end = Math.min(offset + chunkBytes, file.size);
          const bytes = new Uint8Array(reader.readAsArrayBuffer(file.slice(offset, end)));
          const address = dataset.chunkBuffer(bytes.length);
          module.HEAPU8.set(bytes, address); // HEAPU8 re-read after chunkBuffer: memory may grow
          dataset.pushChunk(bytes.length);
          doneBytes += bytes.length;
          const now = performance.now();
          if (now - lastPost > 50 || doneBytes === totalBytes) {
            lastPost = now;
            postMessage({ type: 'progress', id, bytes: doneBytes, totalBytes, rows: dataset.rowsRead() });
          }
        }
        dataset.endFile();
      }
      const json = dataset.report();
      postMessage({ type: 'report', id, json });
    } finally {
      dataset.delete();
    }
  });
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type !== 'run') return;
  run(message).catch((error) => {
    postMessage({ type: 'error', id: message.id, message: String(error && error.message ? error.message : error) });
  });
};

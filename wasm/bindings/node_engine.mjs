// node_engine: drives the wasm module from Node the way the page's worker does — files read in slices,
// each slice copied once into the module's chunk buffer, one pushChunk call per slice.
import { createRequire } from 'node:module';
import { openSync, readSync, closeSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const defaultModulePath = fileURLToPath(new URL('../../build/wasm/kpilens.node.cjs', import.meta.url));

let modulePromise = null;
const PROBE_BYTES = 64 << 10;

/** What a file's first bytes say it is: {format, encoding, kind, preset, columns, error}. */
export function probe(engine, dataset, name, bytes) {
  const address = dataset.chunkBuffer(bytes.length);
  engine.HEAPU8.set(bytes, address);
  return JSON.parse(dataset.probeChunk(name, bytes.length));
}

/** Loads (once) the Node build of the wasm module. */
export function loadEngine(modulePath = defaultModulePath) {
  if (!modulePromise) modulePromise = require(modulePath)();
  return modulePromise;
}

/**
 * Runs the engine over files and returns the report JSON text.
 * @param {string[]} paths files to read, in order
 * @param {object|string} config the engine config (object or JSON text)
 * @param {{chunkBytes?: number, names?: string[], healthCsv?: boolean}} options with `healthCsv`, returns
 *   `{report, healthCsv}` (the report JSON text and Dataset.healthCsv())
 */
export async function reportFromFiles(paths, config = {}, options = {}) {
  const engine = await loadEngine();
  const chunkBytes = options.chunkBytes ?? 8 << 20;
  const dataset = new engine.Dataset(typeof config === 'string' ? config : JSON.stringify(config));
  try {
    const slice = Buffer.allocUnsafe(Math.max(chunkBytes, PROBE_BYTES));
    const inputs = paths.map((path, index) => ({ path, name: options.names?.[index] ?? basename(path) }));
    // Survey answers first, so they can wait for their tickets (the engine's kind, not ours). The
    // customer-success kinds keep their order: no figure depends on it.
    const kinds = new Map(inputs.map((input) => {
      const fd = openSync(input.path, 'r');
      try {
        const got = readSync(fd, slice, 0, PROBE_BYTES, 0);
        return [input, probe(engine, dataset, input.name, slice.subarray(0, got)).kind];
      } finally {
        closeSync(fd);
      }
    }));
    const ordered = [...inputs.filter((i) => kinds.get(i) === 'survey'), ...inputs.filter((i) => kinds.get(i) !== 'survey')];
    ordered.forEach(({ path, name }) => {
      dataset.beginFile(name);
      const fd = openSync(path, 'r');
      try {
        for (;;) {
          const got = readSync(fd, slice, 0, chunkBytes, null);
          if (got === 0) break;
          const address = dataset.chunkBuffer(got);
          engine.HEAPU8.set(slice.subarray(0, got), address);
          dataset.pushChunk(got);
        }
      } finally {
        closeSync(fd);
      }
      dataset.endFile();
    });
    const report = dataset.report();
    return options.healthCsv ? { report, healthCsv: dataset.healthCsv() } : report;
  } finally {
    dataset.delete();
  }
}

/** Runs the engine over in-memory inputs: [{name, bytes: Uint8Array|string}]. */
export async function reportFromBuffers(inputs, config = {}, options = {}) {
  const engine = await loadEngine();
  const chunkBytes = options.chunkBytes ?? 8 << 20;
  const dataset = new engine.Dataset(typeof config === 'string' ? config : JSON.stringify(config));
  try {
    const buffers = inputs.map((input) => ({
      name: input.name,
      bytes: typeof input.bytes === 'string' ? Buffer.from(input.bytes, 'utf8') : input.bytes,
    }));
    const survey = buffers.map((b) => probe(engine, dataset, b.name, b.bytes.subarray(0, PROBE_BYTES)).kind === 'survey');
    const ordered = [...buffers.filter((_, i) => survey[i]), ...buffers.filter((_, i) => !survey[i])];
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

// parallel_read: one ticket file read by several workers at once, the same way in Node (worker_threads,
// node_engine.mjs) and in the page (Web Workers, web/worker.js). docs/architecture.md "Parallel reading".
//
//   1. The head: the merging worker counts quotes from the file's start up to `headBytes` (so the quote
//      state there is exact), takes the first record start after it, and feeds [0, head) to its dataset.
//      The engine then says whether the file can be split at all (Dataset.partRefusal()).
//   2. The pre-pass: the rest is cut into N equal byte ranges; each reader counts its range's quotes and
//      line breaks (in parallel). Summed in order, they give each range start's quote state and line.
//   3. The parts: reader i replays the head (so its dataset knows the header, delimiter, date order and
//      encoding as a sequential reader would), then reads from the first record start of its range to the
//      first record start of the next range, and returns its state bytes.
//   4. The merge, in file order (Dataset.mergePart). "sequential": the parts cannot give the sequential
//      report (the caller starts over, sequentially).
//
// A `source` is {size, read(start, end) → Uint8Array} (synchronous: FileReaderSync in a worker, readSync
// in Node). A reader is {run(task) → Promise of runTask's result}; tasks are plain objects that a worker
// can receive, with `input` (a File, or a path) which the reader's openSource turns into a source.

const SEARCH_BYTES = 64 << 10; // read while looking for a record start (usually a few bytes in)

function copyIn(module, dataset, bytes) {
  module.HEAPU8.set(bytes, dataset.chunkBuffer(bytes.length)); // HEAPU8 read after chunkBuffer
}

function byteBefore(source, at) {
  return at === 0 ? 0 : source.read(at - 1, at)[0];
}

/** Quote parity and line breaks of the bytes [start, end): {odd: 0|1, lines}. */
export function countRange(module, dataset, source, start, end, chunkBytes, onBytes) {
  let previous = byteBefore(source, start);
  let odd = 0;
  let lines = 0;
  for (let at = start; at < end;) {
    const bytes = source.read(at, Math.min(end, at + chunkBytes));
    if (bytes.length === 0) break;
    copyIn(module, dataset, bytes);
    const v = dataset.countChunk(bytes.length, previous);
    lines += Math.floor(v / 2);
    odd ^= v % 2;
    previous = bytes[bytes.length - 1];
    at += bytes.length;
    onBytes?.(bytes.length);
  }
  return { odd, lines };
}

/** The first record start at or after `from.at`, given the quote state and line there: {offset, line}. */
export function recordStartFrom(module, dataset, source, from) {
  let previous = byteBefore(source, from.at);
  let quoted = from.inQuotes;
  let line = from.line;
  for (let at = from.at; at < source.size;) {
    const bytes = source.read(at, Math.min(source.size, at + SEARCH_BYTES));
    if (bytes.length === 0) break;
    copyIn(module, dataset, bytes);
    const found = dataset.recordStart(bytes.length, quoted, previous);
    if (found >= 0) {
      line += Math.floor(dataset.countChunk(found, previous) / 2);
      return { offset: at + found, line };
    }
    const v = dataset.countChunk(bytes.length, previous);
    line += Math.floor(v / 2);
    quoted = quoted !== (v % 2 === 1);
    previous = bytes[bytes.length - 1];
    at += bytes.length;
  }
  return { offset: source.size, line };
}

/** Feeds the bytes [start, end) to the dataset, one pushChunk per slice; onBytes(bytes, rows read so far). */
export function feedRange(module, dataset, source, start, end, chunkBytes, onBytes) {
  for (let at = start; at < end;) {
    const bytes = source.read(at, Math.min(end, at + chunkBytes));
    if (bytes.length === 0) break;
    copyIn(module, dataset, bytes);
    dataset.pushChunk(bytes.length);
    at += bytes.length;
    onBytes?.(bytes.length, dataset.rowsRead());
  }
}

/**
 * A reader's task. 'count': {odd, lines} of [start, end). 'part': replays the head [0, headEnd), reads
 * from the record start at/after `start` to the one at/after `end` (the file's end when null):
 * {state: Uint8Array|null (no record starts in the range), rows}. `scratch`: a Dataset for counting.
 */
export function runTask(module, scratch, source, task, onBytes) {
  if (task.kind === 'count') {
    return countRange(module, scratch, source, task.start, task.end, task.chunkBytes);
  }
  const dataset = new module.Dataset(task.config);
  try {
    dataset.beginFile(task.name);
    feedRange(module, dataset, source, 0, task.headEnd, task.chunkBytes);
    const from = recordStartFrom(module, dataset, source, task.start);
    const to = task.end ? recordStartFrom(module, dataset, source, task.end).offset : source.size;
    if (from.offset >= to) return { state: null, rows: 0 };
    if (!dataset.beginPart(from.offset, from.line)) throw new Error(`kpilens: part refused: ${dataset.partRefusal()}`);
    feedRange(module, dataset, source, from.offset, to, task.chunkBytes, onBytes);
    return { state: dataset.savePart(to === source.size).slice(), rows: dataset.rowsRead() };
  } finally {
    dataset.delete();
  }
}

/**
 * Reads one file into `dataset` (beginFile already called; the caller calls endFile): in parts when it can,
 * else sequentially. Returns {parts, fallback: why it was read sequentially | null, restart: why the whole
 * dataset must be read again sequentially | null, prepassMs, readMs, mergeMs}.
 */
export async function readFileInParts({ module, dataset, source, input, name, config, readers, chunkBytes, headBytes, onBytes }) {
  const result = { parts: 1, fallback: null, restart: null, prepassMs: 0, readMs: 0, mergeMs: 0 };
  const size = source.size;
  const t0 = performance.now();
  // The head: from the file's start the quote state is known, so its end is an exact record start.
  const headTarget = Math.min(headBytes, size);
  const before = countRange(module, dataset, source, 0, headTarget, chunkBytes);
  const head = recordStartFrom(module, dataset, source, { at: headTarget, inQuotes: before.odd === 1, line: 1 + before.lines });
  feedRange(module, dataset, source, 0, head.offset, chunkBytes, onBytes);
  const refusal = readers.length < 2 ? 'one worker' : head.offset >= size ? 'the head is the whole file' : dataset.partRefusal();
  if (refusal) {
    result.fallback = refusal;
    feedRange(module, dataset, source, head.offset, size, chunkBytes, onBytes);
    return result;
  }
  const n = readers.length;
  const bounds = [];
  for (let i = 0; i <= n; i += 1) bounds.push(head.offset + Math.floor(((size - head.offset) * i) / n));
  const counts = await Promise.all(readers.map((reader, i) => reader.run({ kind: 'count', input, start: bounds[i], end: bounds[i + 1], chunkBytes })));
  const starts = [{ at: head.offset, inQuotes: false, line: head.line }];
  for (let i = 0; i < n; i += 1) {
    starts.push({ at: bounds[i + 1], inQuotes: starts[i].inQuotes !== (counts[i].odd === 1), line: starts[i].line + counts[i].lines });
  }
  const t1 = performance.now();
  result.prepassMs = t1 - t0;
  const parts = await Promise.all(readers.map((reader, i) => reader.run({
    kind: 'part', input, name, config, headEnd: head.offset, chunkBytes, start: starts[i], end: i + 1 < n ? starts[i + 1] : null,
  })));
  const t2 = performance.now();
  result.readMs = t2 - t1;
  result.parts = 0;
  for (const part of parts) {
    if (!part.state) continue;
    result.parts += 1;
    copyIn(module, dataset, part.state);
    const merged = JSON.parse(dataset.mergePart(part.state.length));
    if (merged.status === 'corrupt') throw new Error(`kpilens: a part's state was refused: ${merged.why}`);
    if (merged.status === 'sequential') {
      result.restart = merged.why;
      return result;
    }
  }
  result.mergeMs = performance.now() - t2;
  return result;
}

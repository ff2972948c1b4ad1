// parallel_read: one ticket file read by several workers at once, the same way in Node (worker_threads,
// node_engine.mjs) and in the page (Web Workers, web/worker.js). docs/architecture.md "Parallel reading".
//
//   1. The head: the merging worker counts quotes from the file's start up to `headBytes` (so the quote
//      state there is exact), takes the first record start after it, and feeds [0, head) to its dataset.
//      The engine then says whether the file can be split at all (Dataset.partRefusal()).
//   2. The parts: the rest is cut into N byte ranges, one per worker (partCuts: the first a little
//      larger, as the others have more to do than read theirs). The merging worker reads the first
//      itself, straight into its dataset after the head (a sequential reader's next bytes: no state
//      to save, send or merge), up to the first record start at/after the first cut (or an earlier cut, when
//      a helper done first takes over the end of this part as a second task: step 2b). Helper i replays the
//      head (so its dataset knows the header, delimiter, date order and encoding as a sequential reader
//      would: from the head's bytes sent with its task, when the merging worker still holds them), then
//      reads from the first record start at/after its cut to the first one at/after the next cut, and
//      returns its state bytes. No reader knows the quote state at a cut (that would take a pass
//      over every byte before it): the engine guesses the record start there (Dataset.guessRecordStart),
//      the same way for the reader ending at the cut and the one starting there, and lines are counted
//      from 1 in each helper's part.
//   2b. Every 8 MiB of its own part, the merging worker looks whether a helper is done; if one is and at
//      least 4 MiB would move, it cuts the rest where both should end together, stops its part at the
//      record start guessed there, and gives that helper the range from it to the first cut.
//   2c. The other way round: done with its own part, the merging worker asks each helper still reading in
//      turn to give up the end of its part (helper.shorten). A helper that would still read for longer
//      than it takes the merging worker to read that end (by both rates, and the merging worker's cost of
//      a part beside reading) cuts what it has left where both should end together, stops its part at
//      the record start guessed there and answers with the cut; the merging worker then reads from that
//      record start to the helper's old end as a part of its own (runTask, in its thread), and asks again.
//      With three workers or more, a helper done with its task asks the others the same way, through the
//      merging worker, and reads what it is given as its next task.
//   3. The merge, in file order (Dataset.mergePart): the engine checks that each part ended exactly at a
//      record start (the guess for the next one was right) and places each part's lines after the ones
//      before it. When the merging worker's own part did not end at a record start, it reads on alone
//      (its dataset is a sequential reader's so far) and the helpers' parts are dropped. "sequential": a
//      helper's part cannot give the sequential report (the caller starts over, sequentially).
//
// A `source` is {size, read(start, end) → Uint8Array} (synchronous: FileReaderSync in a worker, readSync
// in Node), and may have readInto(start, end, heap, address) → bytes read, which reads straight into the
// module's memory (Node: saves copying every slice once more), and chunks(start, end, chunkBytes) → an
// async iterable of the bytes [start, end) in slices of up to chunkBytes, each valid until the next is
// asked for (the page: a Blob stream, faster than FileReaderSync there). The bulk of the bytes
// (feedRange) goes through chunks when there is one; the small reads around the cuts through read. A
// helper is {run(task) → Promise of runTask's result, shorten(request) → Promise of its helperControl's
// answer}, run by another thread; tasks are plain objects that a worker can receive, with `input` (a File,
// or a path) which the helper's openSource turns into a source.

// The most bytes given to the engine per pushChunk (kFeedBytes in wasm/engine/ticket_dataset.h: the
// chunk buffer stays in the core's cache and a run touches little fresh memory). A source's slices
// (chunkBytes, what is read at a time) are pushed in pieces of at most this.
export const FEED_BYTES = 1 << 20;
const SEARCH_BYTES = 64 << 10; // read while looking for a record start (usually a few bytes in)
const MAX_GUESS_BYTES = 64 << 20; // no record start within this much of a cut: the part before takes it
const MAX_HEAD_BYTES = 32 << 20; // the head grows up to this while the engine says it is too short
// A helper's time beyond reading its part, as a share of that time: saving its state (the exact
// values of its groups, their total) and sending it. Measured 6–8 % with the weekly report and
// with four breakdowns (scripts/bench's file); the merging worker's part is larger by as much.
// Tried again once the state was streamed out (Dataset.savePart) and the merging worker settled
// its total while waiting (prepareMerge): 1/12, 1/8 and 1/6 gave the same 2-thread weekly time
// within noise, and with four breakdowns 1/12 was the fastest by ~5 % (a smaller helper part
// keeps more of its groups under the exact cap: a larger state to merge). With the merging
// worker's buffer for the states also grown while it waits (then: prepareMerge), 0, 1/24 and 1/12
// gave the same times within noise, with and without the breakdowns; with the states merged from JS
// memory (Dataset.mergePart), 0 and 1/12 gave the same, −1/24 and −1/12 3–4 % more (seven
// processes each; at 0 the merging worker waited 6–12 ms for the helper, at 1/12 ~0).
const SAVE_SHARE = 1 / 12;
// The end of the merging worker's part, rebalanced (readFileInParts): how often it looks whether a helper is
// idle (it first lets the event loop turn, so that the helper's answer is in: nextTurn), and the fewest
// bytes worth a second task, or worth taking over the end of a helper's part (below it the task's fixed
// costs — the head replayed, two guesses, a state saved and merged — would eat what it saves).
const BALANCE_STEP_BYTES = 8 << 20;
const MIN_STOLEN_BYTES = 4 << 20;
// How often a helper reading a part lets its event loop turn (nextTurn), so that the merging worker's
// request to end the part earlier (step 2c) is answered.
const HELPER_TURN_BYTES = 2 << 20;
// How long the merging worker waits before it asks again a helper that has a part to read but has not read
// any of it yet (its engine still compiling, the head being replayed): its rate is not known until then.
const ASK_AGAIN_MS = 4;

/**
 * A helper thread's side of the requests to end its part earlier (step 2c): {shorten: set by runTask while
 * it reads a part, tasks: how many tasks it holds (taken, not yet answered), answer(request)}. answer() is
 * shortenPart's answer while a part is being read; {later: true} while the helper holds a task but reads no
 * part yet (its engine may still be compiling: the request came first); else null (no part: nothing to give).
 */
export function helperControl() {
  return {
    shorten: null,
    tasks: 0,
    answer(request) {
      return this.shorten ? this.shorten(request) : this.tasks > 0 ? { later: true } : null;
    },
  };
}

/**
 * Where the parts after the head [0, head) start, and the file's size: n + 1 offsets. Each helper
 * also replays the head and saves its state, so the merging worker's part (the first) is larger by
 * the head's bytes and `share` of a helper's part: all parts then end at about the same time.
 */
export function partCuts(head, size, n, share = SAVE_SHARE) {
  const helperPart = Math.max(0, size - 2 * head) / (n + share);
  const cuts = [head];
  for (let i = 1; i < n; i += 1) cuts.push(size - Math.floor(helperPart * (n - i)));
  cuts.push(size);
  return cuts;
}

function copyIn(module, dataset, bytes) {
  // HEAPU8 read after chunkBuffer, which may grow the memory (and detach the view it had): in
  // `module.HEAPU8.set(bytes, dataset.chunkBuffer(n))` the view would be read first.
  const address = dataset.chunkBuffer(bytes.length);
  module.HEAPU8.set(bytes, address);
}

/** Puts the bytes [start, end) into the dataset's chunk buffer; returns how many there were. */
function readIn(module, dataset, source, start, end) {
  if (source.readInto) {
    const address = dataset.chunkBuffer(end - start);
    return source.readInto(start, end, module.HEAPU8, address); // HEAPU8 read after chunkBuffer
  }
  const bytes = source.read(start, end);
  copyIn(module, dataset, bytes);
  return bytes.length;
}

/**
 * `source` with its bytes [0, prefix.length) served from `prefix`, read once: the head is counted, searched
 * for a record start and fed from memory. In the page each read is a request to the browser (a
 * FileReaderSync call, or a stream): reading the head three times (its quote count, the search, the feed)
 * took 60–77 ms of a 142 MB file's run before any part started, once 37–72 ms, against 7–18 ms in Node.
 */
function withPrefix(source, prefix) {
  const inside = (end) => end <= prefix.length;
  const wrapped = {
    size: source.size,
    read: (start, end) => (inside(end) ? prefix.subarray(start, end) : source.read(start, end)),
  };
  if (source.readInto) {
    wrapped.readInto = (start, end, heap, address) => {
      if (!inside(end)) return source.readInto(start, end, heap, address);
      heap.set(prefix.subarray(start, end), address);
      return end - start;
    };
  }
  if (source.chunks) {
    wrapped.chunks = (start, end, chunkBytes) => (inside(end) ? slicesOf(prefix.subarray(start, end), chunkBytes) : source.chunks(start, end, chunkBytes));
  }
  return wrapped;
}

// Buffers the head was read into, kept for this thread's next runs: a new one each run would be fresh
// memory, a page fault per 4 KiB (~14 µs each on the benchmark's VM: ~1 ms for a 320 KB head, and as much
// again for the copy it used to be made into). A run takes one and gives it back once done with the head
// (two runs at once on one thread take two; a run that throws drops its own). One larger than
// KEEP_HEAD_BYTES (a head grown for very wide rows) is not kept.
const spareHeadBuffers = [];
const KEEP_HEAD_BYTES = 1 << 20;

function takeHeadBuffer(length) {
  const spare = spareHeadBuffers.pop();
  return spare && spare.length >= length ? spare : new Uint8Array(length);
}

function keepHeadBuffer(buffer) {
  if (buffer.length <= KEEP_HEAD_BYTES) spareHeadBuffers.push(buffer);
}

/** The source's first `length` bytes, read into `buffer`: the part of it they fill. */
function readHead(source, buffer, length) {
  if (source.readInto) return buffer.subarray(0, source.readInto(0, length, buffer, 0));
  const bytes = source.read(0, length);
  buffer.set(bytes);
  return buffer.subarray(0, bytes.length);
}

async function* slicesOf(bytes, chunkBytes) {
  for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
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

/**
 * The first record start at or after the cut `at` when the quote state there is unknown
 * (Dataset.guessRecordStart over a window that grows until it finds one); the file's size when none.
 * Deterministic: the readers on both sides of a cut find the same offset.
 */
export function guessRecordStart(module, dataset, source, at) {
  for (let window = SEARCH_BYTES; at < source.size && window <= MAX_GUESS_BYTES; window *= 4) {
    const end = Math.min(source.size, at + window);
    // The window and the byte before it (0 at the file's start) in one read: in the page every read is a
    // request to the browser (FileReaderSync), several milliseconds each on the benchmark's machine while
    // the other workers are busy (docs/architecture.md "Parallel reading").
    const read = source.read(Math.max(0, at - 1), end);
    const previous = at > 0 ? read[0] : 0;
    const bytes = at > 0 ? read.subarray(1) : read;
    copyIn(module, dataset, bytes);
    const found = dataset.guessRecordStart(bytes.length, previous);
    if (found >= 0) return at + found;
    if (end >= source.size) break;
  }
  return source.size;
}

/** Feeds `bytes` (a slice read from the file) to the dataset, FEED_BYTES at most per pushChunk. */
export function pushBytes(module, dataset, bytes) {
  for (let at = 0; at < bytes.length; at += FEED_BYTES) {
    const piece = bytes.subarray(at, at + FEED_BYTES);
    copyIn(module, dataset, piece);
    dataset.pushChunk(piece.length);
  }
}

/**
 * Feeds the bytes [start, end) to the dataset, read chunkBytes at a time and pushed FEED_BYTES at most at
 * a time; onBytes(bytes, rows read so far) once per slice read.
 */
export function feedRange(module, dataset, source, start, end, chunkBytes, onBytes) {
  return feedUntil(module, dataset, source, start, { end }, chunkBytes, onBytes, null, Infinity);
}

/**
 * Where the merging worker cuts the rest of its part, [at, end), for a helper that is done: both should end
 * together, (cut − at) / ownRate = overheadMs + (end − cut) / helperRate, rates in bytes a ms; overheadMs is
 * the helper's time beside reading (the head, its guesses, its state). Never before `at`; `end` or past it
 * when the helper would end later whatever it took.
 */
export function handoverCut(at, end, ownRate, helperRate, overheadMs) {
  return Math.max(at, Math.floor((overheadMs + end / helperRate + at / ownRate) / (1 / ownRate + 1 / helperRate)));
}

// Lets the event loop turn, so that a message waiting for this thread is handled (a helper's answer, the
// merging worker's request; also the page's: web/worker.js between two pushes, web/app.js after a frame):
// setImmediate in Node, a message to itself in a worker or a page. Awaiting a Blob stream's
// reads is not enough: in Chromium they settle as microtasks while the stream has bytes queued, and a
// helper asked in the page answered 59 ms later, when its part was nearly read.
export const nextTurn = globalThis.setImmediate
  ? () => new Promise((resolve) => { setImmediate(resolve); })
  : () => new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(0);
  });

/**
 * feedRange with an end that may move back while the bytes are read (the merging worker's own part, a
 * helper's): the bytes from `start` to `bounds.end`, where `await between(at)` (`at`: the bytes fed so far
 * end there, also kept in bounds.at), when given, runs every `stepBytes` or so and may lower bounds.end
 * (never below `at`; so may whatever runs while this awaits); the event loop turns before each call
 * (nextTurn). A source with readInto is read straight into the chunk buffer: a read is a push.
 */
async function feedUntil(module, dataset, source, start, bounds, chunkBytes, onBytes, between, stepBytes) {
  let at = start;
  let step = start + stepBytes;
  if (source.chunks && start < bounds.end) {
    for await (const bytes of source.chunks(start, bounds.end, chunkBytes)) {
      const take = Math.min(bytes.length, bounds.end - at);
      if (take > 0) {
        pushBytes(module, dataset, bytes.subarray(0, take));
        at += take;
        bounds.at = at;
        onBytes?.(take, dataset.rowsRead());
      }
      if (at >= bounds.end) break; // (ends the stream)
      if (between && at >= step) {
        step = at + stepBytes;
        await nextTurn();
        await between(at);
      }
    }
    return;
  }
  const readBytes = Math.min(chunkBytes, FEED_BYTES);
  while (at < bounds.end) {
    const got = readIn(module, dataset, source, at, Math.min(bounds.end, at + readBytes));
    if (got === 0) break;
    dataset.pushChunk(got);
    at += got;
    bounds.at = at;
    onBytes?.(got, dataset.rowsRead());
    if (between && at >= step && at < bounds.end) {
      step = at + stepBytes;
      await nextTurn();
      await between(at);
    }
  }
}

/**
 * The part's state (Dataset.savePart): a Uint8Array of its own, for the merging worker (at the start of
 * the module's partSpare when that is set and large enough: node_part_worker.mjs, web/worker.js helperIdle).
 */
function takePartState(module, dataset, last) {
  const size = dataset.savePart(last);
  const state = module.partState;
  module.partState = null;
  if (!state || state.length !== size) throw new Error(`kpilens: a part's state came out wrong (${state?.length} of ${size} bytes)`);
  return state;
}

/**
 * A helper's task: replays the head [0, headEnd) (from `task.head`, its bytes, when the task has them;
 * else read from the file), reads from the record start guessed at/after `start` (lines counted from 1)
 * to the one at/after `end` (the file's end when null): {from, to, state: Uint8Array|null (no record
 * starts in the range), rows, readMs: reading its bytes, ms: the whole task} (its own clock). While it
 * reads the part, `control.shorten` (when `control` is given) is shortenPart's answer to the merging
 * worker's request (step 2c): the part then ends earlier, and `to` says where.
 */
export async function runTask(module, source, task, onBytes, control = null) {
  const started = performance.now();
  const dataset = new module.Dataset(task.config);
  try {
    dataset.beginFile(task.name);
    if (task.head?.length === task.headEnd) pushBytes(module, dataset, task.head);
    else await feedRange(module, dataset, source, 0, task.headEnd, task.chunkBytes);
    const from = { offset: guessRecordStart(module, dataset, source, task.start), line: 1 };
    const to = task.end === null ? source.size : guessRecordStart(module, dataset, source, task.end);
    if (from.offset >= to) return { from: from.offset, to, state: null, rows: 0 };
    if (!dataset.beginPart(from.offset, from.line)) throw new Error(`kpilens: part refused: ${dataset.partRefusal()}`);
    const reading = performance.now();
    const bounds = { end: to, at: from.offset, endCut: task.end };
    if (control) {
      control.shorten = (request) => shortenPart(module, dataset, source, bounds, from.offset, reading, request);
    }
    try {
      await feedUntil(module, dataset, source, from.offset, bounds, task.chunkBytes, onBytes, control && letIn, HELPER_TURN_BYTES);
    } finally {
      if (control) control.shorten = null;
    }
    const readMs = performance.now() - reading;
    const state = takePartState(module, dataset, bounds.end === source.size);
    return { from: from.offset, to: bounds.end, state, rows: dataset.rowsRead(), readMs, ms: performance.now() - started };
  } finally {
    dataset.delete();
  }
}

// (feedUntil lets the event loop turn before it calls this: the merging worker's request comes in then.)
const letIn = async () => {};

/**
 * A helper's answer to a request for the end of this part (step 2c), from the merging worker done with its own
 * part, for itself or for another helper that is done (`request`: {rate: the taker's bytes a ms on its own
 * part, overheadMs: its time for a part beside reading, minBytes: the fewest bytes worth it; share, for
 * tests: the fraction of what is left this part keeps, whatever the rates}): where this part, read so far up
 * to bounds.at at its own rate, and the taker should both end (handoverCut, the roles swapped), the taker
 * taken to read the end no faster than this helper reads it (its own part's rows may have cost less a byte
 * than these: its rate there says nothing of them; so it takes at most half of what is left, less its
 * costs). When at least minBytes would move, the part now ends at the record start guessed there (never
 * before bounds.at) and the answer is {cut, end: that record start, was: the part's end before, endCut: the
 * cut `was` was guessed from (null: the file's end)}: the taker reads [end, was) as a task from `cut` to
 * `endCut` (the same guesses). {later: true} when nothing is read yet (no rate to go by); else null, the
 * part unchanged.
 */
function shortenPart(module, dataset, source, bounds, from, reading, { rate, overheadMs, minBytes, share = null }) {
  const at = bounds.at;
  if (at <= from) return { later: true };
  const ownRate = (at - from) / Math.max(1e-3, performance.now() - reading);
  const cut = share !== null ? Math.floor(at + share * (bounds.end - at))
    : handoverCut(at, bounds.end, ownRate, Math.min(rate, ownRate), overheadMs);
  if (!(cut >= at && bounds.end - cut >= minBytes)) return null; // (NaN too)
  const end = guessRecordStart(module, dataset, source, cut);
  if (end >= bounds.end) return null; // no record start between the cut and this part's end
  const answer = { cut, end, was: bounds.end, endCut: bounds.endCut };
  bounds.end = end;
  bounds.endCut = cut;
  return answer;
}

/**
 * Reads one file into `dataset` (beginFile already called; the caller calls endFile): in parts, this thread
 * and `helpers` (other threads) one each (and a helper done first the end of this thread's part; this
 * thread, done first, the end of a helper's), when it can; else sequentially. Returns {parts, fallback: why
 * it was read sequentially (in whole or from the end of this thread's part on) | null, restart: why the
 * whole dataset must be read again sequentially | null, headMs, readMs, mergeMs, rebalanced: the bytes of
 * this thread's part a helper took over (0: none), tookOver: the bytes of helpers' parts this thread took
 * over (0: none), passedOn: the bytes of helpers' parts other helpers took over (0: none)}. `onAlone(why)`
 * is called when this thread reads on alone from the end of its part after the helpers were given theirs
 * (their work, and any progress they reported, no longer counts), with the reason (`fallback`). `balance`: false keeps the first cuts; an object {stepBytes, minStolenBytes, share,
 * helperShare} changes how often this thread looks for an idle helper, the fewest bytes it hands over or
 * takes over, and (tests) where the cuts fall: share, the rest's fraction this thread keeps; helperShare,
 * the fraction of what it has left a helper keeps when asked for the end of its part. `saveShare(bytes)`,
 * when given: a helper's time beyond reading as a share of its part's, for parts of at most that many
 * bytes (partCuts; undefined: SAVE_SHARE).
 */
export async function readFileInParts({ module, dataset, source, input, name, config, helpers, chunkBytes, headBytes, onBytes, onAlone, balance = true, saveShare }) {
  const result = { parts: 1, fallback: null, restart: null, headMs: 0, readMs: 0, mergeMs: 0, rebalanced: 0, tookOver: 0, passedOn: 0 };
  const size = source.size;
  const t0 = performance.now();
  // The head: from the file's start the quote state is known, so its end is an exact record start. It
  // starts at headBytes and doubles while the engine says it is too short (rows too wide for the date-order
  // inference's rows, a header longer than the head…): every helper replays it, and in the page it is read
  // before any part starts, so it is as short as the file allows.
  let headTarget = Math.min(headBytes, size);
  // Read once, with room for the search for a record start after it, into a buffer this thread keeps from
  // run to run (takeHeadBuffer; a source may reuse its own buffer, as Node's does).
  const prefixLength = Math.min(size, headTarget + SEARCH_BYTES);
  const buffer = takeHeadBuffer(prefixLength);
  const prefix = readHead(source, buffer, prefixLength);
  const headSource = withPrefix(source, prefix);
  let head = { offset: 0, line: 1 };
  let refusal = null;
  let headFeedMs = 0; // the head fed to the dataset: about what a helper's replay of it takes
  for (;;) {
    // From head.offset, a record start, on: outside quotes.
    const before = countRange(module, dataset, headSource, head.offset, headTarget, chunkBytes);
    const next = recordStartFrom(module, dataset, headSource, { at: headTarget, inQuotes: before.odd === 1, line: head.line + before.lines });
    const feeding = performance.now();
    await feedRange(module, dataset, headSource, head.offset, next.offset, chunkBytes, onBytes);
    headFeedMs += performance.now() - feeding;
    head = next;
    refusal = helpers.length < 1 ? 'one worker' : head.offset >= size ? 'the head is the whole file' : dataset.partRefusal();
    const grow = helpers.length > 0 && head.offset < size && head.offset < MAX_HEAD_BYTES && dataset.headTooShort();
    if (!grow) break;
    headTarget = Math.min(size, Math.max(2 * head.offset, head.offset + SEARCH_BYTES));
  }
  if (refusal) {
    result.fallback = refusal;
    keepHeadBuffer(buffer);
    await feedRange(module, dataset, source, head.offset, size, chunkBytes, onBytes);
    return result;
  }
  const n = helpers.length + 1;
  const cuts = partCuts(head.offset, size, n, saveShare?.((size - 2 * head.offset) / n));
  const t1 = performance.now();
  result.headMs = t1 - t0;
  // The helpers' tasks go out first; then this thread reads the first part into the dataset itself. The
  // head's bytes go with them while this thread holds them all (it did not grow past its first read): a
  // helper then replays them from memory, without asking the file for them again (in the page a Blob
  // stream opened and read: the replay took 21–35 ms that way, 7–23 ms from the bytes sent;
  // docs/architecture.md "Parallel reading").
  const headCopy = head.offset <= prefix.length ? prefix.slice(0, head.offset) : null;
  keepHeadBuffer(buffer); // (prefix and headSource are not used after this)
  const task = (start, end) => ({ kind: 'part', input, name, config, headEnd: head.offset, head: headCopy, chunkBytes, start, end });
  const { stepBytes = BALANCE_STEP_BYTES, minStolenBytes = MIN_STOLEN_BYTES, share = null, helperShare = null } = typeof balance === 'object' ? balance : {};
  // Each helper's latest task ({task, answered, asking: it is being offered the end of another helper's
  // part}), and what its latest part with rows took ({rate: bytes a ms, overheadMs: its time beside reading}).
  const current = [];
  const rates = [];
  const pending = []; // every task's promise, in the order given
  const offers = new Set(); // offer() calls in flight
  const give = (i, given) => {
    const entry = { task: given, answered: false, asking: false };
    current[i] = entry;
    const promise = helpers[i].run(given);
    pending.push(promise);
    promise.then((got) => {
      if (got.state && got.readMs > 0) rates[i] = { rate: (got.to - got.from) / Math.max(1e-3, got.readMs), overheadMs: Math.max(0, got.ms - got.readMs) };
      entry.answered = true;
      offer(i);
    }, () => { entry.answered = true; });
    return promise;
  };
  const idle = (i) => current[i].answered && !current[i].asking && rates[i];
  let closed = false; // this call is over (returned or thrown): no more tasks
  // Step 2c between helpers (three threads or more): a helper done with its task asks each other helper still
  // reading in turn for the end of its part, as this thread does once done with its own (below), by its own
  // rate and costs, and again ASK_AGAIN_MS later while one has read none of its part yet; it reads what it is
  // given as its next task. (Each such task may be asked for its end in turn: a helper answers for whatever
  // part it reads.) A helper given nothing waits, for this thread's part (`between`) or the next file.
  const offer = (i) => {
    if (!balance || closed || !idle(i) || !helpers.some((_, j) => j !== i && !current[j].answered)) return;
    const entry = current[i];
    entry.asking = true;
    const request = { ...rates[i], minBytes: minStolenBytes, share: helperShare };
    const asking = (async () => {
      for (let later = true; later && !closed;) {
        later = false;
        for (let j = 0; j < helpers.length; j += 1) {
          if (j === i || current[j].answered || !helpers[j].shorten) continue;
          const answer = await helpers[j].shorten(request).catch(() => null);
          later ||= Boolean(answer?.later);
          if (!answer?.end || closed) continue; // (null, or later: nothing read yet)
          give(i, task(answer.cut, answer.endCut)).catch(() => {}); // (awaited with the others below)
          result.passedOn += answer.was - answer.end;
          return;
        }
        if (later) await new Promise((resolve) => { setTimeout(resolve, ASK_AGAIN_MS); });
      }
    })();
    offers.add(asking);
    asking.finally(() => {
      offers.delete(asking);
      entry.asking = false;
    }).catch(() => {}); // (a failed give: the parts then do not tile, and the file is read again)
  };
  // Every task given, and every offer in flight, settled (an offer may give a task, a task's end an offer).
  const settle = async () => {
    for (;;) {
      const count = pending.length;
      await Promise.allSettled([...pending, ...offers]);
      if (pending.length === count && offers.size === 0) return;
    }
  };
  // (Whatever happens below, no task is given once it is over, and the helpers are free when it returns.)
  try {
    helpers.forEach((helper, i) => give(i, task(cuts[i + 1], i + 2 < n ? cuts[i + 2] : null)));
    const firstTasks = pending.slice();
    const guessing = performance.now();
    const bounds = { end: guessRecordStart(module, dataset, source, cuts[1]) };
    const guessMs = performance.now() - guessing;
    const ownStarted = performance.now();
    // The end of this part, rebalanced: a helper that is done (and given nothing else) while this thread still
    // has at least MIN_STOLEN_BYTES of its part to read takes the end of it, a task of its own, cut so that
    // both should end together (by this part's rate so far, the helper's on its latest part, and what the
    // helper spent beside reading). One such task per file. Static cuts end together only when the workers
    // run at the same speed; a core slower than the other (a laptop's efficiency core, a busy vCPU) otherwise
    // leaves one worker waiting for the other.
    let cutTried = false; // one cut per file, handed over or not
    const between = async (at) => {
      if (!balance || cutTried) return;
      const i = helpers.findIndex((_, k) => idle(k));
      if (i < 0) return;
      const ownRate = (at - head.offset) / Math.max(1e-3, performance.now() - ownStarted); // bytes a ms
      const cut = share !== null ? Math.floor(at + share * (bounds.end - at))
        : handoverCut(at, bounds.end, ownRate, rates[i].rate, rates[i].overheadMs);
      if (!(cut >= at && bounds.end - cut >= minStolenBytes)) return; // (NaN too)
      cutTried = true;
      const end = guessRecordStart(module, dataset, source, cut);
      if (end >= bounds.end) return; // no record start between the cut and this part's end
      give(i, task(cut, cuts[1])).catch(() => {}); // (awaited with the others below)
      result.rebalanced = bounds.end - end;
      bounds.end = end;
    };
    await feedUntil(module, dataset, source, head.offset, bounds, chunkBytes, onBytes, between, stepBytes);
    const ownEnd = bounds.end;
    const ownRate = (ownEnd - head.offset) / Math.max(1e-3, performance.now() - ownStarted); // bytes a ms
    // Not at a record start there (the guess at the end of this part was wrong: irregular quotes), or the
    // rows so far decided something the parts cannot repeat: the dataset is a sequential reader's up to
    // ownEnd, so this thread reads on alone ("the first cut": the end of the first part, moved or not).
    const stop = ownEnd < size ? dataset.partRefusal() : '';
    if (stop) {
      result.fallback = `from the first cut on: ${stop}`;
      onAlone?.(result.fallback);
      await feedRange(module, dataset, source, ownEnd, size, chunkBytes, onBytes);
      await settle(); // the helpers are free again
      return result;
    }
    // What the first merge would do first (settle this dataset's total), done while the helpers
    // finish their parts (they usually take a little longer: each also replays the head and saves
    // its state). Not when this part reached the end (no part comes after it: nothing to merge).
    if (ownEnd < size) dataset.prepareMerge();
    // Step 2c, the other way round: a helper slower than this thread (a slower core, a busy one) gives up the
    // end of its part, which this thread then reads as a part of its own, as a helper would (the head
    // replayed into a fresh dataset, two guesses, its state saved and merged: what that costs beside reading
    // is about what feeding the head and two guesses take here, and the state's save SAVE_SHARE of the
    // reading). It asks each helper still reading in turn, and the same one again after each part it took
    // over, and goes round again after a round in which it took something (a helper passed may have taken
    // another's end since); a helper that holds a task but has read none of it yet (its engine still
    // compiling, the head being replayed) is asked again, ASK_AGAIN_MS after the others. One whose answer
    // fails (a read of the file for its guess) keeps its part, as if it had said no. The parts it takes over
    // let the event loop turn every HELPER_TURN_BYTES (a control of their own), so that helpers done
    // meanwhile are offered other helpers' ends.
    if (balance && ownEnd < size) {
      const overheadMs = headFeedMs + 2 * guessMs;
      const request = { rate: ownRate / (1 + SAVE_SHARE), overheadMs, minBytes: minStolenBytes, share: helperShare };
      for (let i = 0, later = false, took = false; ;) {
        if (i === helpers.length) {
          if (!later && !took) break;
          if (!took) await new Promise((resolve) => { setTimeout(resolve, ASK_AGAIN_MS); });
          [i, later, took] = [0, false, false];
          continue;
        }
        const answer = current[i].answered || !helpers[i].shorten ? null : await helpers[i].shorten(request).catch(() => null);
        later ||= Boolean(answer?.later);
        if (!answer?.end) {
          i += 1;
          continue;
        }
        const part = runTask(module, source, task(answer.cut, answer.endCut), onBytes, helperControl());
        pending.push(part);
        result.tookOver += answer.was - answer.end;
        took = true;
        await part.catch(() => {}); // (its failure is the run's: awaited with the others below)
      }
    }
    // In file order: a part a helper took over from this thread lies before the parts of the first tasks; one
    // taken over from a helper, after the rest of that helper's.
    await settle();
    const answers = await Promise.all(pending);
    const parts = [...answers].sort((a, b) => a.from - b.from);
    const t2 = performance.now();
    result.readMs = t2 - t1;
    // The parts must tile the file from the first part's end: a guessed start past the next cut (no
    // record start found near it) can leave a later part starting before an earlier one ended.
    let next = ownEnd;
    for (const part of parts) {
      if (!part.state) continue;
      if (part.from !== next) {
        result.restart = 'the parts did not follow each other (no record start near a cut)';
        return result;
      }
      next = part.to;
    }
    if (next !== size) result.restart = 'the parts did not reach the end of the file';
    if (result.restart) return result;
    result.sharedModule = (await Promise.all(firstTasks)).filter((part) => part.sharedModule).length; // page helpers (web/parallel_read.js)
    for (const part of parts) {
      if (!part.state) continue;
      result.parts += 1;
      // The engine copies the state out of JS memory a window at a time, and its exact ticks straight
      // into its groups (Dataset.mergePart): no fresh wasm memory the size of the state.
      module.mergeState = part.state;
      let merged;
      try {
        merged = JSON.parse(dataset.mergePart(part.state.length));
      } finally {
        module.mergeState = null;
      }
      if (merged.status === 'corrupt') throw new Error(`kpilens: a part's state was refused: ${merged.why}`);
      if (merged.status === 'sequential') {
        result.restart = merged.why;
        return result;
      }
    }
    result.mergeMs = performance.now() - t2;
    return result;
  } finally {
    closed = true;
    await settle();
  }
}

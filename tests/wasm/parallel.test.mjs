// Parallel reading (node_engine.mjs reportFromFilesParallel: this thread and worker_threads): the report
// of a file read in parts by 2–4 threads and merged is byte-identical to the sequential read of the same
// file and config — generated exports (LF and CRLF) and every fixture — and the cases the engine cannot split
// or merge identically fall back to a sequential read and say why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSource, loadEngine, reportFromFiles, reportFromFilesParallel, startPartReaders } from '../../wasm/bindings/node_engine.mjs';
import { handoverCut, helperControl, partCuts, readFileInParts, runTask } from '../../wasm/bindings/parallel_read.mjs';
import { listFixtures } from './fixture_files.mjs';
import { unevenExport } from './uneven_export.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const wasmPath = resolve(root, process.env.KPILENS_WASM ?? 'build/wasm/kpilens.node.cjs');
const fixturesDir = join(root, 'tests/fixtures');
const dir = mkdtempSync(join(tmpdir(), 'kpilens-parallel-'));

// Small enough to split files of a few MB: a head of 256 KiB holds the 64 KiB the delimiter is sniffed
// from and the 1,000 rows the date order is inferred from.
const SPLIT = { minParallelBytes: 0, headBytes: 256 << 10, chunkBytes: 1 << 20, modulePath: wasmPath };
const CONFIGS = [
  {},
  { grain: 'month', by: ['channel', 'agent'] },
  { grain: 'day', utc_offset: '+05:30', max_rejected_listed: 3 },
  // scripts/bench's weekly figures: the durations asked for their mean travel as counts and sums.
  { by: ['channel'], figures: ['tickets', 'csat', 'nps', 'fcr', 'first_response_time_mean', 'resolution_time_mean', 'resolution_time_median'] },
];

const generated = {
  lf: join(dir, 'generated_30000.csv'),
  crlf: join(dir, 'generated_20000_crlf.csv'),
  quoted: join(dir, 'generated_20000_quoted.csv'),
  irregular: join(dir, 'irregular_quote.csv'),
  multiline: join(dir, 'multiline_descriptions.csv'),
};

before(async () => {
  await loadEngine(wasmPath);
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', '30000', '--seed', '5', '--out', generated.lf]);
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', '20000', '--seed', '9', '--crlf', '--out', generated.crlf]);
  // Every cell quoted: most cuts fall inside quotes, and every block the decoder reads holds quotes.
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', '20000', '--seed', '11', '--quotes', 'all', '--out', generated.quoted]);
  // A quote inside an unquoted field (`a"b`) early on: data to the decoder, but it flips the pre-pass's
  // quote parity for everything after it.
  const text = readFileSync(generated.lf, 'utf8').split('\n');
  text[2000] = text[2000].replace(/,([A-Za-z]+),/, ',$1"x,');
  writeFileSync(generated.irregular, text.join('\n'));
  // Long quoted descriptions over several lines, with commas and "" escapes: most bytes lie inside
  // quotes, so most cuts do, and the first line break after a cut is usually no record start.
  const lines = ['Id,Created at,Solved at,Status,Via,Assignee,Description,Satisfaction Score'];
  for (let i = 0; i < 12000; i += 1) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const body = Array.from({ length: 1 + (i % 5) }, (_, k) => `line ${k} of ticket ${i}, "" quoted "" text`).join('\n');
    lines.push(`${i},2024-03-${day} 08:${String(i % 60).padStart(2, '0')}:00,2024-03-${day} 17:00:00,Solved,` +
      `${['email', 'chat'][i % 2]},Agent ${i % 7},"${body}",${i % 3 ? '' : 1 + (i % 5)}`);
  }
  writeFileSync(generated.multiline, lines.join('\n') + '\n');
});

after(() => rmSync(dir, { recursive: true, force: true }));

for (const workers of [2, 3, 4]) {
  test(`generated exports read by ${workers} workers give the sequential report`, async () => {
    for (const path of [generated.lf, generated.crlf, generated.quoted]) {
      for (const config of CONFIGS) {
        const expected = await reportFromFiles([path], config);
        const stats = {};
        const got = await reportFromFilesParallel([path], config, { ...SPLIT, workers, stats });
        assert.equal(stats.restarted, null, `fell back: ${stats.restarted}`);
        assert.equal(stats.files[0].fallback, null, `not split: ${stats.files[0].fallback}`);
        assert.ok(stats.files[0].parts >= 2, `${stats.files[0].parts} part(s)`);
        assert.equal(got, expected, `${path} ${JSON.stringify(config)}`);
      }
    }
  });
}

test('every fixture read with the parallel driver gives the sequential report', async () => {
  const fixtures = listFixtures(fixturesDir);
  assert.ok(fixtures.length > 10);
  for (const path of fixtures) {
    const expected = await reportFromFiles([path], {});
    const got = await reportFromFilesParallel([path], {}, { ...SPLIT, headBytes: 1 << 10, workers: 2 });
    assert.equal(got, expected, path);
  }
});

// Every fixture is smaller than the head a file needs before it may split (the decoder sniffs the
// delimiter from the first 64 KiB, the date order is inferred from the first 1,000 rows), so the test
// above only sees the sequential fallback. Here each CSV fixture's rows are repeated under its header to
// 4,000 rows and three heads or more, with a head of 96 KiB that holds 1,100 rows at least: the exports of
// every helpdesk the presets name go through the split. Only the files the engine reads sequentially by
// design may fall back.
const SEQUENTIAL_BY_DESIGN = new Set(['survey and customer-success files are read sequentially']);

test('every CSV fixture repeated to thousands of rows splits and gives the sequential report', async () => {
  const tiledDir = join(dir, 'tiled');
  mkdirSync(tiledDir);
  let split = 0;
  const readers = await startPartReaders({ workers: 1, modulePath: wasmPath });
  try {
    for (const path of listFixtures(fixturesDir).filter((p) => /\.(csv|tsv)$/i.test(p))) {
      const bytes = readFileSync(path);
      const headerEnd = bytes.indexOf(0x0a) + 1;
      const body = bytes.subarray(headerEnd);
      if (headerEnd === 0 || body.length === 0 || body[body.length - 1] !== 0x0a) continue; // one record a line
      const rowsPerCopy = body.filter((b) => b === 0x0a).length;
      const headBytes = Math.max(96 << 10, headerEnd + Math.ceil(1100 / rowsPerCopy) * body.length);
      const copies = Math.max(Math.ceil(4000 / rowsPerCopy), Math.ceil((3 * headBytes) / body.length));
      const tiled = join(tiledDir, path.slice(fixturesDir.length + 1).replaceAll('/', '_'));
      writeFileSync(tiled, Buffer.concat([bytes.subarray(0, headerEnd), ...Array(copies).fill(body)]));
      const expected = await reportFromFiles([tiled], {});
      const stats = {};
      const got = await reportFromFilesParallel([tiled], {}, { ...SPLIT, headBytes, readers, stats });
      assert.equal(got, expected, path);
      const { parts, fallback } = stats.files[0];
      assert.ok(parts >= 2 || SEQUENTIAL_BY_DESIGN.has(fallback), `${path}: not split: ${fallback}`);
      if (parts >= 2) split += 1;
    }
  } finally {
    await readers.close();
  }
  assert.ok(split >= 19, `${split} fixtures split`);
});

test('several files in one dataset: the large ones split, the report is the sequential one', async () => {
  const paths = [join(fixturesDir, 'zendesk_tickets.csv'), generated.crlf, generated.lf];
  const config = { by: ['channel'] };
  const expected = await reportFromFiles(paths, config);
  const stats = {};
  const got = await reportFromFilesParallel(paths, config, { ...SPLIT, workers: 2, stats });
  assert.deepEqual(stats.files.map((f) => f.parts >= 2), [false, true, true]);
  assert.equal(got, expected);
});

test('a quote inside an unquoted field still gives the sequential report', async () => {
  const expected = await reportFromFiles([generated.irregular], {});
  const stats = {};
  const got = await reportFromFilesParallel([generated.irregular], {}, { ...SPLIT, workers: 3, stats });
  assert.equal(got, expected);
  // Either the flipped parity found no record start after it (one part read to the end) or a part
  // did not end at a record start and the merge fell back.
  assert.ok(stats.restarted === null || /record start/.test(stats.restarted), stats.restarted);
});

test('an export whose cuts land inside multi-line quoted fields is split and merged without a fallback', async () => {
  for (const workers of [2, 3, 4]) {
    const config = { by: ['channel'], max_rejected_listed: 3 };
    const expected = await reportFromFiles([generated.multiline], config);
    const stats = {};
    const got = await reportFromFilesParallel([generated.multiline], config, { ...SPLIT, workers, stats });
    assert.equal(stats.restarted, null, `fell back: ${stats.restarted}`);
    assert.equal(stats.files[0].parts, workers);
    assert.equal(got, expected, `${workers} workers`);
  }
});

test('two parallel reads at once on one thread give the sequential reports (each reads its head into its own buffer)', async () => {
  // parallel_read.mjs keeps the buffer a head is read into from run to run (takeHeadBuffer); a run holds one
  // while it reads its head, so two runs interleaved on this thread must not share one. With readers started
  // before, both runs reach their heads at once (each reads its head, then awaits in it); a shared buffer
  // would hand one run's helper the other's head, and the merge would refuse its part (a restart).
  const pools = await Promise.all([1, 2].map((workers) => startPartReaders({ workers, modulePath: wasmPath })));
  try {
    const config = CONFIGS[1];
    await reportFromFilesParallel([generated.crlf], config, { ...SPLIT, readers: pools[0] }); // (a buffer kept)
    const stats = [{}, {}];
    const [a, b] = await Promise.all([
      reportFromFilesParallel([generated.lf], config, { ...SPLIT, readers: pools[0], stats: stats[0] }),
      reportFromFilesParallel([generated.multiline], config, { ...SPLIT, headBytes: 96 << 10, readers: pools[1], stats: stats[1] }),
    ]);
    for (const s of stats) assert.deepEqual([s.restarted, s.files[0].fallback], [null, null]);
    assert.equal(a, await reportFromFiles([generated.lf], config));
    assert.equal(b, await reportFromFiles([generated.multiline], config));
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
});

test('readers started once serve several reports and close', async () => {
  const readers = await startPartReaders({ workers: 2, modulePath: wasmPath });
  try {
    for (const config of CONFIGS) {
      const stats = {};
      const got = await reportFromFilesParallel([generated.lf], config, { ...SPLIT, readers, stats });
      assert.equal(stats.files[0].parts, 3); // this thread's and the two readers'
      assert.equal(got, await reportFromFiles([generated.lf], config));
    }
  } finally {
    await readers.close();
  }
});

test('a head too short for the engine grows until it holds what the engine needs, and the file splits', async () => {
  // Rows of ~1 KB: 256 KiB holds ~250 rows, short of the 1,000 the date order is inferred from; the header
  // is 40 KB long, past a 16 KiB head. The head doubles until the engine takes it (up to 32 MiB).
  const wide = join(dir, 'wide_rows.csv');
  const lines = [`Id,Created at,Solved at,Status,Via,Assignee,Satisfaction Score,"${'Long header '.repeat(3400)}"`];
  for (let i = 0; i < 6000; i += 1) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(`${i},2024-03-${day} 08:${String(i % 60).padStart(2, '0')}:00,2024-03-${day} 17:00:00,Solved,` +
      `${['email', 'chat'][i % 2]},Agent ${i % 7},${i % 3 ? '' : 1 + (i % 5)},${'x'.repeat(900 + (i % 50))}`);
  }
  writeFileSync(wide, lines.join('\n') + '\n');
  const readers = await startPartReaders({ workers: 1, modulePath: wasmPath });
  try {
    for (const headBytes of [16 << 10, 256 << 10]) {
      const expected = await reportFromFiles([wide], CONFIGS[1]);
      const stats = {};
      const got = await reportFromFilesParallel([wide], CONFIGS[1], { ...SPLIT, headBytes, readers, stats });
      assert.equal(got, expected, `head ${headBytes}`);
      assert.deepEqual([stats.files[0].parts, stats.files[0].fallback, stats.restarted], [2, null, null], `head ${headBytes}`);
    }
  } finally {
    await readers.close();
  }
});

/**
 * A helper that runs in the test's thread: runTask on a source of its own for the task's file (read through
 * `wrap`, e.g. with chunks; in slices of `chunkBytes` when given), answering requests for the end of its part
 * through `control` (a helperControl; none: it says no), after `await starting()` (its engine compiling).
 */
function threadHelper(module, { wrap = (file) => file, chunkBytes = null, control = null, starting = null } = {}) {
  return {
    run: async (task) => {
      if (control) control.tasks += 1;
      const file = fileSource(task.input);
      try {
        await starting?.();
        return await runTask(module, wrap(file), chunkBytes ? { ...task, chunkBytes } : task, undefined, control);
      } finally {
        if (control) control.tasks -= 1;
        file.close();
      }
    },
    shorten: async (request) => control?.answer(request) ?? null,
  };
}

/** `file` as a source with chunks, each one after the event loop turned (as a Blob stream's reads in the page). */
function withTurningChunks(file) {
  return {
    size: file.size,
    read: (start, end) => file.read(start, end),
    chunks: async function* (start, end, chunkBytes) {
      for (let at = start; at < end; at += chunkBytes) {
        await new Promise((resolve) => { setImmediate(resolve); });
        yield new Uint8Array(file.read(at, Math.min(end, at + chunkBytes)));
      }
    },
  };
}

test('a helper done first takes over the end of the merging worker\'s part, and the report stays the sequential one', async () => {
  // The helper runs in this thread: run() reads its whole part at once (the readInto path never waits),
  // and its answer is seen when this thread first lets the event loop turn, before its first look (every
  // 128 KiB here), which hands it half of what is left. (So a helper answering between two looks, as a
  // worker does, is not what this test covers.) With a source that has chunks, as the page's, this
  // thread's part is read through them instead.
  const withChunks = (file) => ({
    size: file.size,
    read: (start, end) => file.read(start, end),
    chunks: async function* (start, end, chunkBytes) {
      for (let at = start; at < end; at += chunkBytes) yield new Uint8Array(file.read(at, Math.min(end, at + chunkBytes)));
    },
  });
  const module = await loadEngine(wasmPath);
  const helper = threadHelper(module);
  for (const [path, chunked] of [[generated.lf, false], [generated.crlf, false], [generated.lf, true]]) {
    for (const config of [CONFIGS[0], CONFIGS[1], CONFIGS[3]]) {
      const configText = JSON.stringify(config);
      const dataset = new module.Dataset(configText);
      const file = fileSource(path);
      const source = chunked ? withChunks(file) : file;
      try {
        dataset.beginFile(basename(path));
        const got = await readFileInParts({
          module, dataset, source, input: path, name: basename(path), config: configText, helpers: [helper],
          chunkBytes: chunked ? 100 << 10 : 1 << 20, headBytes: 256 << 10,
          balance: { stepBytes: 128 << 10, minStolenBytes: 64 << 10, share: 0.5 },
        });
        assert.deepEqual([got.fallback, got.restart, got.parts], [null, null, 3], `${path} ${configText}`);
        assert.ok(got.rebalanced >= 64 << 10, `${got.rebalanced} bytes handed over`);
        dataset.endFile();
        assert.equal(dataset.report(), await reportFromFiles([path], config), `${path} ${configText}`);
      } finally {
        file.close();
        dataset.delete();
      }
    }
  }
  // Kept off, the first cuts stand.
  const dataset = new module.Dataset('{}');
  const source = fileSource(generated.lf);
  try {
    dataset.beginFile('g.csv');
    const got = await readFileInParts({
      module, dataset, source, input: generated.lf, name: 'g.csv', config: '{}', helpers: [helper], chunkBytes: 1 << 20,
      headBytes: 256 << 10, balance: false,
    });
    assert.deepEqual([got.parts, got.rebalanced], [2, 0]);
  } finally {
    source.close();
    dataset.delete();
  }
});

test('helpers given another config than the merging dataset\'s: the merge refuses their part and says why', async () => {
  // A caller's mistake readFileInParts cannot see: its `dataset` made with one config, its `config` (the
  // helpers') another. Another offset would bucket the part's rows otherwise: the merge asks for a restart.
  // The same settings in another JSON text are the same config, and merge.
  const module = await loadEngine(wasmPath);
  const helper = threadHelper(module);
  const read = async (datasetConfig, helperConfig) => {
    const dataset = new module.Dataset(datasetConfig);
    const source = fileSource(generated.lf);
    try {
      dataset.beginFile('g.csv');
      return await readFileInParts({
        module, dataset, source, input: generated.lf, name: 'g.csv', config: helperConfig, helpers: [helper],
        chunkBytes: 1 << 20, headBytes: 256 << 10, balance: false,
      });
    } finally {
      source.close();
      dataset.delete();
    }
  };
  const other = await read('{"grain": "month"}', '{"grain": "month", "utc_offset": 60}');
  assert.deepEqual([other.fallback, other.restart], [null, 'a part was read with another config']);
  const same = await read('{"grain": "month", "utc_offset": 60}', '{ "utc_offset":"+01:00","grain":"month" }');
  assert.deepEqual([same.fallback, same.restart, same.parts], [null, null, 2]);
});

// (A time limit, so that a worker that never ends its first task fails the test rather than hanging it.)
test('a worker_thread done first is handed the end of a held merging thread\'s part, by the rates', { timeout: 120_000 }, async () => {
  // This thread reads its part in 64 KiB chunks and, after its first, holds the next until the worker_thread
  // has read its own part (no clock): at its next look the worker is idle, the cut comes from the measured
  // rates (no share), and the second task goes through the worker's port.
  const module = await loadEngine(wasmPath);
  const started = await startPartReaders({ workers: 1, modulePath: wasmPath });
  let partRead;
  const firstPartRead = new Promise((resolve) => { partRead = resolve; });
  let tasks = 0;
  const parts = [];
  const helpers = started.readers.map((helper) => ({
    run: (task) => helper.run(task).then((part) => { parts.push(part.to - part.from); return part; })
      .finally(() => { if (++tasks === 1) partRead(); }),
    shorten: (request) => helper.shorten(request),
  }));
  const configText = JSON.stringify(CONFIGS[1]);
  const dataset = new module.Dataset(configText);
  const file = fileSource(generated.lf);
  const source = {
    size: file.size,
    read: (start, end) => file.read(start, end),
    chunks: async function* (start, end, chunkBytes) {
      for (let at = start; at < end; at += chunkBytes) {
        if (at > start) await firstPartRead;
        yield new Uint8Array(file.read(at, Math.min(end, at + chunkBytes)));
      }
    },
  };
  try {
    dataset.beginFile(basename(generated.lf));
    const got = await readFileInParts({
      module, dataset, source, input: generated.lf, name: basename(generated.lf), config: configText, helpers,
      chunkBytes: 64 << 10, headBytes: 256 << 10, balance: { stepBytes: 128 << 10, minStolenBytes: 64 << 10 },
    });
    assert.deepEqual([got.fallback, got.restart, got.parts, tasks], [null, null, 3, 2]);
    assert.ok(got.rebalanced >= 64 << 10, `${got.rebalanced} bytes handed over`);
    dataset.endFile();
    assert.equal(dataset.report(), await reportFromFiles([generated.lf], CONFIGS[1]));
    // The worker keeps the buffer of its larger state as its spare.
    started.recycle();
    assert.ok(started.readers[0].spareFits >= Math.max(...parts), `${parts} ${started.readers[0].spareFits}`);
  } finally {
    file.close();
    dataset.delete();
    await started.close();
  }
});

/** unevenExport of `normal` (a path), written beside it: the merging thread is done first, by far. */
function unevenFile(normal, halfBytes) {
  const path = join(dir, `uneven_${halfBytes}.csv`);
  writeFileSync(path, unevenExport(readFileSync(normal, 'utf8'), halfBytes, 40));
  return path;
}

test('the merging thread done first takes over the end of a helper\'s part, and the report stays the sequential one', async () => {
  // The helper runs in this thread, reading its part straight into the module (readInto, as Node's helpers
  // do: it lets the event loop turn every 2 MiB), or from a source with chunks, each a task of its own (as a
  // Blob stream's reads are in the page). This thread is done with its part while the helper has read only
  // some of its own: it reads its part without letting the event loop turn (stepBytes: none), so the helper
  // has read its first 2 MiB; or, with chunks, it lets the loop turn every 1 MiB, one chunk of the helper's
  // each time. The helper then keeps half of what it has left (helperShare), this thread reads the rest as a
  // part of its own, and asks again while at least 64 KiB would move.
  const module = await loadEngine(wasmPath);
  const path = unevenFile(generated.lf, 6 << 20);
  for (const [chunked, stepBytes] of [[false, Infinity], [true, 1 << 20]]) {
    const helper = threadHelper(module, { wrap: chunked ? withTurningChunks : undefined, chunkBytes: 256 << 10, control: helperControl() });
    for (const config of [CONFIGS[0], CONFIGS[1]]) {
      const configText = JSON.stringify(config);
      const dataset = new module.Dataset(configText);
      const source = fileSource(path);
      try {
        dataset.beginFile(basename(path));
        const got = await readFileInParts({
          module, dataset, source, input: path, name: basename(path), config: configText, helpers: [helper],
          chunkBytes: 1 << 20, headBytes: 256 << 10, balance: { stepBytes, minStolenBytes: 64 << 10, helperShare: 0.5 },
        });
        const what = `${chunked ? 'chunks' : 'readInto'} ${configText}`;
        assert.deepEqual([got.fallback, got.restart, got.rebalanced], [null, null, 0], what);
        assert.ok(got.parts >= 3, `${what}: ${got.parts} parts`);
        assert.ok(got.tookOver >= 64 << 10, `${what}: ${got.tookOver} bytes taken over`);
        dataset.endFile();
        assert.equal(dataset.report(), await reportFromFiles([path], config), what);
      } finally {
        source.close();
        dataset.delete();
      }
    }
  }
});

test('a helper asked before it reads its part (its engine still compiling) is asked again', async () => {
  // The helper starts reading its task only once it has answered "later" (its engine still compiling): this
  // thread reads its own part without letting the event loop turn (stepBytes: none), asks, hears "later",
  // and asks again until the helper has read a chunk, when it keeps half of what it has left. (A fixed
  // delay instead let a slow machine finish this thread's part after the helper's.) The helper reads one
  // chunk each time it is asked, until it gives its end away: so it has read some of its part, never all,
  // when asked again. (Reading on at each turn of the event loop, a fast build read all of it in the ~4 ms
  // between two asks, now and then, and had nothing left to give.)
  const module = await loadEngine(wasmPath);
  const control = helperControl();
  let saidLater;
  const firstLater = new Promise((resolve) => { saidLater = resolve; });
  let asked = () => {};
  let free = false; // the helper gave its end away: it reads the rest without waiting
  const answer = control.answer.bind(control);
  control.answer = (request) => {
    const got = answer(request);
    if (got?.later) saidLater();
    if (got?.end) free = true;
    asked();
    return got;
  };
  const oneChunkAnAsk = (file) => ({
    size: file.size,
    read: (start, end) => file.read(start, end),
    chunks: async function* (start, end, chunkBytes) {
      for (let at = start; at < end; at += chunkBytes) {
        if (!free) await new Promise((resolve) => { asked = resolve; });
        yield new Uint8Array(file.read(at, Math.min(end, at + chunkBytes)));
      }
    },
  });
  const helper = threadHelper(module, { wrap: oneChunkAnAsk, chunkBytes: 128 << 10, control, starting: () => firstLater });
  const configText = JSON.stringify(CONFIGS[1]);
  const dataset = new module.Dataset(configText);
  const source = fileSource(generated.lf);
  try {
    dataset.beginFile(basename(generated.lf));
    assert.equal(await helper.shorten({ rate: 1, overheadMs: 0, minBytes: 0 }), null); // no task: nothing to give
    const got = await readFileInParts({
      module, dataset, source, input: generated.lf, name: basename(generated.lf), config: configText, helpers: [helper],
      chunkBytes: 1 << 20, headBytes: 256 << 10, balance: { stepBytes: Infinity, minStolenBytes: 64 << 10, helperShare: 0.5 },
    });
    assert.deepEqual([got.fallback, got.restart, got.rebalanced], [null, null, 0]);
    assert.ok(got.tookOver >= 64 << 10, `${got.tookOver} bytes taken over`);
    dataset.endFile();
    assert.equal(dataset.report(), await reportFromFiles([generated.lf], CONFIGS[1]));
  } finally {
    source.close();
    dataset.delete();
  }
});

test('with three threads, a helper done first takes over the end of a slower helper\'s part', async () => {
  // Two helpers in this thread, each reading a chunk whenever the event loop turns: the first 256 KiB at a
  // time, the second 32 KiB (eight times slower). This thread is slowed (6 ms a 64 KiB read) and lets the
  // loop turn every 128 KiB. The first helper is done long before the second, asks it for the end of its
  // part (half of what it has left: helperShare) and reads it as its next task.
  const module = await loadEngine(wasmPath);
  const fast = threadHelper(module, { wrap: withTurningChunks, chunkBytes: 256 << 10, control: helperControl() });
  const slow = threadHelper(module, { wrap: withTurningChunks, chunkBytes: 32 << 10, control: helperControl() });
  for (const config of [CONFIGS[0], CONFIGS[1]]) {
    const configText = JSON.stringify(config);
    const dataset = new module.Dataset(configText);
    const source = fileSource(generated.lf);
    try {
      dataset.beginFile(basename(generated.lf));
      const got = await readFileInParts({
        module, dataset, source, input: generated.lf, name: basename(generated.lf), config: configText, helpers: [fast, slow],
        chunkBytes: 64 << 10, headBytes: 256 << 10, onBytes: () => {
          const until = performance.now() + 6;
          while (performance.now() < until);
        },
        balance: { stepBytes: 128 << 10, minStolenBytes: 64 << 10, helperShare: 0.5 },
      });
      assert.deepEqual([got.fallback, got.restart], [null, null], configText);
      assert.ok(got.passedOn >= 64 << 10, `${configText}: ${got.passedOn} bytes passed on`);
      assert.ok(got.parts >= 4, `${configText}: ${got.parts} parts`);
      dataset.endFile();
      assert.equal(dataset.report(), await reportFromFiles([generated.lf], config), configText);
    } finally {
      source.close();
      dataset.delete();
    }
  }
});

test('three and four threads, helpers of random speeds and random cuts: every take-over path, the sequential report', async () => {
  // Helpers in this thread, each reading a chunk of its own size (16–256 KiB, drawn) whenever the event loop
  // turns; this thread reads 128 KiB between two turns, so who is done first depends on the sizes drawn. The
  // cuts come from shares drawn too (not the rates, which depend on the clock): every way an end moves —
  // this thread's to a helper, a helper's to this thread, a helper's to another helper — happens in some of
  // the rounds, several in one, and every report is the sequential one.
  const module = await loadEngine(wasmPath);
  let seed = 20261205;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const moved = { rebalanced: 0, tookOver: 0, passedOn: 0 };
  const expected = new Map();
  for (let round = 0; round < 16; round += 1) {
    const helpers = Array.from({ length: 2 + (round % 2) }, () => threadHelper(module, {
      wrap: withTurningChunks, chunkBytes: (16 << 10) << Math.floor(random() * 5), control: helperControl(),
    }));
    const config = CONFIGS[round % 4 === 3 ? 3 : round % 2];
    const configText = JSON.stringify(config);
    const dataset = new module.Dataset(configText);
    const source = fileSource(generated.lf);
    const what = `round ${round}, ${configText}`;
    try {
      dataset.beginFile(basename(generated.lf));
      const got = await readFileInParts({
        module, dataset, source, input: generated.lf, name: basename(generated.lf), config: configText, helpers,
        chunkBytes: 64 << 10, headBytes: 256 << 10,
        balance: { stepBytes: 128 << 10, minStolenBytes: 32 << 10, share: 0.2 + 0.6 * random(), helperShare: 0.2 + 0.6 * random() },
      });
      assert.deepEqual([got.fallback, got.restart], [null, null], what);
      for (const key of Object.keys(moved)) moved[key] += got[key] > 0 ? 1 : 0;
      dataset.endFile();
      if (!expected.has(configText)) expected.set(configText, await reportFromFiles([generated.lf], config));
      assert.equal(dataset.report(), expected.get(configText), what);
    } finally {
      source.close();
      dataset.delete();
    }
  }
  // (The rounds in which each happened.)
  assert.ok(moved.rebalanced > 0 && moved.tookOver > 0 && moved.passedOn > 0, JSON.stringify(moved));
});

test('a helper whose answer to the request fails keeps its part, and the report stays the sequential one', async () => {
  const module = await loadEngine(wasmPath);
  const path = unevenFile(generated.lf, 6 << 20);
  const helper = { ...threadHelper(module), shorten: async () => { throw new Error('kpilens: the file could not be read'); } };
  const dataset = new module.Dataset('{}');
  const source = fileSource(path);
  try {
    dataset.beginFile(basename(path));
    const got = await readFileInParts({
      module, dataset, source, input: path, name: basename(path), config: '{}', helpers: [helper],
      chunkBytes: 1 << 20, headBytes: 256 << 10, balance: { stepBytes: Infinity, minStolenBytes: 64 << 10, helperShare: 0.5 },
    });
    assert.deepEqual([got.fallback, got.restart, got.parts, got.tookOver], [null, null, 2, 0]);
    dataset.endFile();
    assert.equal(dataset.report(), await reportFromFiles([path], {}));
  } finally {
    source.close();
    dataset.delete();
  }
});

test('a slower worker_thread gives the end of its part to the merging thread, by the rates', async () => {
  // The merging thread's part is rows it reads several times faster a byte than the worker's (unevenFile):
  // done first, it asks the worker through its port, which cuts by both measured rates (no share). 40 MiB
  // halves: with 12 MiB ones the worker had ~8 MB left when asked, a margin a slow spell of this thread
  // could take (the test gave nothing in 1 of 8 runs with the e2e tests running beside it, and so it did
  // with 40 MiB halves until the warm-up below).
  const path = unevenFile(generated.lf, 40 << 20);
  const readers = await startPartReaders({ workers: 1, modulePath: wasmPath });
  try {
    // Both threads' code optimised first: cold, the merging thread once read its part at ~1/15 of its
    // later rate (V8's optimising compiles, on background threads, late on a busy machine) and was not done
    // first.
    await reportFromFilesParallel([path], CONFIGS[3], { ...SPLIT, readers, balance: { minStolenBytes: 256 << 10 } });
    for (const config of [CONFIGS[3], CONFIGS[1]]) {
      const stats = {};
      const got = await reportFromFilesParallel([path], config, {
        ...SPLIT, readers, stats, balance: { minStolenBytes: 256 << 10 },
      });
      assert.deepEqual([stats.restarted, stats.files[0].fallback], [null, null]);
      assert.ok(stats.files[0].tookOver >= 256 << 10, `${stats.files[0].tookOver} bytes taken over`);
      assert.equal(got, await reportFromFiles([path], config), JSON.stringify(config));
    }
    // Kept off (balance: false), nothing moves.
    const stats = {};
    await reportFromFilesParallel([path], CONFIGS[0], { ...SPLIT, readers, stats, balance: false });
    assert.deepEqual([stats.files[0].parts, stats.files[0].tookOver], [2, 0]);
  } finally {
    await readers.close();
  }
});

test('the handover cut ends both threads together, never before what was read', () => {
  // Same rates, nothing beside reading: the middle. A helper twice as fast takes two thirds.
  assert.equal(handoverCut(0, 300, 1, 1, 0), 150);
  assert.equal(handoverCut(0, 300, 1, 2, 0), 100);
  // What the helper spends beside reading moves the cut towards the end: (cut − 100) / 1 = 50 + (400 − cut) / 1.
  assert.equal(handoverCut(100, 400, 1, 1, 50), 275);
  // A helper that would end later whatever it took: at or past the end (nothing is handed over).
  assert.ok(handoverCut(100, 400, 1, 1, 1000) >= 400);
  // A helper far faster: never before `at`.
  assert.equal(handoverCut(100, 400, 1, 1e9, 0), 100);
});

test('a breakdown past max_segments falls back to a sequential read and says why', async () => {
  // Past the cap in the head: the file is read on sequentially, with no restart.
  const config = { by: ['agent'], max_segments: 3 };
  const expected = await reportFromFiles([generated.lf], config);
  const stats = {};
  const got = await reportFromFilesParallel([generated.lf], config, { ...SPLIT, workers: 2, stats });
  assert.equal(got, expected);
  assert.equal(stats.restarted, null);
  assert.equal(stats.files[0].fallback, 'a breakdown has more values than max_segments');
});

test('a file under minParallelBytes, or one worker, is read sequentially', async () => {
  const stats = {};
  await reportFromFilesParallel([generated.crlf], {}, { ...SPLIT, minParallelBytes: 1 << 30, workers: 2, stats });
  assert.equal(stats.files[0].fallback, 'small file');
  await reportFromFilesParallel([generated.crlf], {}, { ...SPLIT, workers: 1, stats });
  assert.equal(stats.files[0].fallback, 'one worker');
});

test('the parts tile the file after the head; the merging worker\'s is larger by the head and a twelfth (a 48th)', () => {
  for (const [head, size, n, share] of [[1 << 20, 142e6, 2, 1 / 12], [1 << 20, 142e6, 4, 1 / 12], [256 << 10, 3e6, 3, 1 / 12],
    [10, 15, 2, 1 / 12], [0, 7, 4, 1 / 12], [1 << 20, 142e6, 2, 1 / 48], [256 << 10, 3e6, 3, 1 / 48], [10, 15, 2, 1 / 48]]) {
    const cuts = share === 1 / 12 ? partCuts(head, size, n) : partCuts(head, size, n, share);
    assert.equal(cuts.length, n + 1);
    assert.equal(cuts[0], head);
    assert.equal(cuts[n], size);
    for (let i = 0; i < n; i += 1) assert.ok(cuts[i] <= cuts[i + 1], `${cuts}`);
    // Each helper's part is (size − 2 × head) / (n + share), to a byte; the first part is the rest.
    const helper = (size - 2 * head) / (n + share);
    if (helper <= 0) continue;
    for (let i = 1; i < n; i += 1) assert.ok(Math.abs(cuts[i + 1] - cuts[i] - helper) <= 1, `${cuts}`);
    assert.ok(Math.abs(cuts[1] - cuts[0] - (helper * (1 + share) + head)) <= n, `${cuts}`);
  }
});

test('a helper given the head\'s bytes with its task saves the state it saves when it reads the head itself', async () => {
  const module = await loadEngine(wasmPath);
  const bytes = readFileSync(generated.lf);
  // The head ends at a record start: after the header and 1,500 rows (the generated rows hold no line
  // breaks inside quotes).
  let headEnd = 0;
  for (let lines = 0; lines < 1501; lines += 1) headEnd = bytes.indexOf(10, headEnd) + 1;
  const task = { config: JSON.stringify(CONFIGS[1]), name: 'g.csv', headEnd, chunkBytes: 1 << 20, start: Math.floor(bytes.length / 2), end: null };
  // Runs the task; `headRead`: whether it asked the file for a byte of the head.
  const run = async (extra) => {
    const file = fileSource(generated.lf);
    let headRead = false;
    let reads = 0;
    const source = {
      size: file.size,
      read: (start, end) => {
        headRead ||= start < headEnd;
        reads += 1;
        return file.read(start, end);
      },
      readInto: (start, end, heap, address) => {
        headRead ||= start < headEnd;
        return file.readInto(start, end, heap, address);
      },
    };
    try {
      return { ...await runTask(module, source, { ...task, ...extra }), headRead, reads };
    } finally {
      file.close();
    }
  };
  const read = await run({});
  const given = await run({ head: bytes.subarray(0, headEnd) });
  assert.ok(read.state && read.rows > 10000, `${read.rows} rows`);
  assert.deepEqual([read.headRead, given.headRead], [true, false]);
  // One read for the guess at `start` (its window and the byte before it); the part's bytes are read into
  // the module (readInto), and the end is the file's.
  assert.equal(given.reads, 1);
  assert.deepEqual([given.from, given.to, given.rows], [read.from, read.to, read.rows]);
  assert.ok(Buffer.from(given.state).equals(Buffer.from(read.state)), 'the states differ');
  // Bytes that are not the whole head (the merging worker no longer held them all) are not used.
  const short = await run({ head: bytes.subarray(0, headEnd - 1) });
  assert.equal(short.headRead, true);
  assert.ok(Buffer.from(short.state).equals(Buffer.from(read.state)));
});

test('a state is written at the start of the module\'s partSpare when that is large enough, else into a new array', async () => {
  const module = await loadEngine(wasmPath);
  const bytes = readFileSync(generated.lf);
  let headEnd = 0;
  for (let lines = 0; lines < 1501; lines += 1) headEnd = bytes.indexOf(10, headEnd) + 1;
  const task = { config: JSON.stringify(CONFIGS[1]), name: 'g.csv', headEnd, head: bytes.subarray(0, headEnd), chunkBytes: 1 << 20, start: Math.floor(bytes.length / 2), end: null };
  const run = async (spare) => {
    const file = fileSource(generated.lf);
    module.partSpare = spare;
    try {
      return await runTask(module, file, task);
    } finally {
      module.partSpare = null;
      file.close();
    }
  };
  const fresh = await run(undefined);
  const size = fresh.state.length;
  // A new buffer has room for a state a quarter larger (api.cpp, kpilens_state_piece: Node's build).
  assert.ok(size > 100_000, `${size} bytes`);
  assert.deepEqual([fresh.state.byteOffset, fresh.state.buffer.byteLength], [0, size + Math.ceil(size / 4)]);
  // Filled with 0xee first: every byte of the state must be written over.
  const spare = new ArrayBuffer(size + 4096);
  new Uint8Array(spare).fill(0xee);
  const inSpare = await run(spare);
  assert.equal(inSpare.state.buffer, spare);
  assert.deepEqual([inSpare.state.byteOffset, inSpare.state.length], [0, size]);
  assert.ok(Buffer.from(inSpare.state).equals(Buffer.from(fresh.state)), 'the states differ');
  const small = new ArrayBuffer(size - 1);
  const notInSmall = await run(small);
  assert.notEqual(notInSmall.state.buffer, small);
  assert.equal(notInSmall.state.buffer.byteLength, size + Math.ceil(size / 4));
  assert.ok(Buffer.from(notInSmall.state).equals(Buffer.from(fresh.state)), 'the states differ');
});

test('a kept pool\'s readers write each state into the buffer of their previous one, and the reports stay the sequential ones', async () => {
  // (node_engine.mjs PartPool: recycle() after each file, the spare sent with the next task.)
  const readers = await startPartReaders({ workers: 1, modulePath: wasmPath });
  try {
    const [reader] = readers.readers;
    assert.equal(reader.spare, null);
    // The larger file's state after the smaller's (its spare too small) and again (large enough), then the
    // smaller's into the larger's buffer; each report the sequential one.
    const lengths = [];
    for (const path of [generated.crlf, generated.lf, generated.lf, generated.crlf]) {
      const stats = {};
      const got = await reportFromFilesParallel([path], CONFIGS[1], { ...SPLIT, readers, stats });
      assert.equal(stats.files[0].parts, 2);
      assert.equal(got, await reportFromFiles([path], CONFIGS[1]), path);
      assert.ok(reader.spare instanceof ArrayBuffer && reader.spare.byteLength > 0, 'no spare kept');
      lengths.push(reader.spare.byteLength);
      // The cuts give the helper a larger part (a smaller share for its save) when its spare should hold
      // its state: for the same file's half again (after the head), not for a part five times as large.
      const half = (statSync(path).size - 2 * SPLIT.headBytes) / 2;
      assert.deepEqual([readers.saveShare(half), readers.saveShare(5 * half)], [1 / 48, undefined]);
    }
    // The smaller file's states went into the larger's buffer (a new one would be a quarter larger than
    // theirs: the first length); the larger's into a new one once, then into that.
    assert.ok(lengths[1] > lengths[0], `${lengths}`);
    assert.deepEqual(lengths.slice(2), [lengths[1], lengths[1]]);
    // A task with no state (no record start in its range) or a failed one sends the spare back.
    const size = statSync(generated.lf).size;
    const task = { kind: 'part', input: generated.lf, name: 'g.csv', config: JSON.stringify(CONFIGS[1]), headEnd: 0, chunkBytes: 1 << 20, start: size - 1, end: null };
    assert.equal((await reader.run(task)).state, null);
    assert.equal(reader.spare?.byteLength, lengths[1]);
    await assert.rejects(reader.run({ ...task, input: join(dir, 'missing.csv') }));
    assert.equal(reader.spare?.byteLength, lengths[1]);
    // Two tasks in one file, the larger first (a take-over's second task may be smaller): the spare is the
    // larger's buffer. (The head: the header and 1,500 rows, as the merging thread would send it.)
    const bytes = readFileSync(generated.lf);
    let headEnd = 0;
    for (let lines = 0; lines < 1501; lines += 1) headEnd = bytes.indexOf(10, headEnd) + 1;
    const withHead = { ...task, headEnd, head: bytes.subarray(0, headEnd) };
    reader.spare = null;
    const large = await reader.run({ ...withHead, start: Math.floor(size / 4) });
    const small = await reader.run({ ...withHead, start: size - (200 << 10) });
    assert.ok(large.to - large.from > 4 * (small.to - small.from), JSON.stringify([large.from, large.to, large.state?.length, small.from, small.to, small.state?.length]));
    readers.recycle();
    assert.equal(reader.spare, large.state.buffer);
  } finally {
    await readers.close();
  }
});

test('mergePart refuses a state that is not Module.mergeState at the size given, and changes nothing', async () => {
  const module = await loadEngine(wasmPath);
  const dataset = new module.Dataset('{}');
  try {
    dataset.beginFile('a.csv');
    for (const [state, size] of [[null, 0], [new Uint8Array(10), 11], [new Uint8Array(10), 9]]) {
      module.mergeState = state;
      const merged = JSON.parse(dataset.mergePart(size));
      assert.equal(merged.status, 'corrupt');
      assert.match(merged.why, /mergeState/);
    }
    module.mergeState = null;
    assert.equal(dataset.rowsRead(), 0);
  } finally {
    module.mergeState = null;
    dataset.delete();
  }
});

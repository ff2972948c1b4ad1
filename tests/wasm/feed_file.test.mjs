// feedFile (wasm/bindings/node_engine.mjs): a file read into the two halves of the chunk buffer in turn,
// the next slice read while the engine decodes this one. Its reports are reportFromBuffers' (the bytes
// copied in from memory, no file read), whatever the slice, and with a module built before pushChunkAt; the
// next slice is read during the engine's call; a memory grown while a read is in flight still gets the
// read's bytes; an engine call that throws leaves no read running on a closed file.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { feedFile, loadEngine, reportFromBuffers, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';
import { generatedExport } from './generated_export.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = JSON.stringify({ grain: 'week', by_if_mapped: ['channel', 'agent'] });
// ~1.4 MB: several slices of 256 KiB, one slice of the default 2 MiB.
const generated = generatedExport('feed-file', { rows: 10000, seed: 3 });
let engine;

before(async () => {
  engine = await loadEngine();
});

const fromMemory = (path) => reportFromBuffers([{ name: basename(path), bytes: readFileSync(path) }], CONFIG);

/** The report of `path` fed by feedFile to a Dataset seen through `wrap` (which may stand in for its calls). */
async function feedThrough(path, sliceBytes, wrap = (dataset) => dataset) {
  const dataset = new engine.Dataset(CONFIG);
  try {
    dataset.beginFile(basename(path));
    await feedFile(engine, wrap(dataset), path, sliceBytes);
    dataset.endFile();
    return dataset.report();
  } finally {
    dataset.delete();
  }
}

test('the report is the one of the bytes given from memory, whatever the slice', async () => {
  const expected = await fromMemory(generated.path);
  assert.equal(JSON.parse(expected).input.rows_used, 10000);
  for (const sliceBytes of [undefined, 256 << 10, 4096, 1000]) {
    assert.equal(await feedThrough(generated.path, sliceBytes), expected, `slices of ${sliceBytes ?? 'READ_BYTES'}`);
  }
  const fixture = join(root, 'tests/fixtures/zendesk_tickets.csv');
  assert.equal(await reportFromFiles([fixture], CONFIG, { chunkBytes: 7 }), await fromMemory(fixture));
});

test('a module without pushChunkAt (a build before it) is fed a slice after another, as it was then', async () => {
  let pushes = 0;
  const report = await feedThrough(generated.path, undefined, (dataset) => ({
    chunkBuffer: (size) => dataset.chunkBuffer(size),
    pushChunk(size) {
      assert.ok(size <= 1 << 20);
      pushes += 1;
      dataset.pushChunk(size);
    },
  }));
  assert.equal(report, await fromMemory(generated.path));
  assert.equal(pushes, 2, 'the ~1.4 MB file in two pushes of at most 1 MiB');
});

test('the next slice is read while the engine decodes this one', async () => {
  const sliceBytes = 256 << 10;
  const file = readFileSync(generated.path);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let base = 0;
  let slice = 0; // the slice being pushed
  let arrived = 0; // pushes during which the next slice landed in the other half
  const report = await feedThrough(generated.path, sliceBytes, (dataset) => ({
    chunkBuffer(size) {
      base = dataset.chunkBuffer(size);
      return base;
    },
    pushChunkAt(address, size) {
      // The next slice's bytes, in the other half: not there yet when the push begins (its read was just
      // issued), there a moment later while this thread is still in the push, without a turn of the event
      // loop. A driver that read before it pushed would have them there already.
      const next = file.subarray((slice + 1) * sliceBytes, (slice + 2) * sliceBytes);
      const other = address < base + sliceBytes ? base + sliceBytes : base;
      const there = () => Buffer.compare(engine.HEAPU8.subarray(other, other + next.length), next) === 0;
      if (next.length > 0 && !there()) {
        for (let waited = 0; waited < 2000 && !there(); waited += 5) Atomics.wait(sleeper, 0, 0, 5);
        assert.ok(there(), `slice ${slice + 1} was read during the push of slice ${slice}`);
        arrived += 1;
      }
      slice += 1;
      dataset.pushChunkAt(address, size);
    },
  }));
  assert.ok(slice >= 5, `${slice} slices`);
  assert.ok(arrived >= 1, 'some slice arrived while the one before was being pushed');
  assert.equal(report, await fromMemory(generated.path));
});

test('the memory grows while a read is in flight: the read lands in the module (V8 grows it in place)', async () => {
  const expected = await fromMemory(generated.path);
  let grown = 0;
  const held = [];
  const report = await feedThrough(generated.path, 256 << 10, (dataset) => ({
    chunkBuffer: (size) => dataset.chunkBuffer(size),
    pushChunkAt(address, size) {
      if (grown < 2) {
        // As the engine may, allocating while it decodes: here before it does, the next slice's read just
        // issued. HEAPU8 is a new view afterwards.
        const before = engine.HEAPU8.buffer;
        held.push(engine._malloc(engine.HEAPU8.length));
        assert.notEqual(engine.HEAPU8.buffer, before, 'the memory grew');
        grown += 1;
      }
      dataset.pushChunkAt(address, size);
    },
  }));
  held.forEach((pointer) => engine._free(pointer));
  assert.equal(grown, 2);
  assert.equal(report, expected);
});

test('an engine call that throws: the read in flight ends before the file is closed, and the error comes out', async () => {
  const fds = () => readdirSync('/proc/self/fd').length;
  const open = fds();
  let pushes = 0;
  await assert.rejects(feedThrough(generated.path, 4096, (dataset) => ({
    chunkBuffer: (size) => dataset.chunkBuffer(size),
    pushChunkAt(address, size) {
      if (++pushes === 3) throw new Error('engine call failed');
      dataset.pushChunkAt(address, size);
    },
  })), /engine call failed/);
  assert.equal(pushes, 3);
  assert.equal(fds(), open, 'the file is closed');
});

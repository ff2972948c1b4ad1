// The idle touch of the module's memory (wasm/bindings/node_engine.mjs) never writes where something lives:
// it reads the heap's top again before each 1 MiB slice. A Dataset driven outside whileRunning, in a fresh
// module (so its groups take memory above the top the module had when the touch began), with turns of the
// event loop between its calls in which the touch's slices run, gives the report of the same bytes read
// without it. (Its own process, as node --test runs each file: memory_touch.test.mjs has the rest.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadEngine, memoryTouchSlices, reportFromBuffers } from '../../wasm/bindings/node_engine.mjs';
import { generatedExport } from './generated_export.mjs';

const CONFIG = JSON.stringify({ grain: 'week', by_if_mapped: ['channel', 'agent', 'team', 'priority'] });
const generated = generatedExport('memory-touch-live', { rows: 25000, seed: 11 });

test('a Dataset driven outside whileRunning while the touch runs between its calls gives the report from memory', async () => {
  const engine = await loadEngine(); // the touch begins now
  const bytes = readFileSync(generated.path);
  const dataset = new engine.Dataset(CONFIG);
  let report;
  let slicesBetween;
  try {
    dataset.beginFile('tickets.csv');
    // The first half at once, before the touch's first slice: the groups then hold values above the top
    // the module had when the touch began. Then a turn of the event loop after each 64 KiB: a slice of the
    // touch runs there, above the top as it is then.
    for (let offset = 0; offset < bytes.length; offset += 64 << 10) {
      const piece = bytes.subarray(offset, offset + (64 << 10));
      const address = dataset.chunkBuffer(piece.length); // (HEAPU8 read after it: it may grow the memory)
      engine.HEAPU8.set(piece, address);
      dataset.pushChunk(piece.length);
      if (offset >= bytes.length / 2) await sleep(1);
    }
    slicesBetween = memoryTouchSlices();
    dataset.endFile();
    report = dataset.report();
  } finally {
    dataset.delete();
  }
  assert.ok(slicesBetween >= 4, `${slicesBetween} slices of the touch ran between the dataset's calls`);
  assert.equal(JSON.parse(report).input.rows_used, 25000);
  assert.equal(report, await reportFromBuffers([{ name: 'tickets.csv', bytes }], CONFIG));
});

// heapTop(): the top of the module's heap (wasm/bindings/api.cpp), the "used" figure scripts/bench gives
// beside the memory's size. emmalloc takes memory from sbrk and never gives it back, so it only rises, stays
// within the memory, and is above what a run demonstrably holds at once (its 8 MiB chunk buffer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';

const fixture = join(fileURLToPath(new URL('../fixtures/', import.meta.url)), 'zendesk_tickets.csv');

test('heapTop() rises with what the engine holds, never falls, and stays within the memory', async () => {
  const engine = await loadEngine();
  const start = engine.heapTop();
  assert.ok(Number.isInteger(start) && start > 0, `${start}`);
  assert.ok(start <= engine.HEAPU8.buffer.byteLength);

  const chunkBytes = 8 << 20;
  await reportFromFiles([fixture], {}, { chunkBytes }); // the chunk buffer holds two slices of chunkBytes
  const afterRun = engine.heapTop();
  assert.ok(afterRun >= start + chunkBytes, `${start} → ${afterRun}`);
  assert.ok(afterRun <= engine.HEAPU8.buffer.byteLength);

  // Everything the run held is freed (the Dataset deleted): the top stays where it went.
  await reportFromFiles([fixture], {}, { chunkBytes: 64 << 10 });
  assert.equal(engine.heapTop(), afterRun, 'a smaller run fits in the memory freed, the top stays');
  const dataset = new engine.Dataset('{}');
  dataset.chunkBuffer(4 * chunkBytes);
  assert.ok(engine.heapTop() >= afterRun + 3 * chunkBytes, 'a larger buffer than ever before raises it');
  const raised = engine.heapTop();
  dataset.delete();
  assert.equal(engine.heapTop(), raised);
});

// The idle touch of the module's memory (wasm/bindings/node_engine.mjs): once loaded, the memory above the
// heap's top is made resident while no run is under way, so that a first run does not pay a page fault per
// 4 KiB of it. A run started at once pauses it (no slice runs during the run, however many turns of the
// event loop it lets by) and gives the report of the same bytes from memory; the touch resumes after it,
// memoryTouched() keeps the process alive until it is done, and then reading a byte of every page above the
// top faults almost no page. (Its own process, as node --test runs each file: the touch is done once per
// loaded module. memory_touch_live.test.mjs drives a Dataset while the touch runs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine, memoryTouchSlices, memoryTouched, reportFromBuffers, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';
import { generatedExport } from './generated_export.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = JSON.stringify({ grain: 'week', by_if_mapped: ['channel', 'agent', 'team', 'priority'] });
const PAGE = 4096;
// ~3.5 MB: groups whose exact values grow while the file is read.
const generated = generatedExport('memory-touch', { rows: 25000, seed: 11 });

test('a run started at once pauses the touch, gives the report from memory, and the touch resumes after it', async () => {
  assert.throws(() => memoryTouched(), /loadEngine\(\) first/);
  await loadEngine(); // the touch's first slice is due on a timer
  // 64 KiB slices: ~55 reads, each a turn of the event loop in which a slice would run if not paused.
  const report = await reportFromFiles([generated.path], CONFIG, { chunkBytes: 64 << 10 });
  assert.equal(memoryTouchSlices(), 0, 'no slice of the touch ran during the run');
  assert.equal(JSON.parse(report).input.rows_used, 25000);
  assert.equal(report, await reportFromBuffers([{ name: 'tickets.csv', bytes: readFileSync(generated.path) }], CONFIG));
  await memoryTouched(); // (awaited: the touch keeps the process alive until it is done)
  assert.ok(memoryTouchSlices() >= 16, `${memoryTouchSlices()} slices of 1 MiB`);
});

test('once the touch is done, the memory above the heap\'s top is resident: reading it faults (almost) no page', async () => {
  const engine = await loadEngine();
  await memoryTouched();
  const heap = engine.HEAPU8;
  const from = Math.ceil(engine.heapTop() / PAGE) * PAGE;
  const pages = (heap.length - from) / PAGE;
  assert.ok(pages >= 1024, `${pages} pages above the heap's top`); // (of the 32 MiB the module starts with)
  const before = process.resourceUsage().minorPageFault;
  let sum = 0;
  for (let at = from; at < heap.length; at += PAGE) sum += heap[at];
  const faults = process.resourceUsage().minorPageFault - before;
  assert.equal(sum, 0, 'the memory above the top is zeros');
  // (Other threads of the process, V8's, may fault a few pages meanwhile. Without the touch: one a page.)
  assert.ok(faults < pages / 20, `${faults} page faults reading ${pages} pages`);
});

test('memoryTouched() alone keeps a process alive until the touch is done', () => {
  const script = `import { loadEngine, memoryTouched, memoryTouchSlices } from ${JSON.stringify(join(root, 'wasm/bindings/node_engine.mjs'))};
await loadEngine(); await memoryTouched(); process.stdout.write(String(memoryTouchSlices()));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: process.env });
  assert.ok(Number(out) >= 16, `${out} slices`);
});

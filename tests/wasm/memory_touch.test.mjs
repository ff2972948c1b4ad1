// The idle touch of the module's memory (wasm/bindings/node_engine.mjs): once loaded, the memory above the
// heap's top is made resident while no run is under way, so that a first run does not pay a page fault per
// 4 KiB of it. Once it is done, reading a byte of every page above the top faults almost no page; a run
// pauses it (its report is the one of the same bytes from memory); a Dataset driven outside
// whileRunning, with turns of the event loop between its calls (the touch's slices in between), gives the
// same report too: the touch never writes where something lives. (Its own process: node --test runs each
// file in one, and the touch is done once per loaded module.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadEngine, memoryTouched, reportFromBuffers, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = JSON.stringify({ grain: 'week', by_if_mapped: ['channel', 'agent', 'team', 'priority'] });
const PAGE = 4096;
let dir;
let exportPath;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kpilens-memory-touch-'));
  exportPath = join(dir, 'tickets.csv');
  // ~3.5 MB: more than one 2 MiB slice, groups whose exact values grow while the file is read.
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', '25000', '--seed', '11', '--out', exportPath]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a Dataset driven outside whileRunning while the touch runs between its calls gives the report from memory', async () => {
  assert.throws(() => memoryTouched(), /loadEngine\(\) first/);
  const engine = await loadEngine(); // the touch begins now
  const bytes = readFileSync(exportPath);
  const dataset = new engine.Dataset(CONFIG);
  let report;
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
    dataset.endFile();
    report = dataset.report();
  } finally {
    dataset.delete();
  }
  assert.equal(JSON.parse(report).input.rows_used, 25000);
  assert.equal(report, await reportFromBuffers([{ name: 'tickets.csv', bytes }], CONFIG));
});

test('once the touch is done, the memory above the heap\'s top is resident: reading it faults (almost) no page', async () => {
  const engine = await loadEngine();
  const report = await reportFromFiles([exportPath], CONFIG); // (a run: the touch waits for its end)
  assert.equal(report, await reportFromBuffers([{ name: 'tickets.csv', bytes: readFileSync(exportPath) }], CONFIG));
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
  // (Other threads of the process, V8's, may fault a few pages meanwhile.)
  assert.ok(faults < pages / 20, `${faults} page faults reading ${pages} pages`);
});

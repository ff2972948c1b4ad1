// The module's stack is 1 MiB of its memory (wasm/bindings/CMakeLists.txt), and an overflow there would
// write over the static data below it without a word. kpilens.stackcheck.cjs is the same Node build with
// an eighth of that stack, 128 KiB, checked at every change of the stack pointer: here the deepest input
// the engine takes (a config nested to and past the parser's depth limit: its syntax check recurses, and
// needs 64-128 KiB), JSON exports nested as deep (read with a stack of their own: they pass with 64 KiB,
// and must not come to need more) and the page's report on a generated export, read with one thread and
// with two, go through it, and each report must be the native CLI's byte for byte. A change that needs
// more stack fails here, long before the limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine, reportFromFiles, reportFromFilesParallel } from '../../wasm/bindings/node_engine.mjs';
import { assertSameAsCli, cliReport } from './same_as_cli.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = resolve(root, process.env.KPILENS_CLI ?? 'build/native/wasm/cli/kpilens');
const wasmPath = resolve(root, process.env.KPILENS_WASM ?? 'build/wasm/kpilens.node.cjs');
const checkPath = join(dirname(wasmPath), 'kpilens.stackcheck.cjs');
const PAGE_CONFIG = { grain: 'week', by_if_mapped: ['channel', 'agent', 'team', 'priority'] };
const dir = mkdtempSync(join(tmpdir(), 'kpilens-stack-'));

before(async () => {
  assert.ok(existsSync(cliPath), `CLI not found at ${cliPath}: build it or set KPILENS_CLI`);
  assert.ok(existsSync(checkPath), `the stack-checked module is not at ${checkPath}: scripts/build wasm-tests makes it`);
  // `scripts/build wasm` alone leaves an older one in place: it would test an engine that is gone.
  if (existsSync(wasmPath)) {
    assert.ok(statSync(join(dirname(wasmPath), 'kpilens.stackcheck.wasm')).mtimeMs >= statSync(wasmPath.replace(/\.cjs$/, '.wasm')).mtimeMs,
      `${checkPath} is older than ${wasmPath}: scripts/build wasm-tests links it again`);
  }
  await loadEngine(checkPath);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** `wasm` must be the CLI's report of `file` with `config` (or, when the CLI fails, list its errors). */
function assertSameAsCliReport(wasm, file, config, what) {
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, typeof config === 'string' ? config : JSON.stringify(config));
  assertSameAsCli(cliReport(cliPath, configFile, [file]), wasm, configFile, what);
}

const nested = (depth) => '['.repeat(depth) + ']'.repeat(depth);

test('the stack-checked module checks its stack', () => {
  // Emscripten's message for a stack pointer set past the stack's limits, in the checked build's glue only.
  assert.ok(readFileSync(checkPath, 'utf8').includes('Attempt to set SP'));
});

test('a config nested to and past the depth limit fits in an eighth of the stack', async () => {
  const file = join(root, 'tests/fixtures/zendesk_tickets.csv');
  for (const depth of [1000, 1024, 1025, 5000]) {
    const config = `{"grain":"week","unknown":${nested(depth)}}`;
    assertSameAsCliReport(await reportFromFiles([file], config), file, config, `config nested ${depth} deep`);
  }
});

test('a JSON export nested to and past the depth limit fits in an eighth of the stack', async () => {
  for (const depth of [999, 1000, 1024, 5000]) {
    const file = join(dir, `nested-${depth}.json`);
    writeFileSync(file, `{"tickets":[{"id":1,"created_at":"2024-01-01T10:00:00Z","deep":${nested(depth)}},` +
      '{"id":2,"created_at":"2024-01-02T10:00:00Z","status":"solved"}]}');
    assertSameAsCliReport(await reportFromFiles([file], {}), file, {}, `export nested ${depth} deep`);
  }
});

test("the page's report, with one thread and two, fits in an eighth of the stack", async () => {
  const file = join(dir, 'tickets.csv');
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', '20000', '--seed', '5', '--out', file]);
  const one = await reportFromFiles([file], PAGE_CONFIG);
  assertSameAsCliReport(one, file, PAGE_CONFIG, 'the page config, one thread');
  const stats = {};
  const two = await reportFromFilesParallel([file], PAGE_CONFIG, { workers: 2, minParallelBytes: 0, modulePath: checkPath, stats });
  assert.equal(stats.files[0].parts, 2, 'read in two parts');
  assert.equal(two, one, 'the page config, two threads');
});

test('a subscriptions export fits in an eighth of the stack', async () => {
  const file = join(dir, 'subscriptions.csv');
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--kind', 'subscriptions', '--customers', '3000', '--seed', '9', '--out', file]);
  assertSameAsCliReport(await reportFromFiles([file], {}), file, {}, 'subscriptions');
});

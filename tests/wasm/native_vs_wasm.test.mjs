// The native CLI and the wasm module run the same engine: for the same bytes and config their reports
// must be byte-identical, and the wasm report must not depend on how the input is sliced into chunks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';
import { listFixtures } from './fixture_files.mjs';
import { assertSameAsCli, cliReport } from './same_as_cli.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = resolve(root, process.env.KPILENS_CLI ?? 'build/native/wasm/cli/kpilens');
const wasmPath = resolve(root, process.env.KPILENS_WASM ?? 'build/wasm/kpilens.node.cjs');
const fixturesDir = join(root, 'tests/fixtures');

const CONFIGS = [
  {},
  { grain: 'month', by: ['channel', 'agent'] },
  { grain: 'day', utc_offset: '+05:30' },
  { grain: 'week', week_start: 'sunday', by: ['status'] },
];
const SMALL_FILE_BYTES = 256 << 10; // 7-byte chunks only below this size

// Inputs are known when the module loads (fixtures listed, generated files named), so each gets its tests.
const dir = mkdtempSync(join(tmpdir(), 'kpilens-native-wasm-'));
const generated = [
  { path: join(dir, 'generated_20000.csv'), args: ['--rows', '20000', '--seed', '7'] },
  { path: join(dir, 'generated_300_crlf.csv'), args: ['--rows', '300', '--seed', '11', '--crlf'] },
];
const inputs = [...listFixtures(fixturesDir), ...generated.map((g) => g.path)];
const configFiles = CONFIGS.map((config, i) => join(dir, `config-${i}.json`));

const runCli = (file, configIndex) => cliReport(cliPath, configFiles[configIndex], [file]);

const label = (file) => (file.startsWith(dir) ? 'generated ' + relative(dir, file) : relative(root, file));

before(async () => {
  assert.ok(existsSync(cliPath), `CLI not found at ${cliPath}: build it or set KPILENS_CLI`);
  assert.ok(existsSync(wasmPath), `wasm module not found at ${wasmPath}: build it or set KPILENS_WASM`);
  await loadEngine(wasmPath);
  CONFIGS.forEach((config, i) => writeFileSync(configFiles[i], JSON.stringify(config)));
  for (const g of generated) execFileSync(join(root, 'scripts/gen'), [...g.args, '--out', g.path]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

for (const file of inputs) {
  test(`${label(file)}: the CLI and the wasm module give byte-identical reports for each config`, async () => {
    for (const [i, config] of CONFIGS.entries()) {
      const what = `${label(file)} with ${JSON.stringify(config)}`;
      const wasm = await reportFromFiles([file], JSON.stringify(config));
      assertSameAsCli(runCli(file, i), wasm, configFiles[i], what);
    }
  });

  test(`${label(file)}: the wasm report does not depend on the chunk size`, async () => {
    const small = statSync(file).size <= SMALL_FILE_BYTES;
    const sizes = small ? [1 << 20, 64 << 10, 1000, 7] : [1 << 20, 64 << 10, 1000];
    // Every config on small files; on large ones the default and the breakdown config.
    const configs = small ? CONFIGS : CONFIGS.slice(0, 2);
    for (const config of configs) {
      const text = JSON.stringify(config);
      const reference = await reportFromFiles([file], text, { chunkBytes: 8 << 20 });
      for (const chunkBytes of sizes) {
        const got = await reportFromFiles([file], text, { chunkBytes });
        assert.equal(got, reference, `${label(file)} with ${text}: ${chunkBytes}-byte chunks change the report`);
      }
    }
  });
}

test('the generated files are read by both builds (not refused)', async () => {
  for (const { path } of generated) {
    const report = JSON.parse(await reportFromFiles([path], '{}'));
    assert.equal(report.ok, true, `${label(path)} is read`);
    assert.equal(report.input.rows_rejected, 0);
    assert.equal(runCli(path, 0).status, 0);
  }
});

test('the activity dataset: the same report and health CSV from the CLI and the wasm module', async () => {
  const folder = join(fixturesDir, 'customers/activity');
  const config = join(folder, 'config.json');
  const files = ['tickets.csv', 'customers.csv', 'subscriptions.csv', 'orders.csv', 'events.csv', 'survey.csv']
    .map((name) => join(folder, name));
  const { readFileSync } = await import('node:fs');
  const wasm = await reportFromFiles(files, readFileSync(config, 'utf8'), { healthCsv: true });
  for (const [format, expected] of [['json', wasm.report + '\n'], ['health-csv', wasm.healthCsv]]) {
    const result = spawnSync(cliPath, ['report', '--config', config, '--format', format, ...files], { maxBuffer: 1 << 28 });
    assert.equal(result.status, 0, result.stderr.toString('utf8'));
    assert.equal(result.stdout.toString('utf8'), expected, `--format ${format}`);
  }
  assert.equal(wasm.healthCsv.trimEnd().split('\n').length, 4);
});

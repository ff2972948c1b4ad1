// same_as_cli: the one comparison of a wasm report with the native CLI's for the same files and config file,
// for the tests that hold the two builds to the same bytes (native_vs_wasm, stack_depth).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** The CLI's `report --config configFile` of `files`: its exit status, standard output and error as text. */
export function cliReport(cliPath, configFile, files) {
  const result = spawnSync(cliPath, ['report', '--config', configFile, ...files], { maxBuffer: 1 << 30 });
  assert.equal(result.error, undefined, `the CLI could not be run: ${result.error}`);
  return { status: result.status, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
}

/**
 * `wasm` (the module's report text) must be the CLI's report of the same input, byte for byte (the CLI adds a
 * newline). An input the engine refuses, or a config it cannot use: the CLI prints no report and exits 1 with
 * the report's errors, one per line (naming the config file before a config's errors), and the wasm report
 * says `ok: false` with the same errors.
 */
export function assertSameAsCli(cli, wasm, configFile, what) {
  if (cli.status === 0) {
    assert.ok(cli.stdout.endsWith('\n'), `${what}: CLI output ends with a newline`);
    assert.equal(cli.stdout.slice(0, -1), wasm, `${what}: CLI and wasm reports differ`);
    return;
  }
  const parsed = JSON.parse(wasm);
  assert.equal(cli.status, 1, `${what}: CLI exit status (stderr: ${cli.stderr})`);
  assert.equal(cli.stdout, '', `${what}: no report on stdout after an error`);
  assert.equal(parsed.ok, false, `${what}: the wasm report says the input failed`);
  const lines = cli.stderr.trimEnd().split('\n').map((line) => line.replace(`${configFile}: `, ''));
  assert.deepEqual(lines, parsed.errors.map((e) => `kpilens: ${e}`), `${what}: CLI stderr lists the report's errors`);
}

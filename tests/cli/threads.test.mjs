// kpilens report --threads N (wasm/cli/parallel_file.cpp): a ticket CSV of 32 MiB or more read by N threads
// gives the one-thread report byte for byte, in every format and with several files; small files and the
// flag's errors behave as documented.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = resolve(root, process.env.KPILENS_CLI ?? 'build/native/wasm/cli/kpilens');
const dir = mkdtempSync(join(tmpdir(), 'kpilens-threads-'));
const big = join(dir, 'big.csv');
const bigCrlf = join(dir, 'big_crlf.csv');

function run(args) {
  const result = spawnSync(cliPath, ['report', ...args], { maxBuffer: 1 << 30 });
  return { status: result.status, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
}

before(() => {
  // ~142 bytes a row: 260,000 rows ≈ 37 MB, over the 32 MiB threshold.
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', '260000', '--seed', '12', '--out', big]);
  execFileSync(process.execPath, [join(root, 'scripts/gen.mjs'), '--rows', '250000', '--seed', '13', '--crlf', '--out', bigCrlf]);
  assert.ok(statSync(big).size > 32 << 20 && statSync(bigCrlf).size > 32 << 20);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('--threads 2, 3 and 4 give the one-thread report, byte for byte', () => {
  const weekly = ['--figures', 'tickets,csat,nps,fcr,first_response_time_mean,resolution_time_mean,resolution_time_median'];
  for (const args of [[big], ['--by', 'channel', '--grain', 'month', bigCrlf], ['--format', 'csv', big], ['--by', 'agent', bigCrlf, big], [...weekly, big]]) {
    const one = run(args);
    assert.equal(one.status, 0, one.stderr);
    for (const threads of ['2', '3', '4']) {
      const many = run(['--threads', threads, ...args]);
      assert.equal(many.status, 0, many.stderr);
      assert.equal(many.stdout, one.stdout, `--threads ${threads} ${args.join(' ')}`);
    }
  }
});

test('a breakdown past max_segments is read again with one thread: the same report', () => {
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ by: ['agent'], max_segments: 2 }));
  const one = run(['--config', config, big]);
  const many = run(['--threads', '2', '--config', config, big]);
  assert.equal(one.status, 0, one.stderr);
  assert.equal(many.stdout, one.stdout);
});

test('--threads needs a whole number from 1 to 64', () => {
  for (const bad of ['0', 'two', '65', '']) {
    const result = run(['--threads', bad, big]);
    assert.equal(result.status, 2, `--threads '${bad}'`);
    assert.match(result.stderr, /--threads must be a whole number from 1 to 64/);
  }
});

test('rows too wide for the first head: the head grows, and the report is the one-thread one', () => {
  // ~1 KB rows: the 256 KiB head holds ~250 rows, short of the 1,000 the date order is inferred from, so
  // the head doubles (wasm/cli/parallel_file.cpp) before the parts are cut.
  const wide = join(dir, 'wide.csv');
  const lines = ['Id,Created at,Solved at,Status,Via,Assignee,Satisfaction Score,Comment'];
  for (let i = 0; i < 36000; i += 1) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(`${i},2024-03-${day} 08:${String(i % 60).padStart(2, '0')}:00,2024-03-${day} 17:00:00,Solved,` +
      `${['email', 'chat'][i % 2]},Agent ${i % 7},${i % 3 ? '' : 1 + (i % 5)},${'x'.repeat(900 + (i % 50))}`);
  }
  writeFileSync(wide, lines.join('\n') + '\n');
  assert.ok(statSync(wide).size > 32 << 20);
  const one = run(['--by', 'agent', wide]);
  assert.equal(one.status, 0, one.stderr);
  for (const threads of ['2', '3']) {
    const many = run(['--threads', threads, '--by', 'agent', wide]);
    assert.equal(many.status, 0, many.stderr);
    assert.equal(many.stdout, one.stdout, `--threads ${threads}`);
  }
});

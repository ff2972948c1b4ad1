// The subscription sample the page makes (web/sample_subscriptions.js) and the history scripts/gen writes
// with --kind subscriptions are the same bytes, and the generator still writes what it wrote before it
// moved out of scripts/lib/gen_subscriptions.mjs (the oracle and memory figures were measured on it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SAMPLE_SUBSCRIPTIONS, sampleSubscriptionsCsv, generateSubscriptionBlocks } from '../../web/sample_subscriptions.js';

const gen = fileURLToPath(new URL('../../scripts/gen.mjs', import.meta.url));
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const cli = (...args) => execFileSync(process.execPath, [gen, '--kind', 'subscriptions', ...args], { maxBuffer: 1 << 26 });

test('the page sample is what scripts/gen writes for --kind subscriptions --customers 300 --seed 42', () => {
  assert.equal(SAMPLE_SUBSCRIPTIONS.customers, 300);
  assert.equal(SAMPLE_SUBSCRIPTIONS.seed, 42);
  assert.ok(Buffer.from(sampleSubscriptionsCsv(), 'utf8').equals(cli('--customers', '300', '--seed', '42')));
});

// sha256 and length of `scripts/gen.mjs --kind subscriptions …` at fc696f0, when the generator was
// scripts/lib/gen_subscriptions.mjs (before the move).
const BEFORE_THE_MOVE = [
  { args: ['--customers', '300', '--seed', '42'], bytes: 57326, sha: 'b55ec6a567eecab454204d291ce23ac321aa525fe2446be05c56d3fd3c56e808' },
  { args: ['--customers', '2000', '--seed', '1'], bytes: 382050, sha: 'd245a06032d673edf49a230a3e859ad29b5590a94207797c797c0a4ebefb05d5' },
  {
    args: ['--customers', '500', '--seed', '7', '--start', '2022-03-31', '--months', '14'],
    bytes: 77108, sha: '3c0a4ec34c7a2e6843c6ddba9aad362c2ee9558046aa86cc6000bda9a35deff9',
  },
];

for (const { args, bytes, sha } of BEFORE_THE_MOVE) {
  test(`scripts/gen ${args.join(' ')} writes the bytes it wrote before the generator moved`, () => {
    const out = cli(...args);
    assert.equal(out.length, bytes);
    assert.equal(sha256(out), sha);
  });
}

test('the blocks join to the same text whatever their size', () => {
  const options = { customers: 200, seed: 3 };
  const whole = [...generateSubscriptionBlocks(options, 1 << 30)].join('');
  const small = [...generateSubscriptionBlocks(options, 1000)];
  assert.ok(small.length > 5, 'small blocks');
  assert.equal(small.join(''), whole);
});

test('scripts/gen refuses a start that is not a calendar day', () => {
  assert.throws(() => cli('--customers', '3', '--start', '2023-02-30'), /--start must be a date/);
});

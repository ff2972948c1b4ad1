// The sample export the page makes (web/sample_tickets.js) and the one scripts/gen writes are the same
// bytes: the page no longer inlines a copy, so the generator is the only source of both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SAMPLE_TICKETS, sampleTicketsCsv, generateTickets } from '../../web/sample_tickets.js';

const gen = fileURLToPath(new URL('../../scripts/gen.mjs', import.meta.url));
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

test('the page sample is what scripts/gen writes for --rows 1000 --seed 42', () => {
  const cli = execFileSync(process.execPath, [gen, '--rows', '1000', '--seed', '42'], { maxBuffer: 1 << 24 });
  assert.equal(SAMPLE_TICKETS.rows, 1000);
  assert.equal(SAMPLE_TICKETS.seed, 42);
  assert.ok(Buffer.from(sampleTicketsCsv(), 'utf8').equals(cli));
});

test('the page sample has the bytes the generator made before it moved out of scripts/gen', () => {
  // sha256 and length of `scripts/gen.mjs --rows 1000 --seed 42` at d192387 (before the split), which
  // is also what the page inlined until then (build/web/sample-tickets.csv).
  const bytes = Buffer.from(sampleTicketsCsv(), 'utf8');
  assert.equal(bytes.length, 138637);
  assert.equal(sha256(bytes), 'd0eb96d0a93cbf4a8dbcdcf9d30ff6535ced51abb4bbf14a1830c13cccf3faf0');
});

test('scripts/gen hands --crlf, --weeks and --start to the generator', () => {
  const options = { rows: 3000, seed: 7, crlf: true, weeks: 10, start: '2023-02-27' };
  const cli = execFileSync(process.execPath, [gen, '--rows', '3000', '--seed', '7', '--crlf', '--weeks', '10',
    '--start', '2023-02-27'], { maxBuffer: 1 << 24 });
  assert.ok(Buffer.from(generateTickets(options), 'utf8').equals(cli));
});

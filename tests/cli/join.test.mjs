// Survey answers with only the respondent's email join their customer's latest earlier ticket
// (tests/fixtures/join/README.md has the hand computation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = process.env.KPILENS_CLI;
const dir = join(root, 'tests/fixtures/join');

test('answers joined by customer email take the channel of the customer\'s latest earlier ticket', { skip: !cli && 'KPILENS_CLI is not set' }, () => {
  // The ticket file first on the command line: the CLI reads the survey file first by itself.
  const run = spawnSync(cli, ['report', '--by', 'channel', join(dir, 'tickets_with_requester.csv'), join(dir, 'answers_by_email.csv')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const csat = report.kpis.find((k) => k.id === 'csat');
  assert.equal(csat.value, 75);
  assert.equal(csat.n, 4);
  assert.deepEqual(report.segments.channel, ['(no ticket)', 'chat', 'email', 'phone']);
  assert.deepEqual(csat.breakdowns.channel.value, [100, 0, 100, null]);
  assert.deepEqual(csat.breakdowns.channel.n, [2, 1, 1, 0]);
  assert.equal(report.input.join.joined_by_customer, 2);
  assert.equal(report.input.join.without_ticket_id, 4);
  assert.equal(report.kpis.find((k) => k.id === 'tickets').value, 3);
});

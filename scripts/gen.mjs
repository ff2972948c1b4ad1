// gen: a deterministic synthetic helpdesk export (Zendesk-like columns) for tests and benchmarks.
// Same arguments → same bytes: one seeded PRNG (mulberry32) drives every choice, nothing reads the clock
// or Math.random. Rows are written in ~1 MiB blocks, so memory stays flat whatever --rows is.
//
//   scripts/gen --rows N [--seed S] [--out FILE] [--start YYYY-MM-DD] [--weeks W] [--crlf] [--dates iso|minutes|us|jira]
//               [--quotes needed|all]
//
// --dates writes the date-times as other helpdesks do (scripts/lib/date_layouts.mjs): `minutes` 2024-01-15
// 16:34 (as our Zendesk and Stripe fixtures), `us` 01/15/2024 16:34:31, `jira` 15/Jan/24 4:34 PM (to the
// minute); the default `iso` is 2024-01-15 16:34:31. --quotes all quotes every cell, an empty one as "" (as
// some tools and spreadsheets write CSV); by default only a cell that needs it is quoted.
//
// The data itself (and its shape, which tests may rely on) is made by web/sample_tickets.js, which the page
// also uses for its bundled sample; `--kind subscriptions` writes web/sample_subscriptions.js's history.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { generateBlocks } from '../web/sample_tickets.js';
import { generateSubscriptionBlocks } from '../web/sample_subscriptions.js';
import { dateLayout, LAYOUT_NAMES, rewriteDates } from './lib/date_layouts.mjs';

export { generateBlocks, generateSubscriptionBlocks };

export const QUOTINGS = ['needed', 'all'];
const USAGE = 'scripts/gen --rows N [--seed S] [--out FILE] [--start YYYY-MM-DD] [--weeks W] [--crlf] ' +
  `[--dates ${LAYOUT_NAMES.join('|')}] [--quotes ${QUOTINGS.join('|')}]`;
const SUBSCRIPTIONS_USAGE =
  'usage: scripts/gen --kind subscriptions --customers N [--seed S] [--start YYYY-MM-DD] [--months M] [--out FILE]';

// A real calendar day written YYYY-MM-DD (2023-02-30 is not one).
const isDay = (text) => /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) &&
  new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;

/** Reads the `--kind subscriptions` arguments (without `--kind`); throws with a message on a bad one. */
function parseSubscriptionArgs(argv) {
  const options = { customers: null, seed: 1, start: '2023-01-01', months: 36, out: null };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--customers') options.customers = Number(value());
    else if (a === '--seed') options.seed = Number(value());
    else if (a === '--start') options.start = value();
    else if (a === '--months') options.months = Number(value());
    else if (a === '--out') options.out = value();
    else if (a === '--help' || a === '-h') options.help = true;
    else throw new Error(`unknown argument '${a}'`);
  }
  if (options.help) return options;
  if (!Number.isSafeInteger(options.customers) || options.customers < 0) throw new Error('--customers must be a whole number ≥ 0');
  if (!Number.isSafeInteger(options.seed)) throw new Error('--seed must be a whole number');
  if (!Number.isSafeInteger(options.months) || options.months < 1 || options.months > 600) throw new Error('--months must be 1–600');
  if (!isDay(options.start)) throw new Error('--start must be a date like 2023-01-01');
  return options;
}

function parseArgs(argv) {
  const options = { rows: null, seed: 1, out: null, start: '2024-01-01', weeks: 52, crlf: false, dates: 'iso', quotes: 'needed' };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--rows') options.rows = Number(value());
    else if (a === '--seed') options.seed = Number(value());
    else if (a === '--out') options.out = value();
    else if (a === '--start') options.start = value();
    else if (a === '--weeks') options.weeks = Number(value());
    else if (a === '--crlf') options.crlf = true;
    else if (a === '--dates') options.dates = value();
    else if (a === '--quotes') options.quotes = value();
    else if (a === '--help' || a === '-h') options.help = true;
    else throw new Error(`unknown argument '${a}'`);
  }
  if (options.help) return options;
  if (!Number.isSafeInteger(options.rows) || options.rows < 0) throw new Error('--rows must be a whole number ≥ 0');
  if (!Number.isSafeInteger(options.seed)) throw new Error('--seed must be a whole number');
  if (!Number.isSafeInteger(options.weeks) || options.weeks < 1) throw new Error('--weeks must be ≥ 1');
  if (!LAYOUT_NAMES.includes(options.dates)) throw new Error(`--dates must be one of ${LAYOUT_NAMES.join(', ')}`);
  if (!QUOTINGS.includes(options.quotes)) throw new Error(`--quotes must be one of ${QUOTINGS.join(', ')}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.start) || Number.isNaN(Date.parse(options.start + 'T00:00:00Z'))) {
    throw new Error('--start must be a date like 2024-01-01');
  }
  return options;
}

async function writeAll(options) {
  const stream = options.out ? createWriteStream(options.out) : process.stdout;
  const layout = dateLayout(options.dates);
  for (const block of generateBlocks({ ...options, quoteAll: options.quotes === 'all' })) {
    if (!stream.write(rewriteDates(block, layout))) await once(stream, 'drain');
  }
  if (options.out) {
    stream.end();
    await once(stream, 'finish');
  }
}

// `--kind subscriptions` hands the other arguments to the subscription history generator
// (web/sample_subscriptions.js, which the page also uses for its sample); `--kind tickets` (the default)
// is the export above.
async function writeSubscriptions(argv) {
  let options;
  try {
    options = parseSubscriptionArgs(argv);
  } catch (error) {
    process.stderr.write(`gen: ${error.message}\n${SUBSCRIPTIONS_USAGE}\n`);
    process.exit(2);
  }
  if (options.help) return void process.stdout.write(SUBSCRIPTIONS_USAGE + '\n');
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const stream = options.out ? createWriteStream(options.out) : process.stdout;
  for (const block of generateSubscriptionBlocks(options)) {
    if (!stream.write(block)) await once(stream, 'drain');
  }
  if (options.out) {
    stream.end();
    await once(stream, 'finish');
  }
}

async function main() {
  let argv = process.argv.slice(2);
  const kindAt = argv.indexOf('--kind');
  if (kindAt >= 0) {
    const kind = argv[kindAt + 1];
    argv = [...argv.slice(0, kindAt), ...argv.slice(kindAt + 2)];
    if (kind === 'subscriptions') return writeSubscriptions(argv);
    if (kind !== 'tickets') {
      process.stderr.write(`gen: --kind must be tickets or subscriptions\n`);
      process.exit(2);
    }
  }
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`gen: ${error.message}\nusage: ${USAGE}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return;
  }
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  await writeAll(options);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();

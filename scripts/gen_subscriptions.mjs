// gen_subscriptions: a deterministic synthetic subscriptions export (Stripe Dashboard-like columns) for
// tests and benchmarks of the customers section. Same arguments → same bytes: one seeded PRNG
// (mulberry32), nothing reads the clock or Math.random. Rows go out in ~1 MiB blocks, so memory stays flat.
//
//   node scripts/gen_subscriptions.mjs --rows N [--seed S] [--out FILE] [--start YYYY-MM-DD] [--months M]
//
// Shape of the data (what tests may rely on):
// - Columns: id, Customer ID, Plan, Quantity, Currency (always usd), Interval (month or year), Amount
//   (units, two decimals), Status, Start Date (UTC), Trial End (UTC), Canceled At (UTC), Cancel At Period
//   End, Current Period End (UTC), Ended At (UTC); dates `YYYY-MM-DD`, within --months months (default 36)
//   from --start (default 2022-01-01).
// - Customers have 1–3 subscriptions (about 1.6 on average); a later one of the same customer starts on or
//   after an earlier one's start (upgrades, add-ons, returns after churn).
// - ~12 % have a trial (Trial End after the start); ~35 % are cancelled: half at period end (Canceled At,
//   Cancel At Period End true, Current Period End after it, no Ended At), half immediately (Canceled At =
//   Ended At); ~2 % are incomplete. Status: active, trialing, canceled, incomplete.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';

const HEADER =
  'id,Customer ID,Plan,Quantity,Currency,Interval,Amount,Status,Start Date (UTC),Trial End (UTC),' +
  'Canceled At (UTC),Cancel At Period End,Current Period End (UTC),Ended At (UTC)';
const PLANS = [
  // name, interval, unit amount, weight
  ['basic', 'month', 19, 0.4],
  ['pro', 'month', 49, 0.25],
  ['team', 'month', 99, 0.1],
  ['basic_annual', 'year', 190, 0.12],
  ['pro_annual', 'year', 490, 0.08],
  ['free', 'month', 0, 0.05],
];

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86400000;
const day = (ms) => new Date(ms).toISOString().slice(0, 10);
// The same day n months later, clamped to the month's end (as the engine adds terms).
function addMonths(ms, n) {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + n;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last));
}

function parseArgs(argv) {
  const options = { rows: 1000, seed: 1, out: null, start: '2022-01-01', months: 36 };
  for (let i = 0; i < argv.length; i += 1) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--rows': options.rows = Number(value); i += 1; break;
      case '--seed': options.seed = Number(value); i += 1; break;
      case '--out': options.out = value; i += 1; break;
      case '--start': options.start = value; i += 1; break;
      case '--months': options.months = Number(value); i += 1; break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!Number.isInteger(options.rows) || options.rows < 0) throw new Error('--rows must be a whole number');
  return options;
}

export async function generate(options) {
  const random = mulberry32(options.seed);
  const pick = (weighted) => {
    let r = random() * weighted.reduce((sum, w) => sum + w[w.length - 1], 0);
    for (const w of weighted) {
      r -= w[w.length - 1];
      if (r <= 0) return w;
    }
    return weighted[weighted.length - 1];
  };
  const start = Date.parse(`${options.start}T00:00:00Z`);
  const span = addMonths(start, options.months) - start;
  const out = options.out ? createWriteStream(options.out) : process.stdout;
  let block = `${HEADER}\n`;
  let written = 0;
  let customer = 0;
  while (written < options.rows) {
    customer += 1;
    const subscriptions = Math.min(options.rows - written, random() < 0.55 ? 1 : random() < 0.7 ? 2 : 3);
    let from = start + Math.floor(random() * span / DAY) * DAY;
    for (let s = 0; s < subscriptions; s += 1) {
      written += 1;
      const [plan, interval, unit] = pick(PLANS);
      const quantity = plan.startsWith('team') ? 1 + Math.floor(random() * 9) : 1;
      const termMonths = interval === 'year' ? 12 : 1;
      const trialEnd = random() < 0.12 ? from + 14 * DAY : null;
      const paidFrom = trialEnd ?? from;
      let status = 'active';
      let canceledAt = '';
      let atPeriodEnd = 'false';
      let ended = '';
      const incomplete = random() < 0.02;
      // The current period: the term holding a day within the data's span (or the first term).
      const terms = Math.max(1, Math.floor(random() * (options.months / termMonths)));
      let periodEnd = addMonths(paidFrom, terms * termMonths);
      if (incomplete) {
        status = 'incomplete';
      } else if (random() < 0.35) {
        const cancel = addMonths(paidFrom, (terms - 1) * termMonths) + Math.floor(random() * 25) * DAY;
        canceledAt = day(cancel);
        if (random() < 0.5) {
          atPeriodEnd = 'true';
        } else {
          status = 'canceled';
          ended = canceledAt;
          periodEnd = Math.max(periodEnd, cancel);
        }
      } else if (trialEnd !== null && random() < 0.2) {
        status = 'trialing';
      }
      block += `sub_${written},cus_${customer},${plan},${quantity},usd,${interval},${unit.toFixed(2)},${status},` +
        `${day(from)},${trialEnd === null ? '' : day(trialEnd)},${canceledAt},${atPeriodEnd},` +
        `${day(periodEnd)},${ended}\n`;
      if (block.length > 1 << 20) {
        if (!out.write(block)) await once(out, 'drain');
        block = '';
      }
      // A later subscription of the same customer starts on or after this one's start.
      from += Math.floor(random() * 120) * DAY;
    }
  }
  out.write(block);
  if (options.out) {
    out.end();
    await once(out, 'finish');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  generate(parseArgs(process.argv.slice(2))).catch((error) => {
    process.stderr.write(`gen_subscriptions: ${error.message}\n`);
    process.exit(2);
  });
}

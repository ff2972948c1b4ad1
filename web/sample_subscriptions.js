// sample_subscriptions: the deterministic synthetic Stripe-like subscription history (the Dashboard's
// subscriptions CSV). One generator for the page's "Load sample subscriptions" (300 customers, seed 42:
// made in the page rather than inlined, like the ticket sample) and for `scripts/gen --kind subscriptions`
// (the customer-success tests, the DuckDB oracle, memory runs). Pure: no Node or DOM API, no clock, no
// Math.random — one seeded PRNG (mulberry32) drives every choice, so the same options give the same bytes
// (tests/web/sample_subscriptions.test.mjs pins them). The CSV comes out in ~1 MiB string blocks
// (`generateSubscriptionBlocks`).
//
// Shape of the data (what the tests may rely on):
// - Header: id, Customer ID, Plan, Amount, Currency, Interval, Quantity, Start Date (UTC), Trial End (UTC),
//   Canceled At (UTC), Cancel At Period End, Current Period End (UTC), Ended At (UTC), Status — the columns
//   of Stripe's Dashboard export that the `stripe_subscriptions` preset maps (docs/kpis.md). `\n` line ends,
//   no quoting needed (no cell holds a comma, quote or line break), a final line end.
// - One row per subscription; a customer's rows are consecutive. `id` is `sub_…` and unique; `Customer ID`
//   is `cus_…`, one per customer, every one of the N customers has at least one row.
// - Timestamps are `YYYY-MM-DD HH:MM` with no zone (whole minutes). The **export day** is the 15th day of
//   the M-th month from --start (default 2023-01-01 and 36 months: 2025-12-15; `exportDay(options)`).
//   `Start Date`, `Canceled At` and `Ended At` are never after the export day; `Trial End` and
//   `Current Period End` may be (trials and paid periods still running). Start ≤ Canceled At ≤ Ended At
//   whenever they are given; Trial End is after Start.
// - Amount is in currency units with two decimals (`49.00`, `0.00` on the Free plan), never negative;
//   Currency is always `usd`; Quantity a whole number ≥ 0 (0 only on a few Team rows); Interval is
//   `month`, `year`, `quarter` or `week`; Cancel At Period End is `true` or `false`.
// - Status is one of active, past_due, unpaid, trialing, canceled, incomplete, incomplete_expired.
//   A row with status canceled, trialing or incomplete* describes a subscription that is over, in trial or
//   never paid; active/past_due/unpaid rows have no Ended At.
// - Behaviour over the months: signups grow over time; plans Free ($0), Lite Weekly, Starter, Growth (and
//   their annual twins), Team (per seat, Quantity = seats), Business Quarterly, Enterprise (annual), and
//   an Analytics Add-on as a second subscription; trials of 14 or 30 days (about 30 % of them never
//   convert, some still running on the export day); upgrades, downgrades and monthly-to-annual switches
//   written as one subscription ended and a new one started (mostly at the same minute, some later the
//   same day, some 1–3 days later); cancellations at period end (some still pending: active with
//   Cancel At Period End true) and immediate ones; failed payments cancelled after a dunning period;
//   returns after a gap of weeks to months; attempts that never got paid (incomplete_expired).
// - About 2 % of ended or pending rows are "legacy" rows with cells left blank, so every end rule of
//   docs/kpis.md is used: a blank Ended At (the end comes from Canceled At / Current Period End), a blank
//   Canceled At as well (status canceled: Current Period End), a pending cancellation with a blank
//   Canceled At (Cancel At Period End true: Current Period End), a trial with a blank Trial End, and a
//   few cancelled rows with no end date at all, which the engine rejects (`canceled with no end date`).

import { civilFromDays, daysFromCivil } from './civil_days.js';
import { mulberry32, pickWeighted } from './sample_random.js';

export const SUBSCRIPTIONS_HEADER =
  'id,Customer ID,Plan,Amount,Currency,Interval,Quantity,Start Date (UTC),Trial End (UTC),' +
  'Canceled At (UTC),Cancel At Period End,Current Period End (UTC),Ended At (UTC),Status';

const MINUTES_PER_DAY = 1440;

// Plans: amount in cents per interval, the ladder tier for up/downgrades, and the annual twin if any.
const PLANS = {
  free: { name: 'Free', cents: 0, interval: 'month', tier: 0 },
  lite: { name: 'Lite Weekly', cents: 499, interval: 'week', tier: 1 },
  starter: { name: 'Starter', cents: 1900, interval: 'month', tier: 2, annual: 'starterAnnual' },
  starterAnnual: { name: 'Starter Annual', cents: 19000, interval: 'year', tier: 2, monthly: 'starter' },
  growth: { name: 'Growth', cents: 4900, interval: 'month', tier: 3, annual: 'growthAnnual' },
  growthAnnual: { name: 'Growth Annual', cents: 49000, interval: 'year', tier: 3, monthly: 'growth' },
  team: { name: 'Team', cents: 1250, interval: 'month', tier: 4, seats: true, annual: 'teamAnnual' },
  teamAnnual: { name: 'Team Annual', cents: 12500, interval: 'year', tier: 4, seats: true, monthly: 'team' },
  business: { name: 'Business Quarterly', cents: 39900, interval: 'quarter', tier: 5 },
  enterprise: { name: 'Enterprise', cents: 1200000, interval: 'year', tier: 6 },
  addon: { name: 'Analytics Add-on', cents: 999, interval: 'month', tier: -1 },
};
const LADDER = ['free', 'lite', 'starter', 'growth', 'team', 'business', 'enterprise'];
const FIRST_PLAN = [
  ['free', 0.16], ['lite', 0.03], ['starter', 0.33], ['growth', 0.24], ['team', 0.15], ['business', 0.05],
  ['enterprise', 0.04],
];

const between = (rand, low, high) => low + Math.floor(rand() * (high - low + 1));

const daysInMonth = (y, m) => (m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

// A day plus whole calendar months, the day of the month clamped to the month's end (as Stripe bills).
function addMonths(day, months) {
  const [y, m, d] = civilFromDays(day);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return daysFromCivil(year, month, Math.min(d, daysInMonth(year, month)));
}

const TWO = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);

function formatDay(day) {
  const [y, m, d] = civilFromDays(day);
  return `${String(y).padStart(4, '0')}-${TWO[m]}-${TWO[d]}`;
}

function formatMinute(minute) {
  if (minute === null) return '';
  const day = Math.floor(minute / MINUTES_PER_DAY);
  const rest = minute - day * MINUTES_PER_DAY;
  return `${formatDay(day)} ${TWO[Math.floor(rest / 60)]}:${TWO[rest % 60]}`;
}

const formatCents = (cents) => `${Math.floor(cents / 100)}.${TWO[cents % 100]}`;

function parseDay(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return daysFromCivil(y, m, d);
}

/** The export day (`YYYY-MM-DD`): the 15th day of the `months`-th month from `start`. */
export function exportDay({ start = '2023-01-01', months = 36 } = {}) {
  return formatDay(addMonths(parseDay(start), months - 1) + 14);
}

// Ids that look like Stripe's: a prefix and 14 base-62 characters. The first six come from a bijective
// 32-bit mix of a counter (so ids are unique: 62^6 > 2^32), the rest from two more mixes with the seed.
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function mix32(x) {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}
function base62(x, digits) {
  let text = '';
  for (let i = 0; i < digits; ++i, x = Math.floor(x / 62)) text += BASE62[x % 62];
  return text;
}
function stripeId(prefix, counter, salt) {
  return prefix + base62(mix32((counter + salt) >>> 0), 6) + base62(mix32((counter ^ salt ^ 0x9e3779b9) >>> 0), 5) +
    base62(mix32((counter + 0x632be5ab + salt) >>> 0), 3);
}

// One customer's history: a list of subscriptions with times in minutes since 1970-01-01.
class CustomerHistory {
  constructor(rand, exportEnd) {
    this.rand = rand;
    this.exportEnd = exportEnd; // first minute after the export day: nothing at or after it has happened
    this.subscriptions = [];
  }

  // The first renewal of `sub` strictly after minute `t`: its anchor (trial end or start) plus whole
  // intervals, months added on the calendar.
  renewalAfter(sub, t) {
    const anchor = sub.trialEnd ?? sub.start;
    const plan = PLANS[sub.plan];
    const anchorDay = Math.floor(anchor / MINUTES_PER_DAY);
    const minuteOfDay = anchor - anchorDay * MINUTES_PER_DAY;
    const step = { month: 1, quarter: 3, year: 12 }[plan.interval];
    for (let k = 1; ; ++k) {
      const day = step ? addMonths(anchorDay, k * step) : anchorDay + 7 * k;
      const renewal = day * MINUTES_PER_DAY + minuteOfDay;
      if (renewal > t) return renewal;
    }
  }

  open(plan, start, quantity) {
    const sub = {
      plan, start, quantity, trialEnd: null, canceledAt: null, cancelAtPeriodEnd: false,
      currentPeriodEnd: null, endedAt: null, status: 'active',
    };
    this.subscriptions.push(sub);
    return sub;
  }

  // Still running on the export day: the period that contains it, and now and then a failed payment.
  keepRunning(sub) {
    sub.currentPeriodEnd = this.renewalAfter(sub, this.exportEnd - 1);
    const u = this.rand();
    sub.status = u < 0.02 ? 'past_due' : u < 0.023 ? 'unpaid' : 'active';
  }

  // Ends `sub` at minute `t`; returns the minute the customer's access ends (or null: still running).
  cancel(sub, t, how) {
    sub.canceledAt = t;
    if (how === 'immediate') {
      sub.endedAt = t;
      sub.currentPeriodEnd = this.renewalAfter(sub, t);
      sub.status = 'canceled';
      return t;
    }
    if (how === 'dunning') {
      // The renewal at t failed; retries for 3–21 days, then the subscription is cancelled.
      const renewal = this.renewalAfter(sub, t);
      const end = renewal + between(this.rand, 3 * MINUTES_PER_DAY, 21 * MINUTES_PER_DAY);
      if (end >= this.exportEnd) {
        sub.canceledAt = null;
        this.keepRunning(sub);
        sub.status = 'past_due';
        return null;
      }
      sub.canceledAt = end;
      sub.endedAt = end;
      sub.currentPeriodEnd = renewal;
      sub.status = 'canceled';
      return end;
    }
    // At period end: access lasts until the renewal date.
    const end = sub.trialEnd !== null && t < sub.trialEnd ? sub.trialEnd : this.renewalAfter(sub, t);
    sub.cancelAtPeriodEnd = true;
    sub.currentPeriodEnd = end;
    if (end >= this.exportEnd) {
      sub.status = sub.trialEnd !== null && t < sub.trialEnd ? 'trialing' : 'active';
      return null;
    }
    sub.endedAt = end;
    sub.status = 'canceled';
    return end;
  }

  seats(plan) {
    if (!PLANS[plan].seats) return 1;
    if (this.rand() < 0.004) return 0;
    return 2 + Math.floor(this.rand() * this.rand() * 38);
  }

  // The plan after an upgrade (+1) or a downgrade (−1); Team may instead change its seats.
  movePlan(plan, quantity, direction) {
    const info = PLANS[plan];
    if (info.seats && this.rand() < 0.5) {
      const next = direction > 0 ? quantity + between(this.rand, 1, 8) : Math.max(1, quantity - between(this.rand, 1, 4));
      if (next !== quantity) return [plan, next];
    }
    const tier = Math.min(LADDER.length - 1, Math.max(0, info.tier + direction));
    let target = LADDER[tier];
    if (info.monthly && PLANS[target].annual && this.rand() < 0.7) target = PLANS[target].annual;
    return [target, PLANS[target].seats ? (PLANS[plan].seats ? quantity : this.seats(target)) : 1];
  }

  // Lives one subscription from its active start; returns {end, next} where end is the minute access
  // ended (null: still running) and next the plan change that follows, if any.
  live(sub, activeFrom) {
    const plan = PLANS[sub.plan];
    const annual = plan.interval === 'year';
    const churn = sub.plan === 'free' ? 0.05 : sub.plan === 'lite' ? 0.06 : annual ? 0.012 : 0.025;
    const fixed = sub.plan === 'addon'; // the add-on is bought or cancelled, never changed
    const up = sub.plan === 'free' ? 0.06 : sub.plan === 'enterprise' || fixed ? 0 : 0.015;
    const down = sub.plan === 'free' || fixed ? 0 : 0.008;
    const toAnnual = plan.annual ? 0.005 : 0;
    for (let step = activeFrom; ; step += 30 * MINUTES_PER_DAY) {
      const t = step + Math.floor(this.rand() * 30 * MINUTES_PER_DAY);
      if (t >= this.exportEnd) {
        this.keepRunning(sub);
        return { end: null, next: null };
      }
      const u = this.rand();
      if (u < churn) {
        const v = this.rand();
        const how = v < 0.55 || annual ? 'period_end' : v < 0.88 ? 'immediate' : 'dunning';
        return { end: this.cancel(sub, t, how), next: null };
      }
      let next = null;
      if (u < churn + up) next = this.movePlan(sub.plan, sub.quantity, +1);
      else if (u < churn + up + down) next = this.movePlan(sub.plan, sub.quantity, -1);
      else if (u < churn + up + down + toAnnual) next = [plan.annual, sub.quantity];
      if (next === null || (next[0] === sub.plan && next[1] === sub.quantity)) continue;
      this.cancel(sub, t, 'immediate');
      // The new subscription starts at the same minute, later the same day, or 1–3 days later.
      const v = this.rand();
      const start = v < 0.75 ? t : v < 0.85 ? t + between(this.rand, 1, 180) : t + between(this.rand, 1, 3) * MINUTES_PER_DAY;
      return { end: t, next: { plan: next[0], quantity: next[1], start } };
    }
  }

  // The customer's whole story from its signup minute.
  simulate(signup) {
    let plan = pickWeighted(this.rand, FIRST_PLAN);
    if (PLANS[plan].annual && this.rand() < 0.2) plan = PLANS[plan].annual;
    let quantity = this.seats(plan);
    let t = signup;
    let first = true;
    let firstPaidSub = null;
    let lastEnd = null;
    while (t < this.exportEnd) {
      if (first && this.rand() < 0.015) {
        // A first attempt whose payment never went through: expires after 23 hours.
        const attempt = this.open(plan, t, quantity);
        const expiry = t + 23 * 60;
        if (expiry >= this.exportEnd) {
          attempt.status = 'incomplete';
          attempt.currentPeriodEnd = this.renewalAfter(attempt, t);
          return;
        }
        attempt.status = 'incomplete_expired';
        attempt.endedAt = expiry;
        attempt.currentPeriodEnd = this.renewalAfter(attempt, t);
        if (this.rand() < 0.3) return; // gave up
        t = expiry + between(this.rand, 1, 2 * MINUTES_PER_DAY);
        if (t >= this.exportEnd) return;
      }
      const sub = this.open(plan, t, quantity);
      let activeFrom = t;
      if (first && plan !== 'free' && this.rand() < 0.3) {
        sub.trialEnd = t + (plan === 'enterprise' ? 30 : 14) * MINUTES_PER_DAY;
        activeFrom = sub.trialEnd;
        const converts = this.rand() >= 0.3;
        if (!converts) {
          const cancelAt = t + Math.floor(this.rand() * (sub.trialEnd - t));
          if (cancelAt >= this.exportEnd) {
            sub.status = 'trialing';
            sub.currentPeriodEnd = sub.trialEnd;
            return;
          }
          lastEnd = this.cancel(sub, cancelAt, this.rand() < 0.6 ? 'period_end' : 'immediate');
          if (lastEnd === null || this.rand() >= 0.1) return;
          t = lastEnd + between(this.rand, 20, 300) * MINUTES_PER_DAY;
          first = false;
          continue;
        }
        if (sub.trialEnd >= this.exportEnd) {
          sub.status = 'trialing';
          sub.currentPeriodEnd = sub.trialEnd;
          return;
        }
      }
      first = false;
      if (firstPaidSub === null && plan !== 'free') firstPaidSub = sub;
      const { end, next } = this.live(sub, activeFrom);
      lastEnd = end;
      if (end === null) break;
      if (next !== null) {
        [plan, quantity, t] = [next.plan, next.quantity, next.start];
        continue;
      }
      // Churned: some come back after a gap, on a plan of their choice.
      if (this.rand() >= 0.2) break;
      t = end + between(this.rand, 15, 400) * MINUTES_PER_DAY + between(this.rand, 0, MINUTES_PER_DAY - 1);
      plan = pickWeighted(this.rand, FIRST_PLAN);
      quantity = this.seats(plan);
    }
    // A second subscription: the add-on, bought during the first paid plan's life.
    if (firstPaidSub !== null && this.rand() < 0.12) {
      const start = (firstPaidSub.trialEnd ?? firstPaidSub.start) + between(this.rand, 1, 400) * MINUTES_PER_DAY;
      const mainEnd = firstPaidSub.endedAt ?? this.exportEnd;
      if (start < mainEnd) {
        const addon = this.open('addon', start, 1);
        // It ends when the customer stops using the product (the last subscription's end), or earlier.
        const { end } = this.live(addon, start);
        const customerEnd = lastEnd ?? this.exportEnd;
        if ((end === null || end > customerEnd) && customerEnd < this.exportEnd && customerEnd > start) {
          Object.assign(addon, { canceledAt: null, cancelAtPeriodEnd: false, endedAt: null, currentPeriodEnd: null });
          this.cancel(addon, customerEnd, 'immediate');
        }
      }
    }
  }
}

// Legacy rows: cells left blank the way hand-kept or migrated histories leave them.
function blankSome(rand, sub) {
  if (rand() >= 0.02) return;
  if (sub.status === 'canceled' && sub.endedAt !== null) {
    const u = rand();
    sub.endedAt = null;
    if (u < 0.5) return; // Canceled At (and Current Period End) give the end
    sub.canceledAt = null;
    if (u < 0.97) return; // status canceled: Current Period End gives the end
    sub.currentPeriodEnd = null; // no end at all: rejected
    sub.cancelAtPeriodEnd = false;
  } else if (sub.status !== 'trialing' && sub.cancelAtPeriodEnd && sub.endedAt === null) {
    sub.canceledAt = null; // pending cancellation: Cancel At Period End gives Current Period End
  } else if (sub.status === 'trialing' && !sub.cancelAtPeriodEnd && rand() < 0.5) {
    sub.trialEnd = null; // a trial with no end date is never active
  }
}

/** Yields the subscriptions CSV as string blocks of about `blockChars` characters. */
export function* generateSubscriptionBlocks({ customers, seed = 1, start = '2023-01-01', months = 36 }, blockChars = 1 << 20) {
  const rand = mulberry32(Math.imul(seed | 0, 0x85ebca6b) ^ 0x27d4eb2f);
  const salt = mix32(seed >>> 0);
  const startDay = parseDay(start);
  if (startDay === null) throw new Error(`start '${start}' is not a date like 2023-01-01`);
  const lastDay = addMonths(startDay, months - 1) + 14;
  const exportEnd = (lastDay + 1) * MINUTES_PER_DAY;
  const spanDays = lastDay - startDay + 1;
  let subscriptionCounter = 0;
  let block = SUBSCRIPTIONS_HEADER + '\n';
  for (let c = 0; c < customers; ++c) {
    // Signups grow over the span: density ∝ 0.5 + x on [0, 1], sampled by inverting its CDF.
    const x = (Math.sqrt(1 + 8 * rand()) - 1) / 2;
    const signupDay = startDay + Math.min(spanDays - 1, Math.floor(x * spanDays));
    const history = new CustomerHistory(rand, exportEnd);
    history.simulate(signupDay * MINUTES_PER_DAY + between(rand, 0, MINUTES_PER_DAY - 1));
    const customerId = stripeId('cus_', c, salt);
    for (const sub of history.subscriptions) {
      blankSome(rand, sub);
      const plan = PLANS[sub.plan];
      block +=
        stripeId('sub_', subscriptionCounter++, salt ^ 0x5bd1e995) + ',' + customerId + ',' + plan.name + ',' +
        formatCents(plan.cents) + ',usd,' + plan.interval + ',' + sub.quantity + ',' + formatMinute(sub.start) + ',' +
        formatMinute(sub.trialEnd) + ',' + formatMinute(sub.canceledAt) + ',' + sub.cancelAtPeriodEnd + ',' +
        formatMinute(sub.currentPeriodEnd) + ',' + formatMinute(sub.endedAt) + ',' + sub.status + '\n';
    }
    if (block.length >= blockChars) {
      yield block;
      block = '';
    }
  }
  if (block.length > 0) yield block;
}

/** The page's sample: 300 customers over 36 months (a few hundred subscriptions), seed 42. */
export const SAMPLE_SUBSCRIPTIONS = { name: 'sample-subscriptions.csv', customers: 300, seed: 42 };

export function sampleSubscriptionsCsv() {
  return [...generateSubscriptionBlocks(SAMPLE_SUBSCRIPTIONS)].join('');
}

// customer_sql: the monthly customer-success figures (MRR, active customers, the MRR bridge, churn and
// retention rates) of a Stripe-like subscriptions CSV, written in DuckDB SQL from the definitions in
// docs/kpis.md ("Customer success" and "Customer-success catalogue"), never from the engine's output.
// Used by the oracle test (tests/wasm/customers_oracle.test.mjs); a benchmark can share it.
//
// What it follows, section by section of docs/kpis.md:
// - Money: the Amount text is read as an exact decimal; a monthly amount is amount × quantity × num ÷ den
//   (month 1/1, quarter 1/3, year 1/12, week 52/12, day 365/12) rounded half away from zero to a
//   micro-unit, in HUGEINT integers; every sum is an integer of micro-units.
// - Days: timestamps have no zone and utc_offset is 0, so a cell's day is its written date.
// - Active on day D: active_start ≤ D < end_day. active_start is the start day, or the trial end day when
//   later; never for incomplete/incomplete_expired, nor for trialing with no trial end. The end follows
//   the churn recognition rules (period_end: ended at, else canceled at → current period end when not
//   before it, else canceled at; else cancel at period end → current period end; else an ended status →
//   current period end, and none at all rejects the row; cancellation: canceled at, the earlier of it and
//   ended at).
// - as_of: the latest start, canceled-at or ended-at day of the rows kept. Periods: calendar months from
//   the month of the first active day to the month of as_of; evaluation day = the month's last day, or
//   as_of in its month. The start of a month is the previous month's evaluation day (nobody before the
//   first month).
// - Movements compare each customer's MRR at consecutive evaluation days; new vs reactivation by whether
//   the customer was active at any earlier evaluation day.
// - By plan (planBridgeSql), a customer has one state per plan value and its movements are per value.
// Only the single-word interval spellings (month, monthly, quarter, quarterly, year, yearly, annual,
// annually, week, weekly, day, daily) are read; no Interval Count column (1).

export const CHURN_RECOGNITIONS = ['period_end', 'cancellation'];

const sqlString = (text) => `'${String(text).replaceAll("'", "''")}'`;

// The columns of scripts/gen --kind subscriptions (Stripe's Dashboard export), typed explicitly: Amount
// stays text so that it is parsed as an exact decimal, timestamps are whole minutes with no zone.
export function readSubscriptionsCsv(path) {
  return `read_csv(${sqlString(path)}, header = true, delim = ',', quote = '"', escape = '"',
    timestampformat = '%Y-%m-%d %H:%M', auto_detect = false,
    columns = {'id': 'VARCHAR', 'Customer ID': 'VARCHAR', 'Plan': 'VARCHAR', 'Amount': 'VARCHAR',
               'Currency': 'VARCHAR', 'Interval': 'VARCHAR', 'Quantity': 'BIGINT',
               'Start Date (UTC)': 'TIMESTAMP', 'Trial End (UTC)': 'TIMESTAMP',
               'Canceled At (UTC)': 'TIMESTAMP', 'Cancel At Period End': 'BOOLEAN',
               'Current Period End (UTC)': 'TIMESTAMP', 'Ended At (UTC)': 'TIMESTAMP', 'Status': 'VARCHAR'})`;
}

const ENDED_STATUSES = "('canceled', 'cancelled', 'ended', 'expired')";

// The end under churn_recognition period_end (kpis.md, "From a row to a customer's state", rules 1–5).
const PERIOD_END_END = `CASE
      WHEN ended_at IS NOT NULL THEN ended_at::DATE
      WHEN canceled_at IS NOT NULL THEN
        CASE WHEN current_period_end IS NOT NULL AND current_period_end >= canceled_at
             THEN current_period_end::DATE ELSE canceled_at::DATE END
      WHEN cancel_at_period_end THEN current_period_end::DATE
      WHEN status IN ${ENDED_STATUSES} THEN current_period_end::DATE
    END`;

const END_SQL = {
  period_end: PERIOD_END_END,
  cancellation: `CASE WHEN canceled_at IS NOT NULL THEN least(canceled_at, coalesce(ended_at, canceled_at))::DATE
      ELSE ${PERIOD_END_END} END`,
};

/**
 * CTEs (without WITH): `subscription_rows` (every row, typed), `typed` (with `rejected`, num, den),
 * `subscriptions` (the rows kept: customer, segment, monthly_micro, active_start, end_day), `as_of`,
 * `active_subscriptions`, `months` (idx, month, period key, eval_day), `state` (idx, customer, segment,
 * mrr: one row per customer (and plan, with byPlan) active at a month's evaluation day), `first_active`,
 * `pairs` (idx, customer, segment, start_mrr, end_mrr, NULL = inactive) and `moves` (pairs with their
 * movement and signed amount). Without byPlan, segment is '' throughout.
 */
export function customerCtes(path, { churnRecognition = 'period_end', byPlan = false } = {}) {
  const end = END_SQL[churnRecognition];
  if (!end) throw new Error(`unknown churn recognition '${churnRecognition}'`);
  // By plan (a row's column, kpis.md "Segments of the customer section"), each customer has one state per
  // plan value: the trimmed cell, `(blank)` when empty. Overall, one state per customer.
  const segment = byPlan ? `CASE WHEN coalesce(trim(plan), '') = '' THEN '(blank)' ELSE trim(plan) END` : `''`;
  return `
  subscription_rows AS (
    SELECT
      "Customer ID" AS customer, "Plan" AS plan,
      lower(trim(coalesce("Status", ''))) AS status,
      CAST(CAST(trim("Amount") AS DECIMAL(38, 6)) * 1000000 AS HUGEINT) AS amount_micro,
      coalesce("Quantity", 1)::HUGEINT AS quantity,
      lower(trim(coalesce("Interval", ''))) AS interval,
      "Start Date (UTC)" AS start_at, "Trial End (UTC)" AS trial_end_at, "Canceled At (UTC)" AS canceled_at,
      coalesce("Cancel At Period End", false) AS cancel_at_period_end,
      "Current Period End (UTC)" AS current_period_end, "Ended At (UTC)" AS ended_at
    FROM ${readSubscriptionsCsv(path)}),
  typed AS (
    SELECT *,
      -- a cancelled subscription with no end date at all is rejected (rule 4)
      (ended_at IS NULL AND canceled_at IS NULL AND NOT cancel_at_period_end AND status IN ${ENDED_STATUSES}
        AND current_period_end IS NULL) AS rejected,
      CASE WHEN interval IN ('week', 'weekly') THEN 52 WHEN interval IN ('day', 'daily') THEN 365 ELSE 1 END
        AS num,
      CASE WHEN interval IN ('', 'month', 'monthly') THEN 1 WHEN interval IN ('quarter', 'quarterly') THEN 3
           WHEN interval IN ('year', 'yearly', 'annual', 'annually', 'week', 'weekly', 'day', 'daily') THEN 12
      END AS den
    FROM subscription_rows),
  subscriptions AS MATERIALIZED (
    SELECT customer, ${segment} AS segment, status,
      -- half away from zero for amounts ≥ 0: ⌊(2x + den) ÷ 2den⌋
      (2 * amount_micro * quantity * num + den) // (2 * den) AS monthly_micro,
      CASE WHEN status IN ('incomplete', 'incomplete_expired') THEN NULL
           WHEN status = 'trialing' AND trial_end_at IS NULL THEN NULL
           ELSE greatest(start_at::DATE, coalesce(trial_end_at::DATE, start_at::DATE)) END AS active_start,
      ${end} AS end_day,
      start_at::DATE AS start_day, canceled_at::DATE AS canceled_day, ended_at::DATE AS ended_day, trial_end_at
    FROM typed WHERE NOT rejected),
  as_of AS (
    SELECT max(greatest(start_day, coalesce(canceled_day, start_day), coalesce(ended_day, start_day))) AS as_of
    FROM subscriptions),
  active_subscriptions AS (
    SELECT s.* FROM subscriptions s, as_of
    WHERE active_start IS NOT NULL AND (end_day IS NULL OR end_day > active_start) AND active_start <= as_of.as_of),
  months AS MATERIALIZED (
    SELECT (row_number() OVER (ORDER BY m) - 1)::INTEGER AS idx, m::DATE AS month,
      strftime(m, '%Y-%m') AS period, least(last_day(m::DATE), as_of.as_of) AS eval_day
    FROM as_of, generate_series(
      (SELECT date_trunc('month', min(active_start)) FROM active_subscriptions)::TIMESTAMP,
      date_trunc('month', as_of.as_of)::TIMESTAMP, INTERVAL 1 MONTH) AS t(m)),
  state AS MATERIALIZED (
    SELECT m.idx, a.customer, a.segment, sum(a.monthly_micro) AS mrr
    FROM months m JOIN active_subscriptions a
      ON a.active_start <= m.eval_day AND (a.end_day IS NULL OR a.end_day > m.eval_day)
    GROUP BY m.idx, a.customer, a.segment),
  first_active AS (SELECT customer, segment, min(idx) AS first_idx FROM state GROUP BY customer, segment),
  pairs AS (
    SELECT coalesce(e.idx, s.idx + 1) AS idx, coalesce(e.customer, s.customer) AS customer,
      coalesce(e.segment, s.segment) AS segment, s.mrr AS start_mrr, e.mrr AS end_mrr
    FROM state e FULL OUTER JOIN state s
      ON e.customer = s.customer AND e.segment = s.segment AND e.idx = s.idx + 1
    WHERE coalesce(e.idx, s.idx + 1) <= (SELECT max(idx) FROM months)),
  moves AS MATERIALIZED (
    SELECT p.*,
      CASE WHEN start_mrr IS NULL AND p.idx = f.first_idx THEN 'new'
           WHEN start_mrr IS NULL THEN 'reactivation'
           WHEN end_mrr IS NULL THEN 'churned'
           WHEN end_mrr > start_mrr THEN 'expansion'
           WHEN end_mrr < start_mrr THEN 'contraction' END AS movement,
      coalesce(end_mrr, 0) - coalesce(start_mrr, 0) AS amount
    FROM pairs p JOIN first_active f USING (customer, segment))`;
}

export const MOVEMENTS = ['new', 'expansion', 'contraction', 'churned', 'reactivation'];

const ratio = (part, whole) => `CASE WHEN ${whole} = 0 THEN NULL ELSE (${part})::DOUBLE / (${whole})::DOUBLE END`;

/**
 * One row per month, in order: period ('YYYY-MM'), eval_day, customers and MRR (micro-units, BIGINT) at
 * the start and the end, paying customers, each movement's amount (`<m>_mrr`) and customer count
 * (`<m>_customers`), the NRR/GRR numerators, the 12-month base and numerators, and the rates (DOUBLE,
 * NULL when the denominator is 0). Start and end MRR are summed from the states, the movements from the
 * per-customer comparison, so the bridge identity is a real check.
 */
export function monthlySql(path, options = {}) {
  const movementColumns = MOVEMENTS.map((m) =>
    `coalesce(sum(amount) FILTER (WHERE movement = '${m}'), 0) AS ${m}_mrr,
      count(*) FILTER (WHERE movement = '${m}') AS ${m}_customers`).join(',\n      ');
  return `WITH ${customerCtes(path, options)},
  ends AS (SELECT idx, count(*) AS customers, sum(mrr) AS mrr, count(*) FILTER (WHERE mrr > 0) AS paying
           FROM state GROUP BY idx),
  movement_sums AS (
    SELECT idx, ${movementColumns},
      count(*) FILTER (WHERE movement IS NOT NULL) AS moved_customers,
      sum(coalesce(end_mrr, 0)) FILTER (WHERE start_mrr IS NOT NULL) AS nrr_retained,
      sum(least(coalesce(end_mrr, 0), start_mrr)) FILTER (WHERE start_mrr IS NOT NULL) AS grr_retained
    FROM moves GROUP BY idx),
  year_back AS (
    SELECT b.idx + 12 AS idx, count(*) AS base_customers, sum(b.mrr) AS base_mrr,
      sum(coalesce(n.mrr, 0)) AS nrr_12m_retained, sum(least(coalesce(n.mrr, 0), b.mrr)) AS grr_12m_retained
    FROM state b LEFT JOIN state n ON n.customer = b.customer AND n.segment = b.segment AND n.idx = b.idx + 12
    GROUP BY b.idx),
  monthly AS (
    SELECT m.idx, m.period, m.eval_day,
      coalesce(s.customers, 0) AS start_customers, coalesce(s.mrr, 0) AS start_mrr,
      coalesce(e.customers, 0) AS end_customers, coalesce(e.mrr, 0) AS end_mrr, coalesce(e.paying, 0) AS paying,
      ${MOVEMENTS.map((x) => `coalesce(v.${x}_mrr, 0) AS ${x}_mrr, coalesce(v.${x}_customers, 0) AS ${x}_customers`).join(',\n      ')},
      coalesce(v.moved_customers, 0) AS moved_customers,
      coalesce(v.nrr_retained, 0) AS nrr_retained, coalesce(v.grr_retained, 0) AS grr_retained,
      coalesce(y.base_customers, 0) AS base_customers, coalesce(y.base_mrr, 0) AS base_mrr,
      coalesce(y.nrr_12m_retained, 0) AS nrr_12m_retained, coalesce(y.grr_12m_retained, 0) AS grr_12m_retained
    FROM months m
    LEFT JOIN ends e ON e.idx = m.idx
    LEFT JOIN ends s ON s.idx = m.idx - 1
    LEFT JOIN movement_sums v ON v.idx = m.idx
    LEFT JOIN year_back y ON y.idx = m.idx)
  SELECT idx, period, strftime(eval_day, '%Y-%m-%d') AS eval_day,
    start_customers, start_mrr::BIGINT AS start_mrr, end_customers, end_mrr::BIGINT AS end_mrr, paying,
    ${MOVEMENTS.map((x) => `${x}_mrr::BIGINT AS ${x}_mrr, ${x}_customers`).join(',\n    ')},
    moved_customers,
    nrr_retained::BIGINT AS nrr_retained, grr_retained::BIGINT AS grr_retained,
    base_customers, base_mrr::BIGINT AS base_mrr,
    nrr_12m_retained::BIGINT AS nrr_12m_retained, grr_12m_retained::BIGINT AS grr_12m_retained,
    ${ratio('churned_customers * 100', 'start_customers')} AS logo_churn_rate,
    ${ratio('-(churned_mrr + contraction_mrr) * 100', 'start_mrr')} AS gross_mrr_churn_rate,
    ${ratio('(-(churned_mrr + contraction_mrr) - expansion_mrr - reactivation_mrr) * 100', 'start_mrr')}
      AS net_mrr_churn_rate,
    ${ratio('nrr_retained * 100', 'start_mrr')} AS nrr,
    ${ratio('grr_retained * 100', 'start_mrr')} AS grr,
    ${ratio('nrr_12m_retained * 100', 'base_mrr')} AS nrr_12m,
    ${ratio('grr_12m_retained * 100', 'base_mrr')} AS grr_12m,
    ${ratio('(end_customers - new_customers - reactivation_customers) * 100', 'start_customers')}
      AS customer_retention_rate,
    ${ratio('new_mrr + expansion_mrr', '-(churned_mrr + contraction_mrr)')} AS quick_ratio,
    ${ratio('end_mrr', '1000000 * paying')} AS arpa
  FROM monthly ORDER BY idx`;
}

/**
 * One row: rows read, rows rejected, rows kept, as_of ('YYYY-MM-DD') and report.md's `counts`:
 * `customers` (with a row that gave a state — an active start before its end — by as_of or not),
 * `trialing` (trialing with no trial end), `incomplete` (incomplete, incomplete_expired) and
 * `never_active` (an end not after the active start); also `customers_with_row` (with any row kept).
 */
export function summarySql(path, options = {}) {
  return `WITH ${customerCtes(path, options)}
  SELECT (SELECT count(*) FROM typed) AS rows, (SELECT count(*) FILTER (WHERE rejected) FROM typed) AS rejected,
    (SELECT count(*) FROM subscriptions) AS kept, (SELECT strftime(as_of, '%Y-%m-%d') FROM as_of) AS as_of,
    (SELECT count(DISTINCT customer) FILTER (WHERE active_start IS NOT NULL AND (end_day IS NULL OR end_day > active_start))
       FROM subscriptions) AS customers,
    (SELECT count(DISTINCT customer) FROM subscriptions) AS customers_with_row,
    (SELECT count(*) FILTER (WHERE status = 'trialing' AND trial_end_at IS NULL) FROM subscriptions) AS trialing,
    (SELECT count(*) FILTER (WHERE status IN ('incomplete', 'incomplete_expired')) FROM subscriptions) AS incomplete,
    (SELECT count(*) FILTER (WHERE active_start IS NOT NULL AND end_day <= active_start) FROM subscriptions)
      AS never_active`;
}

/**
 * The MRR bridge per plan value and month (kpis.md: a row's column keeps one state per customer and value):
 * segment, idx, period, start_mrr, end_mrr, `<m>_mrr` and `<m>_customers`; every plan value of the rows
 * kept (also those never active at a month's end) × every month, ordered by the value's bytes, then month.
 */
export function planBridgeSql(path, options = {}) {
  const columns = MOVEMENTS.map((m) =>
    `coalesce(sum(amount) FILTER (WHERE movement = '${m}'), 0)::BIGINT AS ${m}_mrr,
      count(*) FILTER (WHERE movement = '${m}') AS ${m}_customers`).join(',\n      ');
  return `WITH ${customerCtes(path, { ...options, byPlan: true })},
  segments AS (SELECT DISTINCT segment FROM subscriptions),  -- the values of every row kept
  ends AS (SELECT segment, idx, sum(mrr) AS mrr FROM state GROUP BY ALL),
  movement_sums AS (SELECT segment, idx, ${columns} FROM moves GROUP BY ALL)
  SELECT g.segment, m.idx, m.period,
    coalesce(s.mrr, 0)::BIGINT AS start_mrr, coalesce(e.mrr, 0)::BIGINT AS end_mrr,
    ${MOVEMENTS.map((x) => `coalesce(v.${x}_mrr, 0) AS ${x}_mrr, coalesce(v.${x}_customers, 0) AS ${x}_customers`).join(',\n    ')}
  FROM segments g CROSS JOIN months m
  LEFT JOIN ends e ON e.segment = g.segment AND e.idx = m.idx
  LEFT JOIN ends s ON s.segment = g.segment AND s.idx = m.idx - 1
  LEFT JOIN movement_sums v ON v.segment = g.segment AND v.idx = m.idx
  ORDER BY g.segment, m.idx`;
}

// customer_views.js: the report's `customers` section as charts and tables — the MRR bridge of one period
// as a waterfall, the movements over time, churn and revenue retention over time, the cohort table
// coloured by value (the heatmap), the CRM snapshot's counts. Cards, the single-figure trend and the
// breakdowns reuse views.js (a customer KPI entry has a ticket KPI's shape). Every figure comes from the
// report: the page places bars, colours cells and formats numbers, and computes none.
import { el, clear } from './dom.js';
import { formatValue, formatCount, formatDate } from './format.js';
import { dataTable } from './tables.js';
import { barOption, linesOption, stackedOption, waterfallOption, chartColors } from './charts.js';
import { kpiById, periodNames, unitSuffix } from './views.js';

export const CUSTOMER_CARDS = [
  'mrr', 'arr', 'arpa', 'active_customers', 'net_new_mrr', 'logo_churn_rate', 'gross_mrr_churn_rate',
  'net_mrr_churn_rate', 'nrr', 'grr', 'nrr_12m', 'grr_12m', 'customer_retention_rate', 'quick_ratio',
  'renewal_rate', 'clv', 'clv_saas', 'cac', 'cac_payback_months', 'repeat_purchase_rate', 'time_to_value_median',
];
export const CUSTOMER_BREAKDOWN = [
  'mrr', 'active_customers', 'arpa', 'net_new_mrr', 'logo_churn_rate', 'gross_mrr_churn_rate', 'nrr', 'grr',
  'renewal_rate', 'clv', 'cac', 'repeat_purchase_rate',
];
export const SNAPSHOT_KPIS = [
  'snapshot_customers', 'snapshot_churn_rate', 'snapshot_retention_rate', 'snapshot_retained_mrr', 'snapshot_arpa',
  'snapshot_average_tenure',
];
export const CHURN_KPIS = ['logo_churn_rate', 'gross_mrr_churn_rate', 'net_mrr_churn_rate'];
export const RETENTION_KPIS = ['nrr', 'grr', 'nrr_12m', 'grr_12m', 'customer_retention_rate'];

// The bridge in the order of a waterfall: gains, then losses (the report lists new, expansion, contraction,
// churned, reactivation).
export const MOVEMENTS = [
  ['new', 'New'], ['expansion', 'Expansion'], ['reactivation', 'Reactivation'], ['contraction', 'Contraction'], ['churned', 'Churned'],
];

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const money = (section) => kpiById(section, 'mrr')?.unit ?? 'currency';

/** "As of 5 Apr 2024 · USD · 8 customers · 12 subscriptions" */
export function customerSummary(section) {
  const c = section.counts ?? {};
  const parts = [];
  if (section.as_of) parts.push(`As of ${formatDate(section.as_of)}${section.as_of_from_config ? ' (set in the config)' : ''}`);
  if (section.currency) parts.push(section.currency);
  for (const [key, label] of [['customers', 'customers'], ['subscriptions', 'subscriptions'], ['invoices', 'invoice lines'],
    ['mrr_rows', 'MRR rows'], ['customer_rows', 'customer rows'], ['trialing', 'trialing'], ['incomplete', 'never paid']]) {
    if (c[key]) parts.push(`${formatCount(c[key])} ${label}`);
  }
  return parts.join(' · ');
}

/**
 * The MRR bridge of period `index` as a waterfall and a table: start MRR, each movement, end MRR; for
 * the whole section or one segment value (`scope`: {column, index} or null).
 */
export function renderBridge(chart, tableContainer, section, index, scope) {
  const bridge = section.bridge;
  const part = scope ? bridge.breakdowns[scope.column][scope.index] : bridge;
  const unit = money(section);
  const period = section.periods.keys[index];
  const where = scope ? ` (${scope.column}: ${section.segments[scope.column][scope.index]})` : '';
  const rows = [
    { step: 'Start MRR', movement: 'start', amount: part.start_mrr[index], customers: null },
    ...MOVEMENTS.map(([id, label]) => ({ step: label, movement: id, amount: part.amounts[id][index], customers: part.customers[id][index] })),
    { step: 'End MRR', movement: 'end', amount: part.end_mrr[index], customers: null },
  ];
  // Where each bar floats: from the start MRR, each movement moves the level by its amount. This places
  // bars only; every number shown (bar labels, the table) is the report's.
  const colors = chartColors();
  const bases = [];
  const heights = [];
  const barColors = [];
  let level = part.start_mrr[index];
  for (const row of rows) {
    const amount = row.amount ?? 0;
    if (row.movement === 'start' || row.movement === 'end') {
      bases.push(Math.min(0, amount));
      heights.push(Math.abs(amount));
      barColors.push(colors.series[0]);
      continue;
    }
    bases.push(amount < 0 ? level + amount : level);
    heights.push(Math.abs(amount));
    barColors.push(amount < 0 ? colors.bad : colors.good);
    level += amount;
  }
  // On a small screen the bar labels are short (12.3K); the table below has every figure in full.
  const narrow = chart.container.clientWidth < 640;
  const description = `MRR bridge for ${period}${where}: from ${formatValue(rows[0].amount, unit)} to ${formatValue(rows.at(-1).amount, unit)}.`;
  chart.container.setAttribute('aria-label', description);
  chart.set(waterfallOption({
    labels: rows.map((r) => r.step), bases, heights, barColors, narrow,
    texts: rows.map((r) => (r.movement === 'start' || r.movement === 'end' || r.amount <= 0 ? '' : '+') + (narrow ? compact.format(r.amount) : formatValue(r.amount, unit))),
  }));
  clear(tableContainer).append(dataTable([
    { key: 'step', label: `${period}${where}` },
    { key: 'amount', label: `MRR${unit === 'currency' ? '' : ` (${unit})`}`, numeric: true, format: (v) => formatValue(v, unit) },
    { key: 'customers', label: 'Customers', numeric: true, format: (v) => (v === null ? '' : formatCount(v)) },
  ], rows, { caption: `MRR bridge, ${period}${where}`, testId: 'bridge-table' }));
  return rows.map(({ movement, amount, customers }) => ({ period, movement, amount, customers }));
}

/** Every period's bridge: movements as stacked bars (losses below zero) and a table with start and end. */
export function renderMovements(chart, tableContainer, section) {
  const bridge = section.bridge;
  const unit = money(section);
  const labels = periodNames(section);
  const colors = chartColors();
  const description = `MRR movements by ${section.periods.grain}: ${labels.length} periods.`;
  chart.container.setAttribute('aria-label', description);
  chart.set(stackedOption({
    categories: labels,
    colors: [colors.good, colors.series[0], colors.series[3], colors.muted, colors.bad],
    parts: MOVEMENTS.map(([id, label]) => ({ name: label, values: bridge.amounts[id] })),
  }));
  const rows = section.periods.keys.map((period, i) => {
    const row = { period, start_mrr: bridge.start_mrr[i] };
    for (const [id] of MOVEMENTS) row[id] = bridge.amounts[id][i];
    row.end_mrr = bridge.end_mrr[i];
    return row;
  });
  const amount = (key, label) => ({ key, label, numeric: true, format: (v) => formatValue(v, unit) });
  clear(tableContainer).append(dataTable([
    { key: 'period', label: 'Period' }, amount('start_mrr', 'Start MRR'),
    ...MOVEMENTS.map(([id, label]) => amount(id, label)), amount('end_mrr', 'End MRR'),
  ], rows, { caption: 'MRR movements by period', testId: 'movements-table' }));
  return rows;
}

/** Several figures of one unit over periods (churn rates, NRR/GRR): lines and a table of every period. */
export function renderLines(chart, tableContainer, section, ids, { title, testId }) {
  const kpis = ids.map((id) => kpiById(section, id)).filter((k) => k?.available && k.series);
  const labels = periodNames(section);
  const description = `${title} by ${section.periods.grain}: ${kpis.map((k) => k.label).join(', ')}.`;
  chart.container.setAttribute('aria-label', description);
  chart.set(linesOption({ labels, unitSuffix: unitSuffix(kpis[0]?.unit), lines: kpis.map((k) => ({ name: k.label, values: k.series.value })) }));
  const rows = section.periods.keys.map((period, i) => Object.fromEntries([['period', period], ...kpis.map((k) => [k.id, k.series.value[i]])]));
  clear(tableContainer).append(dataTable([
    { key: 'period', label: 'Period' },
    ...kpis.map((k) => ({ key: k.id, label: k.label, numeric: true, format: (v) => formatValue(v, k.unit) })),
  ], rows, { caption: `${title} by period`, testId }));
  return { rows, columns: ['period', ...kpis.map((k) => k.id)] };
}

// Ten shades for the heat cells (styles.css .h0 … .h10); 100 % and above is the darkest.
const shade = (value) => (value === null ? 'na' : `h${Math.max(0, Math.min(10, Math.round(value / 10)))}`);

/** The cohort table, logo or revenue retention (`measure`), each cell shaded by its value. */
export function renderCohorts(container, section, measure) {
  const cohorts = section.cohorts;
  const matrix = measure === 'revenue' ? cohorts.revenue_retention : cohorts.logo_retention;
  const unit = money(section);
  const prefix = { month: 'M', quarter: 'Q', year: 'Y' }[section.periods.grain] ?? '+';
  const rows = cohorts.keys.map((cohort, i) => {
    const row = { cohort, size: cohorts.sizes[i], start_mrr: cohorts.start_mrr[i] };
    cohorts.periods_since.forEach((k, c) => {
      row[`p${k}`] = matrix[i][c];
    });
    return row;
  });
  const columns = [
    { key: 'cohort', label: 'Cohort' },
    { key: 'size', label: 'Customers', numeric: true, format: formatCount },
    { key: 'start_mrr', label: 'MRR at start', numeric: true, format: (v) => formatValue(v, unit) },
    ...cohorts.periods_since.map((k) => ({
      key: `p${k}`, label: `${prefix}${k}`, numeric: true, format: (v) => formatValue(v, 'percent'), cellClass: (v) => `heat ${shade(v)}`,
    })),
  ];
  const basis = cohorts.basis === 'signup' ? 'signup' : 'first paid';
  clear(container).append(dataTable(columns, rows, {
    caption: `${measure === 'revenue' ? 'Revenue' : 'Logo'} retention by cohort (${basis} ${section.periods.grain}) and ${section.periods.grain}s since`,
    testId: 'cohort-table', className: 'cohorts',
  }));
  return { rows, columns: columns.map((c) => c.key) };
}

/** The snapshot's counts in one sentence. */
export function snapshotSummary(snapshot) {
  return `${formatCount(snapshot.customers)} customers in the snapshot: ${formatCount(snapshot.churned)} churned, ` +
    `${formatCount(snapshot.retained)} retained, ${formatCount(snapshot.status_unknown)} with an unknown status; tenure read in ${snapshot.tenure_unit}.`;
}

/** The journey funnel (customers.funnel): customers reaching each step, as bars and a table. */
export function renderFunnel(chart, tableContainer, funnel) {
  const description = `Journey funnel: ${funnel.steps.length} steps, from ${formatCount(funnel.customers[0] ?? 0)} customers.`;
  chart.container.setAttribute('aria-label', description);
  chart.set(barOption({ categories: funnel.steps, values: funnel.customers, name: 'Customers', unitSuffix: '' }));
  const rows = funnel.steps.map((step, i) => ({ step, customers: funnel.customers[i], of_first: funnel.of_first[i], of_previous: funnel.of_previous[i] }));
  const percent = (v) => formatValue(v, 'percent');
  clear(tableContainer).append(dataTable([
    { key: 'step', label: 'Step' }, { key: 'customers', label: 'Customers', numeric: true, format: formatCount },
    { key: 'of_first', label: 'Of the first step', numeric: true, format: percent },
    { key: 'of_previous', label: 'Of the previous step', numeric: true, format: percent },
  ], rows, { caption: 'Customers reaching each step', testId: 'funnel-table' }));
  return { rows, columns: ['step', 'customers', 'of_first', 'of_previous'] };
}

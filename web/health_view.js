// health_view.js: the customer health score (the report's `customers.health`, docs/report.md): customers
// per band, the distribution of scores, bands per segment value, and the sortable list of the lowest scores
// with each component's raw value and contribution. The scores, bands and contributions are the engine's;
// the page sorts, formats and colours.
import { el, clear } from './dom.js';
import { formatValue, formatCount } from './format.js';
import { dataTable } from './tables.js';
import { histogramOption, chartColors } from './charts.js';

const score = (v) => formatValue(v, 'score');
const bandClass = (band) => `band band-${String(band).replace(/[^a-z]/g, '')}`;

/** The columns of the list and of its CSV, named as the engine's health CSV names them. */
export function healthColumns(health) {
  return ['customer', 'score', 'band', ...health.components.flatMap((c) => [`${c.id}_raw`, `${c.id}_normalised`, `${c.id}_contribution`])];
}

/** The listed customers as flat rows (one key per CSV column). */
export function healthRows(health) {
  return health.customers.map((entry) => {
    const row = { customer: entry.customer, score: entry.score, band: entry.band };
    health.components.forEach((c, i) => {
      row[`${c.id}_raw`] = entry.raw[i];
      row[`${c.id}_normalised`] = entry.normalised[i];
      row[`${c.id}_contribution`] = entry.contribution[i];
    });
    return row;
  });
}

/**
 * Draws the health block into `parts` ({summary, cards, chart, histogram, segments, list}) with the
 * breakdown column `by` (a key of health.breakdowns, or none). Returns the rows each export takes.
 */
export function renderHealth(parts, health, segments, by) {
  const { names } = health.bands;
  const modelText = health.model === 'worst_component' ? 'the worst component decides' : 'weighted mean of';
  parts.summary.textContent = `${formatCount(health.scored)} customers scored` +
    `${health.unscored ? ` (${formatCount(health.unscored)} with no component to score)` : ''}` +
    `${health.as_of ? ` as of ${health.as_of}` : ''}; ${modelText} ` +
    health.components.map((c) => `${c.label}${health.model === 'worst_component' ? '' : ` (weight ${formatValue(c.weight, 'score')})`}`).join(', ') +
    `. Bands from ${names.map((name, i) => `${name} ${health.bands.lower_bounds[i]}`).join(', ')}.` +
    (health.join?.requesters ? ` Ticket and survey requesters: ${formatCount(health.join.requesters)}, found by id ${formatCount(health.join.by_id)}, ` +
      `by email ${formatCount(health.join.by_email)}, not found ${formatCount(health.join.unmatched)}.` : '');

  clear(parts.cards).append(
    el('article', { class: 'card', 'data-health': 'mean', 'data-value': health.mean_score ?? '' },
      el('h3', {}, 'Mean score'), el('span', { class: 'value' }, score(health.mean_score)), el('span', { class: 'meta' }, `n = ${formatCount(health.scored)}`)),
    ...names.map((name) => el('article', { class: `card ${bandClass(name)}`, 'data-health': name, 'data-value': health.counts[name] },
      el('h3', {}, name), el('span', { class: 'value' }, formatCount(health.counts[name])), el('span', { class: 'meta' }, 'customers'))),
  );

  // Distribution: ten bins of width 10; each bar takes the colour of the band its lower bound is in.
  const bins = health.histogram.lower_bounds.map((low, i, all) => (i + 1 < all.length ? `${low}–${all[i + 1]}` : `${low}–100`));
  const colors = chartColors();
  const bandColor = { red: colors.bad, yellow: colors.series[3], green: colors.good };
  const bandOf = (value) => names.reduce((found, name, i) => (value >= health.bands.lower_bounds[i] ? name : found), names[0]);
  const description = `Health scores of ${health.scored} customers in ${bins.length} ranges.`;
  parts.chart.container.setAttribute('aria-label', description);
  parts.chart.set(histogramOption({
    labels: bins, counts: health.histogram.counts, name: 'Customers',
    barColors: health.histogram.lower_bounds.map((low) => bandColor[bandOf(low)] ?? colors.series[0]),
  }));
  const histogram = bins.map((range, i) => ({ range, customers: health.histogram.counts[i] }));
  clear(parts.histogram).append(dataTable([
    { key: 'range', label: 'Score' }, { key: 'customers', label: 'Customers', numeric: true, format: formatCount },
  ], histogram, { caption: 'Health score distribution', testId: 'health-histogram-table' }));

  // Bands per value of the breakdown column (customers' columns only: a row column such as plan is not one).
  const split = health.breakdowns?.[by];
  const bySegment = split ? (segments[by] ?? []).map((segment, i) => Object.fromEntries([['segment', segment], ...names.map((name) => [name, split[name][i]])])) : [];
  clear(parts.segments).append(split
    ? dataTable([{ key: 'segment', label: by }, ...names.map((name) => ({ key: name, label: name, numeric: true, format: formatCount }))],
      bySegment, { caption: `Health bands by ${by}`, sortable: true, testId: 'health-segments-table' })
    : el('p', { class: 'meta' }, 'Bands by segment need a column of a customers file (region, industry…) or a tenure or age band as the breakdown.'));

  // The list: the lowest scores the report lists, sortable; each component's contribution, its raw value under it.
  const rows = healthRows(health);
  const componentColumns = health.components.map((c) => ({
    key: `${c.id}_contribution`, label: c.label, numeric: true,
    format: (v, row) => (v === null ? '–' : [score(v), el('span', { class: 'meta raw' }, ` (${formatValue(row[`${c.id}_raw`], 'score')})`)]),
  }));
  clear(parts.list).append(
    el('p', { class: 'meta' }, health.listed < health.scored
      ? `The ${formatCount(health.listed)} lowest of ${formatCount(health.scored)} scores (the config's customers.health.max_listed); "All scores (CSV)" has every one.`
      : `All ${formatCount(health.scored)} scores, lowest first.`,
    ' Each component shows its contribution to the score, and its raw value in brackets.'),
    dataTable([
      { key: 'customer', label: 'Customer' },
      { key: 'score', label: 'Score', numeric: true, format: score },
      { key: 'band', label: 'Band', cellClass: (v) => bandClass(v) },
      ...componentColumns,
    ], rows, { caption: 'Customers by health score', sortable: true, testId: 'health-table' }),
  );
  return { rows, columns: healthColumns(health), histogram, bySegment: { rows: bySegment, columns: ['segment', ...names] } };
}

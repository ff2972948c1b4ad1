// views.js: turns the report into cards, charts and tables. Every figure shown is read from the report;
// the page only formats, orders and draws. The card, KPI table, trend and breakdown views take a
// "section": the report itself (ticket figures) or its `customers` section, which has the same `kpis`,
// `periods` and `segments` shape (docs/report.md).
import { el, clear, sparkline } from './dom.js';
import { formatValue, formatChange, formatCount, formatDate } from './format.js';
import { dataTable } from './tables.js';
import { trendOption, barOption, stackedOption, histogramOption } from './charts.js';

export const HEADLINE_KPIS = [
  'tickets', 'csat', 'nps', 'ces', 'fcr', 'first_response_time_median', 'resolution_time_median',
  'resolution_rate', 'backlog', 'reopen_rate', 'survey_response_rate', 'cost_per_ticket',
];

// KPIs where a fall is good news (the card colours its change accordingly).
const LOWER_IS_BETTER = new Set([
  'first_response_time_mean', 'first_response_time_median', 'first_response_time_p90',
  'resolution_time_mean', 'resolution_time_median', 'resolution_time_p90', 'backlog', 'reopen_rate',
  'cost_per_ticket', 'logo_churn_rate', 'gross_mrr_churn_rate', 'net_mrr_churn_rate', 'cac',
  'cac_payback_months', 'time_to_value_median', 'time_to_value_p90', 'snapshot_churn_rate',
]);

export function kpiById(report, id) {
  return report.kpis.find((k) => k.id === id);
}

export function availableKpis(report) {
  return report.kpis.filter((k) => k.available);
}

export function unitSuffix(unit) {
  return { percent: '%', minutes: 'min', hours: 'h', count: '', score: '', ratio: '', currency: '', months: 'mo', days: 'd' }[unit] ?? unit;
}

export function periodNames(report) {
  const { keys, start } = report.periods;
  return keys.map((key, i) => (report.periods.grain === 'day' ? formatDate(start[i]) : key));
}

export function renderCards(container, report, ids = HEADLINE_KPIS) {
  clear(container);
  for (const id of ids) {
    const kpi = kpiById(report, id);
    if (!kpi || !kpi.available) continue;
    const trend = kpi.trend;
    let change = null;
    if (trend && trend.change !== null) {
      const better = LOWER_IS_BETTER.has(id) ? trend.change < 0 : trend.change > 0;
      const direction = trend.change === 0 ? '' : better ? 'up' : 'down';
      change = el('span', { class: `change ${direction}`, title: `vs ${trend.previous_period}` },
        `${formatChange(trend.change, kpi.unit)} vs ${trend.previous_period}`);
    }
    const values = kpi.series ? kpi.series.value.slice(-16) : [];
    container.append(
      el('article', { class: 'card', 'data-kpi': id, 'data-value': kpi.value ?? '', 'data-n': kpi.n },
        el('h3', {}, kpi.label),
        el('span', { class: 'value' }, formatValue(kpi.value, kpi.unit)),
        el('span', { class: 'meta' }, `n = ${formatCount(kpi.n)}`),
        change ?? el('span', { class: 'meta' }, ' '),
        values.length > 1 ? sparkline(values, `${kpi.label}, last ${values.length} periods`) : null,
      ),
    );
  }
}

export function renderKpiTable(container, report, testId = 'kpi-table') {
  const rows = report.kpis.map((k) => ({
    label: k.label, id: k.id, value: k.value, n: k.available ? k.n : null, unit: k.unit,
    variant: k.variant, inputs: k.available ? k.inputs.join(', ') : `needs ${k.needs}`,
  }));
  clear(container).append(
    dataTable(
      [
        { key: 'label', label: 'KPI' },
        { key: 'value', label: 'Value', numeric: true, format: (v, r) => formatValue(v, r.unit) },
        { key: 'n', label: 'n', numeric: true, format: (v) => (v === null ? '' : formatCount(v)) },
        { key: 'variant', label: 'Variant' },
        { key: 'inputs', label: 'Inputs' },
      ],
      rows,
      { caption: 'All KPIs', sortable: true, testId },
    ),
  );
  return rows;
}

export function renderTrend(chart, tableContainer, report, kpiId, testId = 'trend-table') {
  const kpi = kpiById(report, kpiId);
  const labels = periodNames(report);
  const values = kpi?.series?.value ?? [];
  const description = `${kpi?.label ?? ''} by ${report.periods.grain}: ${labels.length} periods.`;
  chart.container.setAttribute('aria-label', description);
  chart.set(trendOption({ labels, values, name: kpi?.label ?? '', unitSuffix: unitSuffix(kpi?.unit) }));
  const rows = labels.map((label, i) => ({ period: report.periods.keys[i], start: report.periods.start[i], value: values[i], n: kpi?.series?.n[i] ?? 0 }));
  clear(tableContainer).append(
    dataTable(
      [
        { key: 'period', label: 'Period' },
        { key: 'start', label: 'Starts', format: (v) => formatDate(v) },
        { key: 'value', label: kpi?.label ?? 'Value', numeric: true, format: (v) => formatValue(v, kpi?.unit) },
        { key: 'n', label: 'n', numeric: true, format: (v) => formatCount(v) },
      ],
      rows,
      { caption: `${kpi?.label} by period`, testId },
    ),
  );
  return rows;
}

const BREAKDOWN_KPIS = ['tickets', 'csat', 'nps', 'fcr', 'first_response_time_median', 'resolution_time_median', 'backlog'];

export function renderBreakdown(chart, tableContainer, report, by, kpiId, ids = BREAKDOWN_KPIS, testId = 'breakdown-table') {
  const segments = report.segments[by] ?? [];
  const kpi = kpiById(report, kpiId);
  const column = kpi?.breakdowns?.[by];
  const description = `${kpi?.label ?? ''} by ${by}: ${segments.length} values.`;
  chart.container.setAttribute('aria-label', description);
  chart.set(barOption({ categories: segments, values: column?.value ?? [], name: kpi?.label ?? '', unitSuffix: unitSuffix(kpi?.unit) }));
  const shown = ids.map((id) => kpiById(report, id)).filter((k) => k?.available && k.breakdowns[by]);
  const rows = segments.map((segment, i) => {
    const row = { segment };
    for (const k of shown) row[k.id] = k.breakdowns[by].value[i];
    return row;
  });
  clear(tableContainer).append(
    dataTable(
      [{ key: 'segment', label: by }, ...shown.map((k) => ({ key: k.id, label: k.label, numeric: true, format: (v) => formatValue(v, k.unit) }))],
      rows,
      { caption: `KPIs by ${by}`, sortable: true, testId },
    ),
  );
  return { rows, columns: ['segment', ...shown.map((k) => k.id)] };
}

export function renderNps(chart, tableContainer, report) {
  const kpi = kpiById(report, 'nps');
  if (!kpi?.available || !kpi.series) {
    chart.container.setAttribute('aria-label', 'No NPS answers in this dataset.');
    chart.set({});
    clear(tableContainer).append(el('p', {}, 'No NPS column in this dataset.'));
    return [];
  }
  const labels = periodNames(report);
  const { promoters, passives, detractors } = kpi.series.extras;
  const description = `NPS answers by ${report.periods.grain}: promoters, passives and detractors.`;
  chart.container.setAttribute('aria-label', description);
  chart.set(stackedOption({ categories: labels, parts: [
    { name: 'Promoters (9–10)', values: promoters }, { name: 'Passives (7–8)', values: passives }, { name: 'Detractors (0–6)', values: detractors },
  ] }));
  const rows = labels.map((label, i) => ({ period: report.periods.keys[i], promoters: promoters[i], passives: passives[i], detractors: detractors[i], nps: kpi.series.value[i], margin: kpi.series.extras.margin_95[i] }));
  clear(tableContainer).append(
    dataTable(
      [
        { key: 'period', label: 'Period' },
        { key: 'promoters', label: 'Promoters', numeric: true, format: formatCount },
        { key: 'passives', label: 'Passives', numeric: true, format: formatCount },
        { key: 'detractors', label: 'Detractors', numeric: true, format: formatCount },
        { key: 'nps', label: 'NPS', numeric: true, format: (v) => formatValue(v, 'score') },
        { key: 'margin', label: '± 95 %', numeric: true, format: (v) => formatValue(v, 'score') },
      ],
      rows,
      { caption: 'NPS split by period', testId: 'nps-table' },
    ),
  );
  return rows;
}

export function renderDistribution(chart, tableContainer, report) {
  const d = report.distributions?.resolution_time;
  if (!d || d.n === 0) {
    chart.container.setAttribute('aria-label', 'No resolution times in this dataset.');
    chart.set({});
    clear(tableContainer).append(el('p', {}, 'No resolution times in this dataset.'));
    return [];
  }
  const description = `Resolution times of ${d.n} solved tickets in ${d.labels.length} ranges.`;
  chart.container.setAttribute('aria-label', description);
  chart.set(histogramOption({ labels: d.labels, counts: d.counts, name: 'Tickets' }));
  const rows = d.labels.map((label, i) => ({ range: label, tickets: d.counts[i] }));
  clear(tableContainer).append(
    dataTable([{ key: 'range', label: 'Resolution time' }, { key: 'tickets', label: 'Tickets', numeric: true, format: formatCount }], rows,
      { caption: 'Resolution time distribution', testId: 'distribution-table' }),
  );
  return rows;
}

export function renderProblems(container, report) {
  clear(container);
  const input = report.input;
  const summary = `${formatCount(input.rows)} rows read, ${formatCount(input.rows_used)} used, ` +
    `${formatCount(input.rows_filtered)} filtered out, ${formatCount(input.rows_rejected)} rejected.`;
  container.append(el('p', { 'data-testid': 'rows-summary' }, summary));
  for (const message of report.errors) container.append(el('p', { class: 'warn' }, message));
  for (const message of report.warnings) container.append(el('p', {}, message));
  if (input.rejected.length > 0) {
    container.append(el('h3', {}, input.rows_rejected > input.rejected.length
      ? `Rejected rows (first ${input.rejected.length} of ${formatCount(input.rows_rejected)})` : 'Rejected rows'));
    container.append(dataTable([
      { key: 'file', label: 'File' }, { key: 'line', label: 'Line', numeric: true, format: (v) => String(v) }, { key: 'reason', label: 'Reason' },
    ], input.rejected, { caption: 'Rejected rows', testId: 'rejected-table' }));
  }
  if (input.value_issues.length > 0) {
    container.append(el('h3', {}, 'Values that could not be read (the rows were kept)'));
    container.append(dataTable([
      { key: 'field', label: 'Field' }, { key: 'count', label: 'Cells', numeric: true, format: formatCount },
      { key: 'reason', label: 'Reason' }, { key: 'example', label: 'Example' },
      { key: 'lines', label: 'Lines', format: (lines) => lines.map((l) => l.line).join(', ') },
    ], input.value_issues, { caption: 'Unreadable values', testId: 'value-issues-table' }));
  }
  if (!input.rejected.length && !input.value_issues.length && !report.warnings.length && !report.errors.length) {
    container.append(el('p', {}, 'Every row was read.'));
  }
}

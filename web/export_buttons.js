// export_buttons.js: the CSV, JSON, PNG and SVG buttons of each panel, and the full report. They download
// what the panels last drew (views.js returns those rows) and the charts as drawn; nothing is recomputed.
import { el, clear } from './dom.js';
import { downloadCsv, downloadJson, download, downloadDataUrl, slug } from './export.js';

function exportButtons(containerId, name, chartKey, tableRows, chart) {
  const container = document.getElementById(containerId);
  const buttons = [];
  if (chartKey) {
    buttons.push(el('button', { type: 'button', onclick: () => downloadDataUrl(`kpilens-${name}.png`, chart(chartKey).png()) }, 'PNG'));
    buttons.push(el('button', { type: 'button', onclick: () => download(`kpilens-${name}.svg`, chart(chartKey).svg(), 'image/svg+xml') }, 'SVG'));
  }
  buttons.push(el('button', { type: 'button', 'data-export': `${name}-csv`, onclick: () => downloadCsv(`kpilens-${name}.csv`, tableRows().csv) }, 'CSV'));
  buttons.push(el('button', { type: 'button', 'data-export': `${name}-json`, onclick: () => downloadJson(`kpilens-${name}.json`, tableRows().json) }, 'JSON'));
  clear(container).append(...buttons);
}

function rowsToCsv(rows, columns) {
  return [columns, ...rows.map((r) => columns.map((c) => r[c] ?? null))];
}

/**
 * Puts the export buttons in each panel's actions. chart(key) → the Chart, tables() → the rows
 * each panel last drew ({trend, breakdown, nps, distribution, kpis}), report() → {name, report} shown.
 */
export function wireExportButtons({ chart, tables, report }) {
  exportButtons('trend-actions', 'trend', 'trend', () => ({
    csv: rowsToCsv(tables().trend, ['period', 'start', 'value', 'n']), json: tables().trend,
  }), chart);
  exportButtons('breakdown-actions', 'breakdown', 'breakdown', () => ({
    csv: rowsToCsv(tables().breakdown.rows, tables().breakdown.columns), json: tables().breakdown.rows,
  }), chart);
  exportButtons('nps-actions', 'nps', 'nps', () => ({
    csv: rowsToCsv(tables().nps, ['period', 'promoters', 'passives', 'detractors', 'nps', 'margin']), json: tables().nps,
  }), chart);
  exportButtons('distribution-actions', 'resolution-time-distribution', 'distribution', () => ({
    csv: rowsToCsv(tables().distribution, ['range', 'tickets']), json: tables().distribution,
  }), chart);
  exportButtons('kpi-table-actions', 'kpis', null, () => ({
    csv: rowsToCsv(tables().kpis, ['id', 'label', 'value', 'n', 'unit', 'variant', 'inputs']), json: tables().kpis,
  }), chart);
  document.getElementById('kpi-table-actions').append(
    el('button', { type: 'button', 'data-export': 'report-json', onclick: () => downloadJson(`kpilens-report-${slug(report().name)}.json`, report().report) }, 'Full report'),
  );
}

// export_buttons.js: the CSV, JSON, PNG and SVG buttons of each panel, and the full report. They download
// what the panels last drew (the views return those rows) and the charts as drawn; nothing is recomputed.
import { el, clear } from './dom.js';
import { downloadCsv, downloadJson, download, downloadDataUrl, slug } from './export.js';

function rowsToCsv(rows, columns) {
  return [columns, ...rows.map((r) => columns.map((c) => r[c] ?? null))];
}

/**
 * Puts export buttons in the panel actions `containerId`. `figure()` → what to draw ({png() → data URL or a
 * promise of one, svg() → SVG text}: a Chart, or a table drawn as an image), or omit it for a table alone;
 * `table()` → {rows, columns}: the rows as drawn and the keys that become the CSV's columns (the JSON has
 * the rows as they are).
 */
export function addExportButtons(containerId, name, { figure, table }) {
  const buttons = [];
  if (figure) {
    buttons.push(el('button', { type: 'button', 'data-export': `${name}-png`, onclick: async () => downloadDataUrl(`kpilens-${name}.png`, await figure().png()) }, 'PNG'));
    buttons.push(el('button', { type: 'button', 'data-export': `${name}-svg`, onclick: () => download(`kpilens-${name}.svg`, figure().svg(), 'image/svg+xml') }, 'SVG'));
  }
  buttons.push(el('button', { type: 'button', 'data-export': `${name}-csv`, onclick: () => {
    const { rows, columns } = table();
    downloadCsv(`kpilens-${name}.csv`, rowsToCsv(rows, columns));
  } }, 'CSV'));
  buttons.push(el('button', { type: 'button', 'data-export': `${name}-json`, onclick: () => downloadJson(`kpilens-${name}.json`, table().rows) }, 'JSON'));
  clear(document.getElementById(containerId)).append(...buttons);
}

/**
 * The support view's panels. chart(key) → the Chart, tables() → the rows each panel last drew ({trend,
 * breakdown, nps, distribution, kpis}), report() → {name, report} shown.
 */
export function wireExportButtons({ chart, tables, report }) {
  const rows = (key, columns) => () => ({ rows: tables()[key], columns });
  addExportButtons('trend-actions', 'trend', { figure: () => chart('trend'), table: rows('trend', ['period', 'start', 'value', 'n']) });
  addExportButtons('breakdown-actions', 'breakdown', { figure: () => chart('breakdown'), table: () => tables().breakdown });
  addExportButtons('nps-actions', 'nps', {
    figure: () => chart('nps'), table: rows('nps', ['period', 'promoters', 'passives', 'detractors', 'nps', 'margin']),
  });
  addExportButtons('distribution-actions', 'resolution-time-distribution', { figure: () => chart('distribution'), table: rows('distribution', ['range', 'tickets']) });
  addExportButtons('kpi-table-actions', 'kpis', { table: rows('kpis', ['id', 'label', 'value', 'n', 'unit', 'variant', 'inputs']) });
  document.getElementById('kpi-table-actions').append(
    el('button', { type: 'button', 'data-export': 'report-json', onclick: () => downloadJson(`kpilens-report-${slug(report().name)}.json`, report().report) }, 'Full report'),
  );
}

// customers.js: the Customers view — its controls and what they show. The period grain, the churn rule and
// a breakdown column that is not in the report yet change the config and re-run the engine (through
// app.js, like every other choice); the trend figure, the bridge's period and scope and the cohort measure
// only redraw the report shown.
import { el, clear } from './dom.js';
import { Chart, chartColors, svgToPng } from './charts.js';
import { renderCards, renderKpiTable, renderTrend, renderBreakdown, kpiById } from './views.js';
import {
  CUSTOMER_CARDS, CUSTOMER_BREAKDOWN, SNAPSHOT_KPIS, CHURN_KPIS, RETENTION_KPIS, customerSummary, renderBridge,
  renderMovements, renderLines, renderCohorts, renderFunnel, snapshotSummary,
} from './customer_views.js';
import { renderHealth } from './health_view.js';
import { tableSvg } from './table_image.js';
import { addExportButtons } from './export_buttons.js';
import { download, downloadJson, slug } from './export.js';
import { CUSTOMER_DEFAULTS, isCustomerFile, withCustomerSetting } from './settings.js';

const $ = (id) => document.getElementById(id);
const label = (segment) => segment.replaceAll('_', ' ');

/**
 * app: editable() → a copy of the dataset's settings to change, rerun(settings), healthCsv() → a promise
 * of the engine's CSV of every scored customer, report() → {name, report} shown (the "Full report" export).
 */
export function customerView(app) {
  const ui = { trend: 'mrr', by: null, period: null, scope: '', cohort: 'logo', section: null, report: null };
  const exports = {};
  let charts = null;

  const ensureCharts = () => {
    charts ??= Object.fromEntries(['customer-trend', 'bridge', 'movements', 'churn', 'retention', 'customer-breakdown', 'snapshot', 'funnel', 'health']
      .map((key) => [key, new Chart($(`${key}-chart`))]));
    return charts;
  };

  function fill(select, options, value) {
    clear(select).append(...options.map(([v, text]) => el('option', { value: v, selected: v === value }, text)));
  }

  // Controls from the report: the config the engine used, the section's segments and periods.
  function sync(report) {
    const section = report.customers;
    if (!section) return;
    $('customer-grain-select').value = section.config?.grain ?? CUSTOMER_DEFAULTS.grain;
    $('churn-select').value = section.config?.churn_recognition ?? CUSTOMER_DEFAULTS.churn_recognition;
    const segments = Object.keys(section.segments);
    if (!segments.includes(ui.by)) ui.by = segments.includes('plan') ? 'plan' : segments[0] ?? null;
    const files = report.input.files.filter(isCustomerFile);
    const plan = new Set(files.flatMap((f) => f.mapping ?? []).filter((m) => m.field === 'plan').map((m) => m.column));
    const others = [...new Set(files.flatMap((f) => f.columns ?? []))].filter((c) => !segments.includes(c) && !plan.has(c));
    clear($('customer-by-select')).append(
      el('optgroup', { label: 'Segments' }, ...segments.map((s) => el('option', { value: s, selected: s === ui.by }, label(s)))),
      el('optgroup', { label: 'Other columns' }, ...others.map((c) => el('option', { value: c }, c))),
    );
    const trends = section.kpis.filter((k) => k.available && k.series);
    if (!trends.some((k) => k.id === ui.trend)) ui.trend = trends[0]?.id ?? 'mrr';
    fill($('customer-trend-select'), trends.map((k) => [k.id, k.label]), ui.trend);
    const keys = section.periods.keys;
    if (!keys.includes(ui.period)) ui.period = keys.at(-1) ?? null;
    fill($('bridge-period-select'), keys.map((k) => [k, k]), ui.period);
    const split = ui.by && section.bridge?.breakdowns?.[ui.by];
    if (!split || !(Number(ui.scope) < split.length)) ui.scope = '';
    fill($('bridge-scope-select'), [['', 'all customers'], ...(split ? section.segments[ui.by].map((v, i) => [String(i), `${label(ui.by)}: ${v}`]) : [])], ui.scope);
    $('cohort-measure-select').value = ui.cohort;
  }

  function drawTrend() {
    exports.trend = renderTrend(ensureCharts()['customer-trend'], $('customer-trend-table'), ui.section, ui.trend, 'customer-trend-table');
    // The customer figures' series are by start cohort (docs/kpis.md), aligned with the periods.
    const byCohort = ['clv', 'cac', 'repeat_purchase_rate', 'time_to_value_median', 'time_to_value_p90'].includes(ui.trend);
    $('customer-trend-title').textContent = `${kpiById(ui.section, ui.trend)?.label ?? ''} ${byCohort ? 'by start cohort' : 'over time'}`;
  }

  function drawBridge() {
    const section = ui.section;
    const index = section.periods.keys.indexOf(ui.period);
    const scope = ui.scope === '' ? null : { column: ui.by, index: Number(ui.scope) };
    exports.bridge = renderBridge(ensureCharts().bridge, $('bridge-table'), section, index, scope);
  }

  function drawBreakdowns() {
    ensureCharts();
    const section = ui.section;
    const by = ui.by;
    if (section.bridge) {
      const kpiId = kpiById(section, ui.trend)?.breakdowns?.[by] ? ui.trend : 'mrr';
      $('customer-breakdown-title').textContent = by ? `Breakdown by ${label(by)}` : 'Breakdown';
      if (by && kpiById(section, kpiId)?.breakdowns?.[by]) {
        exports.breakdown = renderBreakdown(charts['customer-breakdown'], $('customer-breakdown-table'), section, by, kpiId, CUSTOMER_BREAKDOWN, 'customer-breakdown-table');
      } else {
        charts['customer-breakdown'].set({});
        clear($('customer-breakdown-table')).append(el('p', {}, 'No segment to break the figures down by: pick a column above (a plan, a region…).'));
        exports.breakdown = { rows: [], columns: [] };
      }
    }
    if (section.snapshot) {
      const churn = kpiById(section, 'snapshot_churn_rate');
      const columns = Object.keys(churn?.breakdowns ?? {});
      const snapBy = columns.includes(by) ? by : columns[0];
      $('snapshot-breakdown-title').textContent = snapBy ? `Churn by ${label(snapBy)}` : 'Churn by segment';
      if (snapBy) {
        exports.snapshot = renderBreakdown(charts.snapshot, $('snapshot-table'), section, snapBy, 'snapshot_churn_rate', SNAPSHOT_KPIS, 'snapshot-table');
      } else {
        charts.snapshot.set({});
        clear($('snapshot-table')).append(el('p', {}, 'Pick a column of the snapshot above to see churn by its values.'));
        exports.snapshot = { rows: [], columns: [] };
      }
    }
    const health = section.health;
    if (health) {
      const healthBy = health.breakdowns?.[by] ? by : Object.keys(health.breakdowns ?? {})[0];
      exports.health = renderHealth({
        summary: $('health-summary'), cards: $('health-cards'), chart: charts.health, histogram: $('health-histogram'),
        segments: $('health-segments'), list: $('health-list'),
      }, health, section.segments, healthBy);
    }
  }

  function drawCohorts() {
    exports.cohorts = renderCohorts($('cohort-table'), ui.section, ui.cohort);
  }

  /**
   * Shows the customers section of `report` (or clears the view when it has none): the controls, summaries
   * and cards at once, the charts and tables through `later(stage)` — app.js runs the stages in the task
   * after the cards were painted; by default at once.
   */
  function show(report, later = (stage) => stage()) {
    ui.report = report;
    const section = report.customers;
    ui.section = section;
    if (!section) return;
    sync(report);
    $('customers-summary').textContent = customerSummary(section);
    renderCards($('customer-cards'), section, CUSTOMER_CARDS);
    const periods = Boolean(section.bridge);
    $('period-panels').hidden = !periods;
    $('snapshot-panel').hidden = !section.snapshot;
    $('health-panel').hidden = !section.health;
    $('funnel-panel').hidden = !section.funnel;
    if (section.snapshot) {
      $('snapshot-summary').textContent = snapshotSummary(section.snapshot);
      renderCards($('snapshot-cards'), section, SNAPSHOT_KPIS);
    }
    // Each stage draws the section it was given, even if a newer report came meanwhile (app.js then drops
    // the stages still pending).
    if (section.funnel) later(() => { exports.funnel = renderFunnel(ensureCharts().funnel, $('funnel-table'), section.funnel); });
    if (periods) {
      later(() => drawTrend());
      later(() => drawBridge());
      later(() => { exports.movements = renderMovements(ensureCharts().movements, $('movements-table'), section); });
      later(() => {
        exports.churn = renderLines(ensureCharts().churn, $('churn-table'), section, CHURN_KPIS, { title: 'Churn', testId: 'churn-table' });
        exports.retention = renderLines(charts.retention, $('retention-table'), section, RETENTION_KPIS, { title: 'Retention', testId: 'retention-table' });
      });
      later(() => drawCohorts());
    }
    later(() => drawBreakdowns());
    later(() => { exports.kpis = renderKpiTable($('customer-kpi-table'), section, 'customer-kpi-table'); });
  }

  function wire() {
    const rerun = (key, value) => {
      const settings = app.editable();
      if (settings) app.rerun(withCustomerSetting(settings, key, value));
    };
    $('customer-grain-select').addEventListener('change', (event) => rerun('grain', event.target.value));
    $('churn-select').addEventListener('change', (event) => rerun('churn_recognition', event.target.value));
    $('customer-by-select').addEventListener('change', (event) => {
      ui.by = event.target.value;
      ui.scope = '';
      const settings = app.editable();
      if (settings && ui.section && !(ui.by in ui.section.segments)) {
        if (!settings.by.includes(ui.by)) settings.by.push(ui.by);
        app.rerun(settings);
        return;
      }
      sync(ui.report);
      drawBridge();
      drawBreakdowns();
    });
    $('customer-trend-select').addEventListener('change', (event) => {
      ui.trend = event.target.value;
      drawTrend();
      drawBreakdowns();
    });
    $('bridge-period-select').addEventListener('change', (event) => {
      ui.period = event.target.value;
      drawBridge();
    });
    $('bridge-scope-select').addEventListener('change', (event) => {
      ui.scope = event.target.value;
      drawBridge();
    });
    $('cohort-measure-select').addEventListener('change', (event) => {
      ui.cohort = event.target.value;
      drawCohorts();
    });

    const chart = (key) => () => ensureCharts()[key];
    const rows = (key, columns) => () => ({ rows: exports[key] ?? [], columns });
    addExportButtons('customer-trend-actions', 'customer-trend', { figure: chart('customer-trend'), table: rows('trend', ['period', 'start', 'value', 'n']) });
    addExportButtons('bridge-actions', 'mrr-bridge', { figure: chart('bridge'), table: rows('bridge', ['period', 'movement', 'amount', 'customers']) });
    addExportButtons('movements-actions', 'mrr-movements', {
      figure: chart('movements'), table: rows('movements', ['period', 'start_mrr', 'new', 'expansion', 'reactivation', 'contraction', 'churned', 'end_mrr']),
    });
    addExportButtons('churn-actions', 'churn', { figure: chart('churn'), table: () => exports.churn });
    addExportButtons('retention-actions', 'retention', { figure: chart('retention'), table: () => exports.retention });
    addExportButtons('cohorts-actions', 'cohorts', {
      figure: () => {
        const image = tableSvg($('cohort-table').querySelector('table'), chartColors().background);
        return { svg: () => image.svg, png: () => svgToPng(image.svg, image) };
      },
      table: () => exports.cohorts,
    });
    addExportButtons('customer-breakdown-actions', 'customer-breakdown', { figure: chart('customer-breakdown'), table: () => exports.breakdown });
    addExportButtons('snapshot-actions', 'snapshot', { figure: chart('snapshot'), table: () => exports.snapshot });
    addExportButtons('funnel-actions', 'funnel', { figure: chart('funnel'), table: () => exports.funnel });
    addExportButtons('health-actions', 'health-distribution', { figure: chart('health'), table: () => ({ rows: exports.health.histogram, columns: ['range', 'customers'] }) });
    addExportButtons('health-list-actions', 'health', { table: () => ({ rows: exports.health.rows, columns: exports.health.columns }) });
    $('health-list-actions').append(el('button', {
      type: 'button', 'data-export': 'health-all-csv',
      onclick: async () => {
        const text = await app.healthCsv();
        // The engine's CSV as it wrote it: its cells are already neutralised (docs/report.md).
        if (text !== null) download('kpilens-health-all.csv', `\ufeff${text}`, 'text/csv;charset=utf-8');
      },
    }, 'All scores (CSV)'));
    addExportButtons('customer-kpi-table-actions', 'customer-kpis', { table: rows('kpis', ['id', 'label', 'value', 'n', 'unit', 'variant', 'inputs']) });
    $('customer-kpi-table-actions').append(el('button', {
      type: 'button', 'data-export': 'customers-report-json',
      onclick: () => downloadJson(`kpilens-report-${slug(app.report().name)}.json`, app.report().report),
    }, 'Full report'));
  }

  wire();
  /** The breakdown to show after the mapping editor turned a column into one (it re-runs). */
  const showBreakdown = (name) => {
    ui.by = name;
  };

  return { show, sync, showBreakdown, chart: (key) => ensureCharts()[key] };
}

// app.js: UI state. Files come in (drop, picker, bundled sample), the engine runs in a worker, the
// report comes back and the views draw it. Changing the period grain or a breakdown column re-runs the
// engine with a new config: the page never computes a figure itself.
/* global __KPILENS_SAMPLE__ */
import { EngineClient } from './engine_client.js';
import { el, clear } from './dom.js';
import { formatBytes, formatCount, formatSeconds } from './format.js';
import { Chart } from './charts.js';
import { wireExportButtons } from './export_buttons.js';
import {
  renderCards, renderKpiTable, renderTrend, renderBreakdown, renderNps, renderDistribution,
  renderProblems, renderMapping, availableKpis, kpiById,
} from './views.js';

const AUTO_SEGMENTS = ['channel', 'agent', 'team', 'priority'];
const $ = (id) => document.getElementById(id);

const engine = new EngineClient();
const state = {
  datasets: [], // {name, files, reports: Map(configKey → report)}
  current: -1,
  grain: 'week',
  by: null, // the breakdown column shown
  extraBy: null, // a column the user picked that is not an automatic segment
  trend: 'tickets',
  report: null,
  exports: {},
};
let charts = null;

function setState(name) {
  document.body.dataset.state = name;
}

function status(message, isError = false) {
  const node = $('status');
  node.textContent = message;
  node.classList.toggle('error', isError);
}

function configFor(view) {
  const config = { grain: view.grain, by_if_mapped: AUTO_SEGMENTS };
  if (view.extraBy) config.by = [view.extraBy];
  return config;
}

// ---- files in ----

function addDatasets(files) {
  const list = [...files].filter((f) => f instanceof File);
  if (list.length === 0) return;
  for (const file of list) state.datasets.push({ name: file.name, files: [file], reports: new Map() });
  renderDatasetTabs();
  selectDataset(state.datasets.length - list.length);
}

function renderDatasetTabs() {
  const nav = $('datasets');
  nav.hidden = state.datasets.length < 2;
  clear(nav).append(
    ...state.datasets.map((d, i) =>
      el('button', { type: 'button', 'aria-current': i === state.current ? 'true' : 'false', onclick: () => selectDataset(i) }, d.name),
    ),
  );
}

function selectDataset(index) {
  run(index, { extraBy: null });
}

// ---- running the engine ----

// Runs dataset `index` with the view settings changed by `changes` ({grain, extraBy}). The dataset and
// the settings become current only when its report is shown: a cancelled or failed run leaves the page
// as it was.
async function run(index = state.current, changes = {}) {
  const dataset = state.datasets[index];
  if (!dataset) return;
  const view = { grain: state.grain, extraBy: state.extraBy, ...changes };
  const config = configFor(view);
  const key = JSON.stringify(config);
  const commit = (report) => {
    state.current = index;
    state.grain = view.grain;
    state.extraBy = view.extraBy;
    renderDatasetTabs();
    show(report);
  };
  if (dataset.reports.has(key)) {
    commit(dataset.reports.get(key));
    return;
  }
  const totalBytes = dataset.files.reduce((s, f) => s + f.size, 0);
  const started = performance.now();
  $('progress').hidden = false;
  $('progress-bar').value = 0;
  $('progress-text').textContent = `Reading ${dataset.name} (${formatBytes(totalBytes)})…`;
  status('');
  setState('running');
  try {
    const report = await engine.run(dataset.files, config, (p) => {
      const seconds = (performance.now() - started) / 1000;
      const rate = p.bytes / Math.max(seconds, 1e-3);
      const left = (p.totalBytes - p.bytes) / Math.max(rate, 1);
      $('progress-bar').value = p.totalBytes ? p.bytes / p.totalBytes : 1;
      $('progress-text').textContent =
        `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)} · ${formatCount(p.rows)} rows · ` +
        `${formatBytes(rate)}/s · ${formatSeconds(left)} left`;
    });
    dataset.reports.set(key, report);
    $('progress').hidden = true;
    const seconds = (performance.now() - started) / 1000;
    status(`${dataset.name}: ${formatCount(report.input.rows_used)} tickets in ${seconds.toFixed(2)} s.`);
    commit(report);
  } catch (error) {
    $('progress').hidden = true;
    if (error.cancelled) {
      status(`Cancelled reading ${dataset.name}.` + (state.report ? ' The report shown is the one before.' : ''));
      if (state.report) $('grain-select').value = state.report.periods.grain;
      setState(state.report ? 'ready' : 'cancelled');
      return;
    }
    status(`The engine could not read ${dataset.name}: ${error.message}`, true);
    setState('error');
  }
}

function cancel() {
  if (engine.cancel()) $('progress').hidden = true;
}

// ---- report out ----

function ensureCharts() {
  if (charts) return charts;
  charts = {
    trend: new Chart($('trend-chart')),
    breakdown: new Chart($('breakdown-chart')),
    nps: new Chart($('nps-chart')),
    distribution: new Chart($('distribution-chart')),
  };
  return charts;
}

function show(report) {
  state.report = report;
  $('drop-hint').hidden = true;
  $('report').hidden = false;
  if (!report.ok) {
    status(`Nothing could be read: ${report.errors.join(' ')}`, true);
  }
  ensureCharts();
  $('grain-select').value = report.periods.grain === 'all' ? 'week' : report.periods.grain;
  fillTrendSelect(report);
  fillBySelect(report);
  renderCards($('cards'), report);
  state.exports.kpis = renderKpiTable($('kpi-table'), report);
  drawTrend();
  drawBreakdown();
  state.exports.nps = renderNps(charts.nps, $('nps-table'), report);
  state.exports.distribution = renderDistribution(charts.distribution, $('distribution-table'), report);
  renderProblems($('problems'), report);
  renderMapping($('mapping'), report);
  setState(report.ok ? 'ready' : 'error');
}

function fillTrendSelect(report) {
  const select = $('trend-select');
  const options = availableKpis(report).filter((k) => k.series);
  if (!options.some((k) => k.id === state.trend)) state.trend = options[0]?.id ?? 'tickets';
  clear(select).append(...options.map((k) => el('option', { value: k.id, selected: k.id === state.trend }, k.label)));
}

function fillBySelect(report) {
  const select = $('by-select');
  const segments = Object.keys(report.segments);
  if (!segments.includes(state.by)) state.by = state.extraBy && segments.includes(state.extraBy) ? state.extraBy : segments[0] ?? null;
  const columns = report.input.files[0]?.columns ?? [];
  const mapped = new Set((report.input.files[0]?.mapping ?? []).filter((m) => AUTO_SEGMENTS.includes(m.field)).map((m) => m.column));
  clear(select).append(
    el('optgroup', { label: 'Fields' }, ...segments.map((s) => el('option', { value: s, selected: s === state.by }, s))),
    el('optgroup', { label: 'Other columns' },
      ...columns.filter((c) => !mapped.has(c) && !segments.includes(c)).map((c) => el('option', { value: c }, c))),
  );
}

function drawTrend() {
  state.exports.trend = renderTrend(charts.trend, $('trend-table'), state.report, state.trend);
}

function drawBreakdown() {
  const report = state.report;
  const kpiId = kpiById(report, state.trend)?.breakdowns?.[state.by] ? state.trend : 'tickets';
  if (!state.by) {
    charts.breakdown.set({});
    clear($('breakdown-table')).append(el('p', {}, 'No channel, agent, team or priority column; pick a column above.'));
    state.exports.breakdown = { rows: [], columns: [] };
    return;
  }
  $('breakdown-title').textContent = `Breakdown by ${state.by}`;
  state.exports.breakdown = renderBreakdown(charts.breakdown, $('breakdown-table'), report, state.by, kpiId);
}

// ---- wiring ----

function wire() {
  window.addEventListener('dragover', (event) => {
    event.preventDefault();
    document.body.classList.add('dragging');
  });
  window.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null) document.body.classList.remove('dragging');
  });
  window.addEventListener('drop', (event) => {
    event.preventDefault();
    document.body.classList.remove('dragging');
    addDatasets(event.dataTransfer?.files ?? []);
  });
  $('file-input').addEventListener('change', (event) => {
    addDatasets(event.target.files);
    event.target.value = '';
  });
  $('sample-button').addEventListener('click', () => {
    addDatasets([new File([__KPILENS_SAMPLE__], 'sample-tickets.csv', { type: 'text/csv' })]);
  });
  $('cancel-button').addEventListener('click', cancel);
  $('grain-select').addEventListener('change', (event) => {
    run(state.current, { grain: event.target.value });
  });
  $('by-select').addEventListener('change', (event) => {
    const value = event.target.value;
    state.by = value;
    if (state.report && !(value in state.report.segments)) {
      run(state.current, { extraBy: value });
    } else {
      drawBreakdown();
    }
  });
  $('trend-select').addEventListener('change', (event) => {
    state.trend = event.target.value;
    drawTrend();
    drawBreakdown();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') cancel();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => state.report && show(state.report));
  wireExportButtons({
    chart: (key) => ensureCharts()[key],
    tables: () => state.exports,
    report: () => ({ name: state.datasets[state.current]?.name ?? '', report: state.report }),
  });
  setState('empty');
}

wire();

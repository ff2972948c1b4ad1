// app.js: UI state. Files come in (drop, picker, generated samples): the files of one drop form one dataset
// (one tab), read by one engine Dataset. The engine runs in a worker, the report comes back and the views
// draw it: the Support view (ticket figures) and the Customers view (the report's `customers` section,
// customers.js), with tabs when a dataset has both. Changing the period grain, a breakdown, the customer
// settings, the mapping or the config re-runs the engine with a new config: the page never computes a
// figure itself.
import { EngineClient } from './engine_client.js';
import { el, clear } from './dom.js';
import { formatBytes, formatCount, formatSeconds, warmUpFormats } from './format.js';
import { Chart, warmUpCharts } from './charts.js';
import { downloadJson } from './export.js';
import { wireExportButtons } from './export_buttons.js';
import {
  renderCards, renderKpiTable, renderTrend, renderBreakdown, renderNps, renderDistribution,
  renderProblems, availableKpis, kpiById,
} from './views.js';
import { renderInputs, renderEditor } from './editor.js';
import { AUTO_SEGMENTS, newInput, newSettings, cloneSettings, configFor, importConfig, uniqueNames } from './settings.js';
import { remember, choiceOf } from './memory.js';
import { rememberedSettings, editorHandlers, readConfigFile } from './editing.js';
import { SAMPLE_TICKETS, sampleTicketsCsv } from './sample_tickets.js';
import { SAMPLE_SUBSCRIPTIONS, sampleSubscriptionsCsv } from './sample_subscriptions.js';
import { customerView } from './customers.js';
import { nextTurn } from '../wasm/bindings/parallel_read.mjs';

const $ = (id) => document.getElementById(id);

const engine = new EngineClient();
const state = {
  // {name, settings (settings.js), pending: settings of the run under way, config: the config of the
  //  report shown, reports: Map(key → report)}
  datasets: [],
  current: -1,
  grain: 'week',
  by: null, // the breakdown column shown
  trend: 'tickets',
  view: 'support', // or 'customers'
  report: null,
  exports: {},
};
let charts = null;
let lastRun = 0; // the id of the latest run; an older run that ends (cancelled by a newer one) is ignored

function setState(name) {
  document.body.dataset.state = name;
}

function status(message, isError = false) {
  const node = $('status');
  node.textContent = message;
  node.classList.toggle('error', isError);
}

function datasetName(inputs) {
  return inputs.length > 1 ? `${inputs[0].name} + ${inputs.length - 1} more` : inputs[0]?.name ?? '';
}

// ---- files in ----

// The files of one drop (or one pick) are one dataset with several inputs; each drop gets its own tab.
function addDataset(files) {
  const list = [...files].filter((f) => f instanceof File);
  if (list.length === 0) return;
  const names = uniqueNames(list);
  const inputs = list.map((file, i) => newInput(file, names[i]));
  state.datasets.push({ name: datasetName(inputs), settings: newSettings(inputs), pending: null, config: null, reports: new Map() });
  renderDatasetTabs();
  run(state.datasets.length - 1);
}

// "Add file…": more inputs for the dataset shown; they join it when the run with them succeeds.
function addToDataset(files) {
  const list = [...files].filter((f) => f instanceof File);
  const dataset = state.datasets[state.current];
  if (!dataset) {
    addDataset(list);
    return;
  }
  if (list.length === 0) return;
  const settings = cloneSettings(dataset.pending ?? dataset.settings);
  const names = uniqueNames(list, settings.inputs.map((input) => input.name));
  settings.inputs.push(...list.map((file, i) => newInput(file, names[i])));
  run(state.current, { settings });
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
  run(index);
}

// ---- running the engine ----

/**
 * Runs dataset `index` with `changes`: {grain, settings (a changed copy of the dataset's), strict,
 * remember, notes}. The dataset, grain and settings become current only when the report is shown: a
 * cancelled or failed run leaves the page as it was. `strict` (changes made in the editor, an imported
 * config): a report that failed is not shown over one that worked; its errors are shown instead and the
 * controls go back to the report shown. `remember`: store the mapping choices for the files' headers.
 */
async function run(index = state.current, changes = {}) {
  const dataset = state.datasets[index];
  if (!dataset) return;
  const grain = changes.grain ?? state.grain;
  // Settings of a run this one replaces (an edit still running when the period changes) carry over.
  const settings = changes.settings ?? dataset.pending ?? dataset.settings;
  const inputs = settings.inputs;
  const config = configFor(settings, grain);
  const key = JSON.stringify([inputs.map((input) => input.name), config]);
  const id = ++lastRun;
  for (const other of state.datasets) other.pending = null;
  dataset.pending = settings === dataset.settings ? null : settings;
  const commit = (report) => {
    if (changes.strict && !report.ok && state.report?.ok && state.current === index) {
      dataset.pending = null;
      refuse(`The engine could not use these settings: ${report.errors.join(' ')}`);
      return;
    }
    const before = dataset.settings;
    state.current = index;
    state.grain = grain;
    dataset.settings = settings;
    dataset.pending = null;
    dataset.config = config;
    dataset.name = datasetName(inputs);
    inputs.forEach((input, i) => {
      input.columns = report.input.files[i]?.columns ?? input.columns;
      input.kind = report.input.files[i]?.kind ?? input.kind;
    });
    if (changes.remember) rememberChanged(before, settings);
    renderDatasetTabs();
    show(report);
    const notes = [...(changes.notes ?? [])];
    const by = report.config?.by ?? [];
    const dropped = settings.by.filter((column) => !by.includes(column));
    if (report.ok && dropped.length) notes.push(`No breakdown by ${dropped.join(', ')}: the first file has no such column.`);
    if (notes.length) status([$('status').textContent, ...notes].filter(Boolean).join(' '));
    // A new input whose header was mapped before gets the remembered choice: one more run.
    const recalled = rememberedSettings(settings, report);
    if (recalled) run(index, { settings: recalled, strict: true, notes: ['Mapping remembered from an earlier file with the same columns (see Columns and fields).'] });
  };
  if (dataset.reports.has(key)) {
    if (engine.cancel()) $('progress').hidden = true; // a run still under way would show an older choice
    commit(dataset.reports.get(key));
    return;
  }
  const files = inputs.map((input) => input.file);
  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  const started = performance.now();
  $('progress').hidden = false;
  $('progress-bar').value = 0;
  $('progress-text').textContent = `Reading ${datasetName(inputs)} (${formatBytes(totalBytes)})…`;
  $('progress-note').hidden = true;
  status('');
  setState('running');
  try {
    const report = await engine.run(files, config, (p) => {
      const seconds = (performance.now() - started) / 1000;
      const rate = p.bytes / Math.max(seconds, 1e-3);
      const left = (p.totalBytes - p.bytes) / Math.max(rate, 1);
      $('progress-bar').value = p.totalBytes ? p.bytes / p.totalBytes : 1;
      $('progress-text').textContent =
        `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)} · ${formatCount(p.rows)} rows · ` +
        `${formatBytes(rate)}/s · ${formatSeconds(left)} left`;
      // Why the bar holds still (the engine dropped the parallel reading): untrusted file names, as text.
      $('progress-note').hidden = !p.notice;
      $('progress-note').textContent = p.notice ? `${p.notice}: the bar holds still until it passes what was read before.` : '';
    }, inputs.map((input) => input.name));
    dataset.reports.set(key, report);
    if (id !== lastRun) return; // a newer choice was shown meanwhile
    $('progress').hidden = true;
    const seconds = (performance.now() - started) / 1000;
    status(`${datasetName(inputs)}: ${formatCount(report.input.rows_used)} rows used in ${seconds.toFixed(2)} s.`);
    commit(report);
  } catch (error) {
    if (id !== lastRun) return; // a newer run took over
    dataset.pending = null;
    $('progress').hidden = true;
    if (error.cancelled) {
      status(`Cancelled reading ${datasetName(inputs)}.` + (state.report ? ' The report shown is the one before.' : ''));
      if (state.report) $('grain-select').value = state.report.periods.grain;
      settle(state.report ? 'ready' : 'cancelled');
      if (state.report) showEditor(state.report);
      return;
    }
    const message = changes.strict ? `The engine could not use these settings: ${error.message}`
      : `The engine could not read ${datasetName(inputs)}: ${error.message}`;
    if (state.report) {
      refuse(message);
      return;
    }
    status(message, true);
    setState('error');
  }
}

// Stores the choices of the inputs whose choices changed (two inputs may share a header: an edit of one
// must not be overwritten by the other's older choice).
function rememberChanged(before, after) {
  for (const input of after.inputs) {
    if (!input.columns?.length) continue;
    const choice = choiceOf(after, input);
    const old = before.inputs.find((candidate) => candidate.name === input.name);
    if (!old || JSON.stringify(choiceOf(before, old)) !== JSON.stringify(choice)) remember(input.columns, choice);
  }
}

// A run whose settings the engine refused: say why, keep the report shown and put the controls back.
function refuse(message) {
  status(message, true);
  const box = $('config-error');
  box.textContent = message;
  box.hidden = false;
  $('grain-select').value = state.report?.periods.grain === 'all' ? 'week' : state.report?.periods.grain ?? 'week';
  if (state.report) {
    customers.sync(state.report);
    showEditor(state.report);
  }
  settle(state.report ? 'ready' : 'error');
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

// Which views a report has: the Support view when a ticket or survey file was read (or nothing could be
// read: its errors are shown there), the Customers view when it has a customers section.
function views(report) {
  const customersShown = report.customers !== null && report.customers !== undefined;
  const support = !customersShown || report.input.files.some((file) => file.kind === 'tickets' || file.kind === 'survey');
  return { support, customers: customersShown };
}

function selectView(view) {
  state.view = view;
  for (const [name, tab] of [['support', $('tab-support')], ['customers', $('tab-customers')]]) {
    const selected = name === view;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`${name}-view`).hidden = !selected;
  }
}

// The report shows in two steps (issue 6, scripts/bench --first-kpis): first what is cheap — the KPI cards
// and the controls — painted in the frame after the report came; then, in the task after that frame, the
// charts and tables (ECharts lays out and draws a chart in tens of ms: drawn in the same task as the cards,
// they kept the cards off screen — render 154 ms + paint 81 ms for a 10 MB export before this). The
// second step is one task, not one per panel: each task let a frame through (style, layout and paint of
// the half-drawn page; ~200 ms of such frames in a Chromium trace under load), and the whole report was on
// screen after 0.64–0.67 s against 0.57–0.60 s in one task (medians of 8 alternating runs of the 10 MB
// export on the loaded 2-core machine). <body data-state> says how far it got: "kpis" once the cards are
// drawn, "ready" (or "error") once everything is. A newer show() before the second step drops the older
// one's.
let shownReport = 0; // the id of the latest show(); its second step alone runs
let drawing = false; // the second step of the latest show() still to come

function show(report) {
  const id = ++shownReport;
  state.report = report;
  $('drop-hint').hidden = true;
  $('report').hidden = false;
  if (!report.ok) {
    status(`Nothing could be read: ${report.errors.join(' ')}`, true);
  }
  const shown = views(report);
  $('view-tabs').hidden = !(shown.support && shown.customers);
  selectView(shown[state.view] ? state.view : shown.customers ? 'customers' : 'support');
  const customerStages = [];
  customers.show(report, (stage) => customerStages.push(stage));
  $('grain-select').value = report.periods.grain === 'all' ? 'week' : report.periods.grain;
  fillTrendSelect(report);
  fillBySelect(report);
  renderCards($('cards'), report);
  $('config-error').hidden = true;
  const supportStages = [
    () => drawTrend(),
    () => drawBreakdown(),
    () => { state.exports.nps = renderNps(ensureCharts().nps, $('nps-table'), report); },
    () => { state.exports.distribution = renderDistribution(ensureCharts().distribution, $('distribution-table'), report); },
    () => { state.exports.kpis = renderKpiTable($('kpi-table'), report); },
    () => renderProblems($('problems'), report),
  ];
  const stages = [...supportStages, ...customerStages, () => showEditor(report)];
  drawing = true;
  $('report').setAttribute('aria-busy', 'true'); // charts and tables of an earlier report may still show
  setState('kpis');
  afterPaint(async () => {
    await nextTurn(); // after anything else queued behind that frame (scripts/bench takes its time there)
    if (id !== shownReport) return;
    for (const stage of stages) stage();
    drawing = false;
    $('report').removeAttribute('aria-busy');
    // A run started meanwhile says "running" (and its end says what comes next).
    if (document.body.dataset.state === 'kpis') setState(report.ok ? 'ready' : 'error');
  });
}

// Runs `callback` once the next frame has been painted: a task queued from requestAnimationFrame runs after
// that frame's style, layout and paint. A page in a background tab gets no frames: the timer goes on then
// (and, should frames stall, after a second).
function afterPaint(callback) {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    callback();
  };
  requestAnimationFrame(() => nextTurn().then(once));
  setTimeout(once, document.hidden ? 0 : 1000);
}

// The state after a run that showed nothing new (cancelled, refused): `otherwise`, unless the report shown
// is still being drawn: "kpis" then, and its second step says "ready".
function settle(otherwise) {
  setState(drawing ? 'kpis' : otherwise);
}

// ---- inputs and mapping editor ----

function showEditor(report) {
  const dataset = state.datasets[state.current];
  renderInputs($('inputs'), report, removeInput);
  renderEditor($('mapping'), report, dataset?.settings.inputs ?? [], handlers);
}

// "Remove": the dataset without that input; like any edit, it becomes current when its run succeeds.
function removeInput(name) {
  const settings = editable();
  if (!settings || settings.inputs.length < 2) return;
  settings.inputs = settings.inputs.filter((input) => input.name !== name);
  run(state.current, { settings });
}

/** A copy of the current dataset's settings to change (on top of a run still under way). */
function editable() {
  const dataset = state.datasets[state.current];
  return dataset ? cloneSettings(dataset.pending ?? dataset.settings) : null;
}

const handlers = editorHandlers({
  editable,
  report: () => state.report,
  rerun: (settings, { remember: keep }) => run(state.current, { settings, strict: true, remember: keep }),
  showBreakdown: (name, fileReport) => {
    if (fileReport?.kind === 'tickets' || fileReport?.kind === 'survey') state.by = name;
    else customers.showBreakdown(name);
  },
});

const customers = customerView({
  editable,
  rerun: (settings) => run(state.current, { settings, strict: true, remember: true }),
  healthCsv: () => healthCsv(),
  report: () => ({ name: state.datasets[state.current]?.name ?? '', report: state.report }),
});

// Every scored customer's health score as the engine writes it (the report lists the lowest only): the
// engine reads the dataset's files again with the config of the report shown.
async function healthCsv() {
  const dataset = state.datasets[state.current];
  if (!dataset?.config) return null;
  const inputs = dataset.settings.inputs;
  try {
    return await engine.healthCsv(inputs.map((input) => input.file), dataset.config, inputs.map((input) => input.name));
  } catch (error) {
    if (!error.cancelled) status(`The health scores could not be exported: ${error.message}`, true);
    return null;
  }
}

// ---- config out and in ----

function exportConfig() {
  const config = state.datasets[state.current]?.config;
  if (config) downloadJson('kpilens-config.json', config);
}

// The imported config replaces the page's choices for the dataset shown (see importConfig).
async function importConfigFile(file) {
  const base = editable();
  if (!base || !file) return;
  const { config, error } = await readConfigFile(file);
  if (error) {
    refuse(error);
    return;
  }
  const { settings, grain, notes } = importConfig(base, config);
  run(state.current, { settings, grain, strict: true, remember: true, notes: [`Config ${file.name} applied.`, ...notes] });
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
  if (!segments.includes(state.by)) state.by = segments[0] ?? null;
  const columns = [...new Set(report.input.files.flatMap((file) => file.columns ?? []))];
  const mapped = new Set(report.input.files.flatMap((file) => file.mapping ?? []).filter((m) => AUTO_SEGMENTS.includes(m.field)).map((m) => m.column));
  clear(select).append(
    el('optgroup', { label: 'Fields' }, ...segments.map((s) => el('option', { value: s, selected: s === state.by }, s))),
    el('optgroup', { label: 'Other columns' },
      ...columns.filter((c) => !mapped.has(c) && !segments.includes(c)).map((c) => el('option', { value: c }, c))),
  );
}

function drawTrend() {
  state.exports.trend = renderTrend(ensureCharts().trend, $('trend-table'), state.report, state.trend);
}

function drawBreakdown() {
  const report = state.report;
  ensureCharts();
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
    addDataset(event.dataTransfer?.files ?? []);
  });
  $('file-input').addEventListener('change', (event) => {
    addDataset(event.target.files);
    event.target.value = '';
  });
  $('sample-button').addEventListener('click', () => {
    addDataset([new File([sampleTicketsCsv()], SAMPLE_TICKETS.name, { type: 'text/csv' })]);
  });
  $('sample-subscriptions-button').addEventListener('click', () => {
    addDataset([new File([sampleSubscriptionsCsv()], SAMPLE_SUBSCRIPTIONS.name, { type: 'text/csv' })]);
  });
  $('view-tabs').addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) selectView(tab.id === 'tab-customers' ? 'customers' : 'support');
  });
  $('view-tabs').addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    selectView(state.view === 'support' ? 'customers' : 'support');
    $(`tab-${state.view}`).focus();
  });
  $('add-file-button').addEventListener('click', () => $('add-file-input').click());
  $('add-file-input').addEventListener('change', (event) => {
    addToDataset(event.target.files);
    event.target.value = '';
  });
  $('export-config-button').addEventListener('click', exportConfig);
  $('import-config-button').addEventListener('click', () => $('import-config-input').click());
  $('import-config-input').addEventListener('change', (event) => {
    importConfigFile(event.target.files[0]);
    event.target.value = '';
  });
  $('cancel-button').addEventListener('click', cancel);
  $('grain-select').addEventListener('change', (event) => {
    run(state.current, { grain: event.target.value });
  });
  $('by-select').addEventListener('change', (event) => {
    const value = event.target.value;
    state.by = value;
    const next = editable();
    if (next && state.report && !(value in state.report.segments)) {
      if (!next.by.includes(value)) next.by.push(value);
      run(state.current, { settings: next, strict: true, remember: true });
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
  // ECharts' code compiled and Intl's formatters made before the first report is drawn (charts.js
  // warmUpCharts, format.js warmUpFormats), when the page is idle: after it has loaded, or while the engine
  // reads a file dropped at once.
  globalThis.requestIdleCallback?.(() => {
    warmUpFormats();
    if (!charts) warmUpCharts();
  }, { timeout: 3000 });
}

wire();

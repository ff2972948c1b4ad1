// editing.js: what the user's edits turn into. A change in the mapping editor, a remembered mapping or an
// imported config gives a changed copy of the dataset's settings; app.js runs the engine with it and
// keeps it only when the engine takes it.
import { AUTOMATIC_SEGMENTS, cloneSettings, toggleSegment, fieldOfColumn } from './settings.js';
import { recall, forget, reportShows } from './memory.js';

/**
 * After the first run of new inputs: the settings with the remembered choice applied to each input whose
 * header was seen before and whose report differs from it, or null when there is nothing to apply. Marks
 * every new input as looked at, so this happens once per input.
 */
export function rememberedSettings(settings, report) {
  let next = null;
  settings.inputs.forEach((input, i) => {
    if (input.memory !== 'unchecked') return;
    input.memory = 'checked';
    const fileReport = report.input.files[i];
    if (!fileReport?.columns?.length) return;
    const choice = recall(fileReport.columns);
    if (!choice || reportShows(report, fileReport, choice)) return;
    next ??= cloneSettings(settings);
    Object.assign(next.inputs[i], { mapping: { ...choice.mapping }, units: { ...choice.units }, memory: 'remembered', recalled: choice });
    for (const column of choice.segments.on) if (!next.by.includes(column)) next.by.push(column);
    next.byIfMapped = next.byIfMapped.filter((field) => !choice.segments.off.includes(field));
    Object.assign(next.customers, choice.customers);
  });
  return next;
}

/**
 * The mapping editor's handlers (editor.js). `app`: editable() → a copy of the current settings (or
 * null), report() → the report shown, rerun(settings, {remember}), showBreakdown(segment name, file report).
 */
export function editorHandlers(app) {
  const edit = (file, change, options = { remember: true }) => {
    const next = app.editable();
    if (!next?.inputs[file]) return;
    change(next, next.inputs[file]);
    app.rerun(next, options);
  };
  return {
    onMap: (file, field, header) => edit(file, (_, input) => { input.mapping[field] = header; }),
    onUnit: (file, field, unit) => edit(file, (_, input) => { input.units[field] = unit; }),
    onReset: (file) => edit(file, (_, input) => Object.assign(input, { mapping: {}, units: {} })),
    onSegment(file, column, on) {
      const base = app.editable();
      const fileReport = app.report()?.input.files[file];
      if (!base || !fileReport) return;
      if (on) {
        const field = fieldOfColumn(fileReport, column);
        app.showBreakdown(field && AUTOMATIC_SEGMENTS.includes(field) ? field : column, fileReport);
      }
      app.rerun(toggleSegment(base, fileReport, column, on), { remember: true });
    },
    // Forget: drop the stored choice and what it changed, back to the engine's own mapping.
    onForget: (file) => edit(file, (next, input) => {
      if (input.columns) forget(input.columns);
      const recalled = input.recalled;
      Object.assign(input, { mapping: {}, units: {}, memory: 'checked', recalled: null });
      if (!recalled) return;
      next.by = next.by.filter((column) => !recalled.segments.on.includes(column));
      for (const field of recalled.segments.off) if (!next.byIfMapped.includes(field)) next.byIfMapped.push(field);
      for (const key of Object.keys(recalled.customers ?? {})) delete next.customers[key];
    }, { remember: false }),
  };
}

/** Reads a config file the user imports: resolves to {config} (a JSON object) or {error}. */
export async function readConfigFile(file) {
  let config;
  try {
    config = JSON.parse(await file.text());
  } catch (error) {
    return { error: `${file.name} is not JSON: ${error.message}` };
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return { error: `${file.name} is not a kpilens config: it must hold one JSON object ({"grain": "month", …}).` };
  }
  return { config };
}

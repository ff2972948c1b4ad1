// editor.js: the Inputs panel (what each file was read as) and the mapping editor (which column feeds
// which field — the canonical ticket fields, or a customer-success file's own fields — the unit of
// duration columns, which columns are breakdowns). It shows the
// report's input section and hands every change to app.js, which re-runs the engine: the editor never
// decides a mapping itself.
import { el, clear } from './dom.js';
import { formatCount } from './format.js';
import { dataTable } from './tables.js';
import { DURATION_FIELDS, UNITS, fieldOfColumn, fieldsOfKind, segmentedColumns } from './settings.js';

const NOT_MAPPED = '';
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });
const fieldLabel = (field) => field.replaceAll('_', ' ');

/** "Zendesk ticket export (96 %)", "generic headers", or '' when the engine does not say. */
export function presetText(preset) {
  if (preset === undefined) return '';
  if (preset === null) return 'generic headers';
  const name = String(preset.name ?? preset.id ?? '');
  const confidence = Number(preset.confidence);
  if (!Number.isFinite(confidence)) return name;
  return `${name} (${percent.format(confidence > 1 ? confidence / 100 : confidence)})`;
}

/** The Inputs panel; `onRemove(name)` (optional) drops an input from a dataset of several. */
export function renderInputs(container, report, onRemove) {
  const rows = report.input.files.map((file) => ({
    name: file.name, format: file.format ?? '', encoding: file.encoding ?? '', kind: file.kind ?? '',
    preset: presetText(file.preset), rows_used: file.rows_used, rows_rejected: file.rows_rejected, error: file.error ?? '',
  }));
  const count = (v) => (typeof v === 'number' ? formatCount(v) : '');
  clear(container).append(dataTable([
    { key: 'name', label: 'File' }, { key: 'format', label: 'Format' }, { key: 'encoding', label: 'Encoding' },
    { key: 'kind', label: 'Kind' }, { key: 'preset', label: 'Read as' },
    { key: 'rows_used', label: 'Rows used', numeric: true, format: count },
    { key: 'rows_rejected', label: 'Rejected', numeric: true, format: count },
    { key: 'error', label: 'Error' },
    ...(onRemove && rows.length > 1 ? [{
      key: 'remove',
      label: 'Remove',
      format: (_, row) => el('button', {
        type: 'button', 'data-remove-input': row.name, 'aria-label': `Remove ${row.name} from this dataset`, onclick: () => onRemove(row.name),
      }, 'Remove'),
    }] : []),
  ], rows, { caption: 'Inputs of this dataset', testId: 'inputs-table', className: 'inputs-table' }));
}

function focusKeyOf(node) {
  return node instanceof HTMLElement ? node.dataset.focusKey ?? null : null;
}

function fieldRow(fileReport, index, field, handlers) {
  const entry = fileReport.mapping?.find((m) => m.field === field) ?? null;
  const columns = fileReport.columns ?? [];
  const select = el('select', {
    'data-field': field, 'data-file': index, 'data-focus-key': `field:${index}:${field}`,
    'aria-label': `Column for ${fieldLabel(field)} in ${fileReport.name}`,
    onchange: (event) => {
      const value = event.target.value;
      handlers.onMap(index, field, value === NOT_MAPPED ? null : columns[Number(value)]);
    },
  },
  el('option', { value: NOT_MAPPED, selected: !entry }, '— not mapped —'),
  ...columns.map((column, c) => el('option', { value: String(c), selected: entry !== null && (entry.index ?? columns.indexOf(entry.column)) === c }, column)));
  let unitCell = null;
  if (DURATION_FIELDS.includes(field)) {
    const unit = el('select', {
      'data-unit-field': field, 'data-file': index, 'data-focus-key': `unit:${index}:${field}`,
      'aria-label': `Unit of ${fieldLabel(field)} in ${fileReport.name}`, disabled: !entry,
      onchange: (event) => handlers.onUnit(index, field, event.target.value),
    }, entry ? null : el('option', { value: '' }, '—'), ...UNITS.map((u) => el('option', { value: u, selected: entry?.unit === u }, u)));
    unitCell = [unit, entry?.unit_from_header ? el('span', { class: 'meta' }, ' from the header') : null];
  }
  return el('tr', { 'data-field-row': field },
    el('th', { scope: 'row' }, fieldLabel(field)),
    el('td', { class: 'column' }, select),
    el('td', { class: 'how', 'data-how': entry?.how ?? '' }, entry?.how ?? ''),
    el('td', { class: 'unit' }, unitCell));
}

function segmentChoices(report, fileReport, index, handlers) {
  const segmented = segmentedColumns(report, fileReport);
  return el('fieldset', { class: 'segments' },
    el('legend', {}, 'Break figures down by'),
    ...(fileReport.columns ?? []).map((column) => {
      const field = fieldOfColumn(fileReport, column);
      return el('label', { class: 'segment' },
        el('input', {
          type: 'checkbox', 'data-segment-column': column, 'data-file': index, 'data-focus-key': `segment:${index}:${column}`,
          checked: segmented.has(column),
          onchange: (event) => handlers.onSegment(index, column, event.target.checked),
        }),
        column, field ? el('span', { class: 'meta' }, ` (${fieldLabel(field)})`) : null);
    }));
}

/**
 * One section per input: how it was read, the field → column table, the breakdown checkboxes.
 * `inputs` are the dataset's inputs (in report order); handlers: onMap(file, field, header|null),
 * onUnit(file, field, unit), onSegment(file, column, on), onReset(file), onForget(file).
 */
export function renderEditor(container, report, inputs, handlers) {
  const focused = focusKeyOf(document.activeElement);
  clear(container);
  report.input.files.forEach((fileReport, index) => {
    const input = inputs[index] ?? {};
    const section = el('section', { class: 'input-editor', 'data-file': index, 'aria-label': `Columns of ${fileReport.name}` },
      el('h3', {}, fileReport.name));
    if (fileReport.error) section.append(el('p', { class: 'warn' }, fileReport.error));
    if (fileReport.delimiter) {
      section.append(el('p', { class: 'meta' }, `Delimiter “${fileReport.delimiter}”, decimal “${fileReport.decimal_separator}”, dates ${fileReport.date_order === 'dmy' ? 'day first' : 'month first'}${fileReport.date_order_inferred ? ' (inferred)' : ''}, ${fileReport.encoding}.`));
    }
    if (input.memory === 'remembered') {
      section.append(el('p', { class: 'note', 'data-testid': 'remembered-note' },
        'Mapping remembered from an earlier file with the same columns — ',
        el('button', { type: 'button', 'data-focus-key': `forget:${index}`, onclick: () => handlers.onForget(index) }, 'Forget')));
    }
    if (!fileReport.columns?.length) {
      container.append(section);
      return;
    }
    const table = el('table', { class: 'mapping-editor', 'data-testid': `mapping-editor-${index}` },
      el('caption', { class: 'visually-hidden' }, `Which column of ${fileReport.name} feeds each field`),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, 'Field'), el('th', { scope: 'col' }, 'Column'),
        el('th', { scope: 'col' }, 'Matched by'), el('th', { scope: 'col' }, 'Unit'))),
      el('tbody', {}, ...fieldsOfKind(fileReport.kind).map((field) => fieldRow(fileReport, index, field, handlers))));
    section.append(el('div', { class: 'table-wrap' }, table), segmentChoices(report, fileReport, index, handlers));
    const overridden = Object.keys(input.mapping ?? {}).length + Object.keys(input.units ?? {}).length > 0;
    if (overridden) {
      section.append(el('p', {}, el('button', {
        type: 'button', 'data-reset-file': index, 'data-focus-key': `reset:${index}`, onclick: () => handlers.onReset(index),
      }, 'Back to the automatic mapping')));
    }
    if (fileReport.unmapped_columns?.length) section.append(el('p', { class: 'meta' }, `Not used: ${fileReport.unmapped_columns.join(', ')}`));
    container.append(section);
  });
  if (focused) {
    const again = [...container.querySelectorAll('[data-focus-key]')].find((node) => node.dataset.focusKey === focused);
    again?.focus();
  }
}

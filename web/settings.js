// settings.js: what the user chose for a dataset (mapping, units, breakdown columns, imported keys) and
// the engine config built from it. The page keeps choices, the engine applies them: nothing here reads
// a row or computes a figure.

/** Fields whose columns become breakdowns when the first input maps them (config `by_if_mapped`). */
export const AUTO_SEGMENTS = ['channel', 'agent', 'team', 'priority'];
/**
 * The same for the customer section: a plan column of the subscriptions, and the tenure and age bands of
 * a customers file (docs/kpis.md "Segments of the customer section"). Ticket files resolve none of these
 * unless they have a Plan column.
 */
export const CUSTOMER_SEGMENTS = ['plan', 'tenure_band', 'age_band'];
export const AUTOMATIC_SEGMENTS = [...AUTO_SEGMENTS, ...CUSTOMER_SEGMENTS];

/** The customer settings the page's controls set (config `customers`), with the engine's defaults. */
export const CUSTOMER_DEFAULTS = { grain: 'month', churn_recognition: 'period_end' };
export const CUSTOMER_KINDS = ['subscriptions', 'invoices', 'mrr', 'customers', 'orders', 'events'];

/** docs/kpis.md "Canonical fields", in the engine's order. */
export const CANONICAL_FIELDS = [
  'id', 'created_at', 'first_response_at', 'solved_at', 'status', 'channel', 'agent', 'team', 'priority',
  'customer', 'replies', 'reopens', 'csat', 'nps', 'ces', 'comment', 'cost', 'first_response_time',
  'resolution_time', 'first_contact_resolved',
];
export const DURATION_FIELDS = ['first_response_time', 'resolution_time'];

// docs/kpis.md "Customer fields", in the engine's order, with the kinds that read each one (s subscriptions,
// i invoices, m mrr, c customers).
const CUSTOMER_FIELDS = [
  ['customer', 'simc'], ['plan', 'sim'], ['amount', 'si'], ['currency', 'simc'], ['quantity', 's'], ['interval', 's'],
  ['interval_count', 's'], ['start', 's'], ['trial_end', 's'], ['canceled_at', 's'], ['cancel_at_period_end', 's'],
  ['current_period_end', 's'], ['ended_at', 's'], ['status', 'si'], ['period_start', 'i'], ['period_end', 'i'],
  ['month', 'm'], ['mrr', 'm'], ['signup_at', 'c'], ['acquisition_cost', 'c'], ['churned', 'c'], ['tenure', 'c'],
  ['monthly_charge', 'c'], ['age', 'c'],
];

/** The fields the mapping editor offers for a file of this kind (a ticket or survey file: the canonical fields). */
export function fieldsOfKind(kind) {
  const letter = { subscriptions: 's', invoices: 'i', mrr: 'm', customers: 'c' }[kind];
  return letter ? CUSTOMER_FIELDS.filter(([, kinds]) => kinds.includes(letter)).map(([field]) => field) : CANONICAL_FIELDS;
}
export const UNITS = ['milliseconds', 'seconds', 'minutes', 'hours', 'days'];

// Config keys the page builds from its own state; an imported config's other keys pass through as they are.
const MANAGED_KEYS = new Set(['grain', 'by', 'by_if_mapped', 'mapping', 'units', 'files', 'customers']);
// Config keys the page leaves out of an imported config, with why: `figures` narrows the report to some
// KPIs (the command line's --figures), and the page shows every one (its distributions too).
const PAGE_IGNORED_KEYS = new Map([
  ['figures', 'The config names some figures only (figures): the page shows every figure, so it left that out.'],
]);
const INPUT_KEYS = new Set(['mapping', 'units']);

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isEmpty = (object) => Object.keys(object).length === 0;
const asList = (value) => (value === undefined ? [] : Array.isArray(value) ? [...value] : [value]);

/**
 * One input of a dataset: the File, the name the engine is given (unique in the dataset), the
 * per-file mapping and units ({field: header|null}, {field: unit}), any other per-file config keys, the
 * columns the last report listed, and where its mapping came from ('unchecked' until the page has looked
 * for a remembered mapping, then 'checked' or 'remembered').
 */
export function newInput(file, name) {
  return { file, name, mapping: {}, units: {}, extra: {}, columns: null, memory: 'unchecked' };
}

/** Names for the engine, unique within one dataset: a second "export.csv" becomes "export (2).csv". */
export function uniqueNames(files, taken = []) {
  const used = new Set(taken);
  return files.map((file) => {
    let name = file.name;
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let k = 2; used.has(name); k += 1) name = `${stem} (${k})${ext}`;
    used.add(name);
    return name;
  });
}

export function newSettings(inputs) {
  return { inputs, by: [], byIfMapped: [...AUTOMATIC_SEGMENTS], customers: {}, extra: {} };
}

export function cloneSettings(settings) {
  return {
    ...settings,
    inputs: settings.inputs.map((input) => ({ ...input, mapping: { ...input.mapping }, units: { ...input.units }, extra: { ...input.extra } })),
    by: [...settings.by],
    byIfMapped: [...settings.byIfMapped],
    customers: { ...settings.customers },
    extra: { ...settings.extra },
  };
}

/** A copy of `settings` with one customer setting changed (left out of the config when it is the default). */
export function withCustomerSetting(settings, key, value) {
  const next = cloneSettings(settings);
  if (value === CUSTOMER_DEFAULTS[key]) delete next.customers[key];
  else next.customers[key] = value;
  return next;
}

/**
 * The config sent to the engine. One input: global `mapping`/`units`. Several: `files`
 * {name: {mapping, units}}, so a choice made for one file never reaches another. A breakdown column
 * missing from some input goes to `by_if_mapped` (blank in the inputs without it) instead of `by`
 * (an error of those inputs).
 */
export function configFor(settings, grain) {
  const config = { grain };
  const several = settings.inputs.length > 1;
  const inEveryInput = (column) => settings.inputs.every((input) => !input.columns || input.columns.includes(column));
  const by = settings.by.filter((column) => !several || inEveryInput(column));
  const byIfMapped = [...settings.byIfMapped, ...settings.by.filter((column) => !by.includes(column))];
  if (by.length) config.by = by;
  config.by_if_mapped = byIfMapped;
  if (several) {
    const files = {};
    for (const input of settings.inputs) {
      const entry = { ...input.extra };
      if (!isEmpty(input.mapping)) entry.mapping = input.mapping;
      if (!isEmpty(input.units)) entry.units = input.units;
      if (!isEmpty(entry)) files[input.name] = entry;
    }
    if (!isEmpty(files)) config.files = files;
  } else if (settings.inputs.length === 1) {
    const [input] = settings.inputs;
    if (!isEmpty(input.mapping)) config.mapping = input.mapping;
    if (!isEmpty(input.units)) config.units = input.units;
  }
  if (!isEmpty(settings.customers ?? {})) config.customers = { ...settings.customers };
  return { ...config, ...settings.extra };
}

/**
 * Applies an imported config (a parsed JSON object) to a copy of `settings`; the imported choices replace
 * the current ones. Returns {settings, grain (or undefined), notes: [strings to show]}. Values of the wrong
 * type are passed on for the engine to report (it names the key and what it expects).
 */
export function importConfig(settings, imported) {
  const next = cloneSettings(settings);
  const notes = [];
  next.extra = {};
  for (const [key, value] of Object.entries(imported)) {
    if (PAGE_IGNORED_KEYS.has(key)) notes.push(PAGE_IGNORED_KEYS.get(key));
    else if (!MANAGED_KEYS.has(key)) next.extra[key] = value;
  }
  next.by = asList(imported.by);
  next.byIfMapped = asList(imported.by_if_mapped);
  next.customers = {};
  if (isObject(imported.customers)) next.customers = { ...imported.customers };
  else if (imported.customers !== undefined) next.extra.customers = imported.customers;
  const globalMapping = imported.mapping;
  const globalUnits = imported.units;
  if (globalMapping !== undefined && !isObject(globalMapping)) next.extra.mapping = globalMapping;
  if (globalUnits !== undefined && !isObject(globalUnits)) next.extra.units = globalUnits;
  for (const input of next.inputs) {
    input.mapping = isObject(globalMapping) ? { ...globalMapping } : {};
    input.units = isObject(globalUnits) ? { ...globalUnits } : {};
    input.extra = {};
  }
  if (imported.files !== undefined) {
    if (!isObject(imported.files)) {
      next.extra.files = imported.files;
    } else {
      for (const [name, entry] of Object.entries(imported.files)) {
        const input = next.inputs.find((candidate) => candidate.name === name);
        if (!input) {
          notes.push(`The config sets columns for “${name}”, which is not an input of this dataset; that part was left out.`);
        } else if (!isObject(entry)) {
          input.extra = { mapping: entry }; // the engine says what is wrong with it
        } else {
          for (const [key, value] of Object.entries(entry)) {
            if (INPUT_KEYS.has(key) && isObject(value)) Object.assign(input[key], value);
            else input.extra[key] = value;
          }
        }
      }
    }
  }
  // A single input sends the global form; keep per-file keys the page does not manage for the engine.
  if (next.inputs.length === 1 && !isEmpty(next.inputs[0].extra)) {
    next.extra.files = { [next.inputs[0].name]: next.inputs[0].extra };
    next.inputs[0].extra = {};
  }
  return { settings: next, grain: typeof imported.grain === 'string' ? imported.grain : undefined, notes };
}

/** The field a column feeds in one file of a report, or null. */
export function fieldOfColumn(fileReport, column) {
  return fileReport.mapping?.find((entry) => entry.column === column)?.field ?? null;
}

/** Whether a file of the report is a customer-success file (its figures are in `customers`). */
export const isCustomerFile = (fileReport) => CUSTOMER_KINDS.includes(fileReport?.kind);

/** The columns of one file that the report breaks down by (named by header, or by the field they feed). */
export function segmentedColumns(report, fileReport) {
  const by = isCustomerFile(fileReport) ? Object.keys(report.customers?.segments ?? {}) : report.config?.by ?? [];
  return new Set((fileReport.columns ?? []).filter((column) => {
    const field = fieldOfColumn(fileReport, column);
    return by.includes(column) || (field !== null && by.includes(field));
  }));
}

/** Adds (on) or removes (off) a column as a breakdown; an automatic field's column toggles the field. */
export function toggleSegment(settings, fileReport, column, on) {
  const next = cloneSettings(settings);
  const field = fieldOfColumn(fileReport, column);
  const drop = (list, value) => list.filter((entry) => entry !== value);
  if (on) {
    if (field && AUTOMATIC_SEGMENTS.includes(field)) {
      if (!next.byIfMapped.includes(field)) next.byIfMapped.push(field);
    } else if (!next.by.includes(column)) {
      next.by.push(column);
    }
  } else {
    next.by = drop(next.by, column);
    next.byIfMapped = drop(next.byIfMapped, column);
    if (field) {
      next.by = drop(next.by, field);
      next.byIfMapped = drop(next.byIfMapped, field);
    }
  }
  return next;
}

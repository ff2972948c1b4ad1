// memory.js: remembers a file's mapping, units and breakdown columns (and, for a customer-success file,
// the customer settings the page sets: period grain, churn recognition) in localStorage, keyed by its
// header signature, so a later export with the same columns is read the same way. localStorage may be missing
// or throw (file:// in some browsers, privacy modes, sandboxed iframes, a full quota): then nothing is
// remembered and the page carries on.
import { AUTOMATIC_SEGMENTS, CUSTOMER_DEFAULTS, isCustomerFile, segmentedColumns } from './settings.js';

const PREFIX = 'kpilens.columns.v1.';

/** FNV-1a (32 bits) over the UTF-8 of the headers joined with U+0001, as 8 hex digits. */
export function headerSignature(columns) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(columns.join('\u0001'))) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function store() {
  try {
    return window.localStorage ?? null;
  } catch {
    return null;
  }
}

const sameColumns = (a, b) => Array.isArray(a) && a.length === b.length && a.every((c, i) => c === b[i]);

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The remembered choice for these columns: {mapping, units, segments: {on, off}, customers}, or null. */
export function recall(columns) {
  try {
    const raw = store()?.getItem(PREFIX + headerSignature(columns));
    if (!raw) return null;
    const entry = JSON.parse(raw);
    // The signature is a 32-bit hash: the columns themselves decide.
    if (!sameColumns(entry?.columns, columns)) return null;
    return {
      mapping: isObject(entry.mapping) ? entry.mapping : {},
      units: isObject(entry.units) ? entry.units : {},
      segments: { on: Array.isArray(entry.segments?.on) ? entry.segments.on : [], off: Array.isArray(entry.segments?.off) ? entry.segments.off : [] },
      customers: isObject(entry.customers) ? pick(entry.customers) : {},
    };
  } catch {
    return null;
  }
}

// Only the customer settings the page's own controls make are remembered (an imported config's others are not).
const pick = (customers) => Object.fromEntries(Object.keys(CUSTOMER_DEFAULTS).filter((key) => key in customers).map((key) => [key, customers[key]]));

/**
 * The choice to remember for one input: its overrides and the page's breakdown choices on its columns;
 * for a customer-success file (input.kind, from the last report) also the customer settings.
 */
export function choiceOf(settings, input) {
  const columns = input.columns ?? [];
  return {
    mapping: { ...input.mapping },
    units: { ...input.units },
    segments: {
      on: settings.by.filter((column) => columns.includes(column)),
      off: AUTOMATIC_SEGMENTS.filter((field) => !settings.byIfMapped.includes(field)),
    },
    customers: isCustomerFile(input) ? pick(settings.customers ?? {}) : {},
  };
}

const isDefault = (choice) => Object.keys(choice.mapping).length === 0 && Object.keys(choice.units).length === 0 &&
  choice.segments.on.length === 0 && choice.segments.off.length === 0 && Object.keys(choice.customers).length === 0;

/** Stores (or, for the automatic choice, removes) what to remember for these columns. */
export function remember(columns, choice) {
  try {
    const key = PREFIX + headerSignature(columns);
    if (isDefault(choice)) store()?.removeItem(key);
    else store()?.setItem(key, JSON.stringify({ columns, ...choice }));
  } catch {
    // Not remembered; the page works the same.
  }
}

export function forget(columns) {
  try {
    store()?.removeItem(PREFIX + headerSignature(columns));
  } catch {
    // Nothing to forget then.
  }
}

/** Whether the report already shows the remembered choice for this file. */
export function reportShows(report, fileReport, choice) {
  for (const [field, header] of Object.entries(choice.mapping)) {
    const column = fileReport.mapping?.find((entry) => entry.field === field)?.column ?? null;
    if (column !== header) return false;
  }
  for (const [field, unit] of Object.entries(choice.units)) {
    const entry = fileReport.mapping?.find((e) => e.field === field);
    if (entry && entry.unit !== unit) return false;
  }
  const segmented = segmentedColumns(report, fileReport);
  if (choice.segments.on.some((column) => !segmented.has(column))) return false;
  const by = [...report.config?.by ?? [], ...Object.keys(report.customers?.segments ?? {})];
  if (choice.segments.off.some((field) => by.includes(field))) return false;
  const used = report.customers?.config ?? {};
  return Object.entries(choice.customers ?? {}).every(([key, value]) => used[key] === value);
}

// memory.js: remembers a file's mapping, units and breakdown columns in localStorage, keyed by its header
// signature, so a later export with the same columns is read the same way. localStorage may be missing
// or throw (file:// in some browsers, privacy modes, sandboxed iframes, a full quota): then nothing is
// remembered and the page carries on.
import { AUTO_SEGMENTS, segmentedColumns } from './settings.js';

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

/** The remembered choice for these columns: {mapping, units, segments: {on, off}}, or null. */
export function recall(columns) {
  try {
    const raw = store()?.getItem(PREFIX + headerSignature(columns));
    if (!raw) return null;
    const entry = JSON.parse(raw);
    // The signature is a 32-bit hash: the columns themselves decide.
    if (!sameColumns(entry?.columns, columns)) return null;
    return {
      mapping: entry.mapping && typeof entry.mapping === 'object' ? entry.mapping : {},
      units: entry.units && typeof entry.units === 'object' ? entry.units : {},
      segments: { on: Array.isArray(entry.segments?.on) ? entry.segments.on : [], off: Array.isArray(entry.segments?.off) ? entry.segments.off : [] },
    };
  } catch {
    return null;
  }
}

/** The choice to remember for one input: its overrides and the page's breakdown choices on its columns. */
export function choiceOf(settings, input) {
  const columns = input.columns ?? [];
  return {
    mapping: { ...input.mapping },
    units: { ...input.units },
    segments: {
      on: settings.by.filter((column) => columns.includes(column)),
      off: AUTO_SEGMENTS.filter((field) => !settings.byIfMapped.includes(field)),
    },
  };
}

const isDefault = (choice) => Object.keys(choice.mapping).length === 0 && Object.keys(choice.units).length === 0 &&
  choice.segments.on.length === 0 && choice.segments.off.length === 0;

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
  const by = report.config?.by ?? [];
  return !choice.segments.off.some((field) => by.includes(field));
}

// export.js: files out — CSV, JSON, PNG, SVG. CSV cells that a spreadsheet would execute (starting with
// = + - @ tab or CR) are prefixed with an apostrophe (OWASP "CSV injection"); numbers we format are
// written as plain numbers.

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** rows: arrays of cells; the first row is the header. */
export function toCsv(rows) {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function download(filename, content, type) {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadCsv(filename, rows) {
  download(filename, '\ufeff' + toCsv(rows), 'text/csv;charset=utf-8');
}

export function downloadJson(filename, value) {
  download(filename, JSON.stringify(value, null, 2), 'application/json');
}

export function downloadDataUrl(filename, dataUrl) {
  const [head, body] = dataUrl.split(',');
  const type = head.slice(5).split(';')[0];
  const binary = atob(body);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  download(filename, new Blob([bytes], { type }), type);
}

/** Text for an XML (SVG) document: text and attribute values can hold no markup. */
export const escapeXml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A file-name-safe slug from untrusted text. */
export function slug(text) {
  return String(text).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'export';
}

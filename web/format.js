// format.js: numbers and dates for people, with Intl in the reader's locale. Formatting only: every
// figure shown comes from the report.

const locale = undefined; // the browser's

const cache = new Map();
function formatter(key, options) {
  if (!cache.has(key)) cache.set(key, new Intl.NumberFormat(locale, options));
  return cache.get(key);
}

const CURRENCY = /^[A-Z]{3}$/;

/** The value of a KPI with its unit, e.g. "82.5 %", "42 min", "19.6 h", "1,234". */
export function formatValue(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  switch (unit) {
    case 'percent':
      return formatter('pct', { style: 'percent', maximumFractionDigits: 1 }).format(value / 100);
    case 'minutes':
      return formatter('min', { style: 'unit', unit: 'minute', unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
    case 'hours':
      return formatter('h', { style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
    case 'count':
      return formatter('int', { maximumFractionDigits: 0 }).format(value);
    case 'score':
      return formatter('score', { maximumFractionDigits: 1 }).format(value);
    case 'months':
    case 'days':
      return formatter(unit, { style: 'unit', unit: unit.slice(0, -1), unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
    default:
      if (CURRENCY.test(unit ?? '')) {
        return formatter(`cur-${unit}`, { style: 'currency', currency: unit }).format(value);
      }
      return formatter('num', { maximumFractionDigits: 2 }).format(value);
  }
}

/** A change between periods: percentage points for percentages, the unit otherwise. */
export function formatChange(change, unit) {
  if (change === null || change === undefined || !Number.isFinite(change)) return '';
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±';
  const magnitude = Math.abs(change);
  if (unit === 'percent') {
    return `${sign}${formatter('pp', { maximumFractionDigits: 1 }).format(magnitude)} pp`;
  }
  return sign + formatValue(magnitude, unit);
}

export function formatCount(value) {
  return formatter('int', { maximumFractionDigits: 0 }).format(value);
}

export function formatBytes(bytes) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${formatter('bytes', { maximumFractionDigits: unit ? 1 : 0 }).format(value)} ${units[unit]}`;
}

export function formatSeconds(seconds) {
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

// Made once (and ahead: warmUpFormats): a page's first Intl.DateTimeFormat took 36–43 ms in Chromium here
// (its locale's data), each later one 0.2–0.4 ms, and a report shows a date in every row of its period
// tables.
let dateFormat = null;

export function formatDate(iso) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso ?? '')) return iso ?? '';
  const [y, m, d] = iso.split('-').map(Number);
  dateFormat ??= new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  return dateFormat.format(Date.UTC(y, m - 1, d));
}

/** Intl's locale data for dates and numbers loaded while the page is idle (app.js), not when a report is drawn. */
export function warmUpFormats() {
  formatDate('2024-01-01');
  formatValue(1, 'percent');
}

// date_layouts: the ways real exports write their date-times, for scripts/gen --dates and scripts/bench
// --dates. The bench's export is written ISO (`2024-01-15 16:34:31`), which takes our engine's fixed-place
// fast path, as ISO to the minute does; US and Jira dates take its general scanner. Each layout has what
// its peers need to read it: DuckDB's strptime format (kpi_sql.mjs), a reader for the Papa Parse peer's
// plain JS (papa_weekly.mjs; ISO has its own there), and the rewrite of an ISO cell into it (gen). Our
// engine is told nothing: it reads every layout itself (docs/kpis.md, "Timestamps").

import { daysFromCivil } from '../../web/civil_days.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_OF = new Map(MONTHS.map((name, i) => [name, i + 1]));
const two = (n) => String(n).padStart(2, '0');

// The days of month m (1–12) of year y.
const monthDays = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const instant = (y, m, d, hh, mm, ss) => (m >= 1 && m <= 12 && d >= 1 && d <= monthDays(y, m) && hh <= 23 && mm <= 59 &&
  ss <= 60 ? daysFromCivil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss : null);

const MINUTES = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)$/;
const US = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)$/;
// (Jira's two-digit years are read as 20yy: gen writes the 2020s.)
const JIRA = /^(\d\d)\/([A-Z][a-z]{2})\/(\d\d) (\d{1,2}):(\d\d) ([AP]M)$/;

export const DATE_LAYOUTS = {
  // Most tools' CSV (Freshdesk's, Intercom's and Zammad's in our preset fixtures): what scripts/gen writes by
  // default.
  iso: {
    example: '2024-01-15 16:34:31',
    strptime: '%Y-%m-%d %H:%M:%S',
    seconds: null, // papa_weekly.mjs's own reader
    from: null,
  },
  // ISO to the minute, as our Zendesk and Stripe preset fixtures are written: the seconds are dropped.
  minutes: {
    example: '2024-01-15 16:34',
    strptime: '%Y-%m-%d %H:%M',
    seconds: (s) => {
      const m = MINUTES.exec(s);
      return m ? instant(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), 0) : null;
    },
    from: (y, m, d, hh, mm) => `${y}-${two(m)}-${two(d)} ${two(hh)}:${two(mm)}`,
  },
  // US month-first, 24-hour (Freshdesk's and many spreadsheets' exports).
  us: {
    example: '01/15/2024 16:34:31',
    strptime: '%m/%d/%Y %H:%M:%S',
    seconds: (s) => {
      const m = US.exec(s);
      return m ? instant(Number(m[3]), Number(m[1]), Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])) : null;
    },
    from: (y, m, d, hh, mm, ss) => `${two(m)}/${two(d)}/${y} ${two(hh)}:${two(mm)}:${two(ss)}`,
  },
  // Jira's CSV export: dd/MMM/yy h:mm a, to the minute (the seconds are dropped).
  jira: {
    example: '15/Jan/24 4:34 PM',
    strptime: '%d/%b/%y %I:%M %p',
    seconds: (s) => {
      const m = JIRA.exec(s);
      const month = m && MONTH_OF.get(m[2]);
      const hour = m ? Number(m[4]) : 0;
      if (!month || hour < 1 || hour > 12) return null;
      return instant(2000 + Number(m[3]), month, Number(m[1]), (hour % 12) + (m[6] === 'PM' ? 12 : 0), Number(m[5]), 0);
    },
    from: (y, m, d, hh, mm) =>
      `${two(d)}/${MONTHS[m - 1]}/${two(y % 100)} ${((hh + 11) % 12) + 1}:${two(mm)} ${hh < 12 ? 'AM' : 'PM'}`,
  },
};

export const LAYOUT_NAMES = Object.keys(DATE_LAYOUTS);

/** The layout named `name`; throws with the names there are. */
export function dateLayout(name) {
  const layout = DATE_LAYOUTS[name];
  if (!layout) throw new Error(`unknown date layout '${name}' (${LAYOUT_NAMES.join(', ')})`);
  return layout;
}

// A whole cell holding an ISO date-time as scripts/gen writes it (between commas or a line's ends),
// quoted or not (gen --quotes all).
const ISO_CELL = /(^|,)("?)(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\2(?=,|\r?$)/gm;

/** `block` (whole lines of a gen export) with every ISO date-time cell written in `layout`. */
export function rewriteDates(block, layout) {
  if (!layout.from) return block;
  return block.replace(ISO_CELL, (_, before, quote, y, m, d, hh, mm, ss) =>
    before + quote + layout.from(Number(y), Number(m), Number(d), Number(hh), Number(mm), Number(ss)) + quote);
}

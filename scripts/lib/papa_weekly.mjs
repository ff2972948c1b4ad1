// papa_weekly.mjs: the Papa Parse peer of scripts/bench — Papa Parse 5 streaming the file, the weekly figures
// aggregated in plain JS with the definitions of docs/kpis.md (what a web developer would write without our
// engine). Also the type 7 quantile the bench takes its medians with.
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { daysFromCivil } from '../../web/civil_days.js';
import { dateLayout } from './date_layouts.mjs';

const SOLVED = new Set(['solved', 'closed', 'resolved', 'done', 'completed', 'complete', 'fixed']);

const digit = (s, i) => s.charCodeAt(i) - 48;
const two = (s, i) => digit(s, i) * 10 + digit(s, i + 1);

/** Seconds since the epoch of `YYYY-MM-DD HH:MM[:SS]` (no zone: the +00:00 clock), or null. */
function isoSeconds(s) {
  if (!s) return null;
  if (s.length === 19 && s[4] === '-' && s[7] === '-' && s[10] === ' ' && s[13] === ':' && s[16] === ':') {
    const days = daysFromCivil(two(s, 0) * 100 + two(s, 2), two(s, 5), two(s, 8));
    return days * 86400 + two(s, 11) * 3600 + two(s, 14) * 60 + two(s, 17);
  }
  const ms = Date.parse(s.trim().replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(s.trim()) ? '' : 'Z'));
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** A whole number in [lo, hi], or null. */
function whole(s, lo, hi) {
  if (!s) return null;
  const v = Number(s);
  return Number.isInteger(v) && v >= lo && v <= hi ? v : null;
}

// Type 7 quantile over sorted values, as the engine computes it (wasm/engine/quantiles.cpp).
export function quantile7(sorted, q) {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * q;
  const below = Math.floor(h);
  if (below + 1 >= sorted.length) return sorted[sorted.length - 1];
  const low = sorted[below];
  const fraction = h - below;
  return fraction === 0 ? low : low + (sorted[below + 1] - low) * fraction;
}

/** The weekly figures of `file`, its date-times written in the layout named `dates` (date_layouts.mjs). */
export function papaWeekly(Papa, file, dates = 'iso') {
  const seconds = dateLayout(dates).seconds ?? isoSeconds;
  // Line ending from the header line: Papa's guess can be misled by CRLF inside quoted comments.
  const head = Buffer.alloc(1 << 16);
  const fd = openSync(file, 'r');
  const got = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const eol = head.subarray(0, got).indexOf(10);
  const newline = eol > 0 && head[eol - 1] === 13 ? '\r\n' : '\n';

  const weeks = new Map(); // Monday's day number → accumulator
  let columns = null;
  return new Promise((done, fail) => {
    Papa.parse(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), {
      delimiter: ',', newline, quoteChar: '"', header: false, skipEmptyLines: true,
      chunk(results) {
        let rows = results.data;
        let from = 0;
        if (!columns) {
          const names = rows[0];
          const at = (name) => names.indexOf(name);
          columns = {
            created: at('Created at'), first: at('First reply at'), solvedAt: at('Solved at'), status: at('Status'),
            replies: at('Replies'), reopens: at('Reopens'), csat: at('Satisfaction Score'), nps: at('NPS'),
          };
          from = 1;
        }
        const c = columns;
        for (let r = from; r < rows.length; r++) {
          const row = rows[r];
          const created = seconds(row[c.created]);
          if (created === null) continue; // rejected
          const day = Math.floor(created / 86400);
          const monday = day - ((day + 3) % 7 + 7) % 7;
          let w = weeks.get(monday);
          if (!w) {
            w = { tickets: 0, csatN: 0, csatYes: 0, npsN: 0, promoters: 0, detractors: 0, resSum: 0, res: [],
              frtSum: 0, frtN: 0, fcrN: 0, fcrYes: 0 };
            weeks.set(monday, w);
          }
          w.tickets++;
          const csat = whole(row[c.csat], 1, 5);
          if (csat !== null) { w.csatN++; if (csat >= 4) w.csatYes++; }
          const nps = whole(row[c.nps], 0, 10);
          if (nps !== null) { w.npsN++; if (nps >= 9) w.promoters++; else if (nps <= 6) w.detractors++; }
          const first = seconds(row[c.first]);
          if (first !== null && first >= created) { w.frtSum += first - created; w.frtN++; }
          const status = (row[c.status] ?? '').trim().toLowerCase();
          const solvedAt = seconds(row[c.solvedAt]);
          const solved = status ? SOLVED.has(status) : solvedAt !== null;
          if (solved) {
            if (solvedAt !== null && solvedAt >= created) { w.resSum += solvedAt - created; w.res.push((solvedAt - created) / 3600); }
            const replies = whole(row[c.replies], 0, Number.MAX_SAFE_INTEGER);
            if (replies !== null) {
              w.fcrN++;
              const reopens = c.reopens < 0 ? 0 : whole(row[c.reopens], 0, Number.MAX_SAFE_INTEGER) ?? 0;
              if (replies === 1 && reopens === 0) w.fcrYes++;
            }
          }
        }
      },
      complete() {
        const days = [...weeks.keys()].sort((a, b) => a - b);
        const out = [];
        // Every week from the first to the last, empty ones too, as the engine lists them.
        for (let d = days[0]; days.length && d <= days[days.length - 1]; d += 7) {
          const w = weeks.get(d) ?? { tickets: 0, csatN: 0, npsN: 0, res: [], frtN: 0, fcrN: 0 };
          const pct = (a, n) => (n ? (a * 100) / n : null);
          const res = Float64Array.from(w.res).sort();
          out.push({
            week: new Date(d * 86400000).toISOString().slice(0, 10),
            tickets: w.tickets,
            csat: pct(w.csatYes, w.csatN),
            nps: pct(w.promoters - w.detractors, w.npsN),
            resolution_hours_mean: res.length ? w.resSum / 3600 / res.length : null,
            resolution_hours_median: quantile7(res, 0.5),
            first_response_minutes_mean: w.frtN ? w.frtSum / 60 / w.frtN : null,
            fcr: pct(w.fcrYes, w.fcrN),
          });
        }
        done(out);
      },
      error: fail,
    });
  });
}

// sample_tickets: the deterministic synthetic helpdesk export (Zendesk-like columns). One generator for
// the page's "Load sample export" (1,000 tickets, seed 42: made in the page rather than inlined, which
// keeps ~29 KB gzipped out of the single file) and for scripts/gen (tests, benchmarks). Pure: no Node or
// DOM API, nothing reads the clock or Math.random; one seeded PRNG (mulberry32) drives every choice, so
// the same arguments give the same bytes (tests/web/sample_tickets.test.mjs pins the page's sample).
// Math.log/exp/sin/cos are not required to round alike in every JS engine: V8 (Node, Chromium) gives
// these bytes; another engine could differ in a rare last-second rounding, never in shape.
//
// Shape of the data (what the tests may rely on):
// - "Created at", "First reply at", "Solved at": `YYYY-MM-DD HH:MM:SS`, no zone, whole seconds. Created
//   times cover `weeks` weeks (default 52) from `start` (default 2024-01-01), mostly in day order, fewer
//   on weekends, busier in working hours.
// - Status Solved/Closed (~85 %) always has a Solved at ≥ First reply at ≥ Created at; Open/Pending have an
//   empty Solved at. Replies 0 ⇔ empty First reply at.
// - Replies 0–6, Reopens 0–2 (0 on unsolved tickets), Satisfaction Score empty or 1–5, NPS empty or 0–10,
//   CES empty or 1–7: all whole numbers, never out of range.
// - Comment is empty or free text, sometimes with commas, quotes and line breaks (RFC 4180 quoting).

import { civilFromDays } from './civil_days.js';
import { mulberry32, pickWeighted } from './sample_random.js';

const HEADER =
  'Id,Created at,First reply at,Solved at,Status,Via,Assignee,Group,Priority,Requester,Replies,' +
  'Reopens,Satisfaction Score,NPS,CES,Comment';

const AGENTS = [
  'Alice Martin', 'Bruno Costa', 'Chen Wei', 'Dana Levi', 'Emeka Obi', 'Fatima Zahra', 'Gustav Berg',
  'Hana Sato', 'Ivan Petrov', 'Julia Novak', 'Kofi Mensah', 'Lea Dubois', 'Mateo Ruiz', 'Nadia Khan',
  'Oskar Nilsson', 'Priya Nair', 'Quentin Roy', 'Rosa Silva', 'Sven Olsen', 'Tomás Ibáñez',
];
const GROUPS = ['Billing', 'Technical', 'Accounts', 'Onboarding'];
const CHANNELS = [['email', 0.45], ['chat', 0.25], ['phone', 0.12], ['web', 0.18]];
const PRIORITIES = [['low', 0.25], ['normal', 0.5], ['high', 0.19], ['urgent', 0.06]];
// Median first reply (minutes) and the channel's share of one-reply tickets.
const CHANNEL_SHAPE = {
  email: { replyMinutes: 95, oneReply: 0.5 },
  chat: { replyMinutes: 2.5, oneReply: 0.68 },
  phone: { replyMinutes: 1.2, oneReply: 0.75 },
  web: { replyMinutes: 70, oneReply: 0.52 },
};
const PRIORITY_SPEED = { low: 1.6, normal: 1, high: 0.6, urgent: 0.3 };
const COMMENTS = [
  'Thanks, that fixed it.',
  'Quick and friendly, thank you!',
  'Took a while, but the answer was right.',
  'Still waiting for a refund, which is annoying.',
  'The agent said "try again later", and it worked.',
  'Great help from the team',
  'I had to explain the problem three times.\nNot great.',
  'Résolu rapidement, merci !',
  'Support was ok, the product, not so much.',
  'He said "it\'s a known issue" - is there an ETA?',
  'Line one\r\nline two, with a comma',
  'Excellent service; very patient.',
  '"Perfect"',
  'Why do I need to log in again?',
  '対応ありがとうございました',
  'The "reset password" link, again, did not arrive.',
  'Meh.',
  'Fast reply\n\nbut the fix took days',
];

// Standard normal by Box–Muller (one of the pair; simple and deterministic).
function normal(rand) {
  const u = 1 - rand(); // (0, 1]
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function logNormal(rand, median, sigma) {
  return median * Math.exp(sigma * normal(rand));
}

const TWO = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);
const dayCache = new Map();

function formatTimestamp(epochSeconds) {
  const days = Math.floor(epochSeconds / 86400);
  let date = dayCache.get(days);
  if (date === undefined) {
    const [y, m, d] = civilFromDays(days);
    date = `${String(y).padStart(4, '0')}-${TWO[m]}-${TWO[d]} `;
    dayCache.set(days, date);
  }
  const s = epochSeconds - days * 86400;
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s - hh * 3600) / 60);
  return date + TWO[hh] + ':' + TWO[mm] + ':' + TWO[s - hh * 3600 - mm * 60];
}

// Every cell quoted, an empty one as "" (`quoteAll`: how some tools and spreadsheets write their CSV).
const quotedCell = (text) => '"' + String(text).replaceAll('"', '""') + '"';
const quotedLine = (cells) => cells.map(quotedCell).join(',');

function csvCell(text) {
  return /[",\r\n]/.test(text) ? quotedCell(text) : text;
}

// Day weights: quieter weekends, a slow upward trend and a bump in the autumn.
function dayTable(startDays, totalDays) {
  const cumulative = new Float64Array(totalDays);
  let sum = 0;
  for (let i = 0; i < totalDays; ++i) {
    const weekday = (((startDays + i + 3) % 7) + 7) % 7; // 0 = Monday
    const base = weekday === 5 ? 0.45 : weekday === 6 ? 0.35 : weekday === 0 ? 1.15 : 1;
    const trend = 0.85 + 0.3 * (i / totalDays) + 0.1 * Math.sin((2 * Math.PI * i) / 365);
    sum += base * trend;
    cumulative[i] = sum;
  }
  for (let i = 0; i < totalDays; ++i) cumulative[i] /= sum;
  cumulative[totalDays - 1] = 1;
  return cumulative;
}

// Seconds into the day: business hours dominate, a thin tail at night.
function secondOfDay(rand) {
  const u = rand();
  let hour;
  if (u < 0.82) hour = 8 + Math.floor(rand() * 10); // 08–17
  else if (u < 0.95) hour = 18 + Math.floor(rand() * 5); // 18–22
  else hour = (23 + Math.floor(rand() * 9)) % 24; // 23–07
  return hour * 3600 + Math.floor(rand() * 3600);
}

/**
 * Yields the export as string blocks of about `blockChars` characters. `quoteAll`: every cell quoted (the
 * same data; by default only a cell that needs it is, as RFC 4180 asks).
 */
export function* generateBlocks({ rows, seed = 1, start = '2024-01-01', weeks = 52, crlf = false, quoteAll = false }, blockChars = 1 << 20) {
  const eol = crlf ? '\r\n' : '\n';
  const rand = mulberry32(Math.imul(seed | 0, 0x9e3779b1) ^ 0x5bd1e995);
  const startDays = Math.floor(Date.parse(start + 'T00:00:00Z') / 86400000);
  const totalDays = weeks * 7;
  const cumulative = dayTable(startDays, totalDays);
  let day = 0;
  let block = (quoteAll ? quotedLine(HEADER.split(',')) : HEADER) + eol;
  for (let i = 0; i < rows; ++i) {
    // Day: the i-th row sits at fraction (i + u) / rows of the volume curve, so the file is in day order.
    const fraction = (i + rand()) / rows;
    while (day < totalDays - 1 && cumulative[day] < fraction) ++day;
    const created = (startDays + day) * 86400 + secondOfDay(rand);

    const channel = pickWeighted(rand, CHANNELS);
    const priority = pickWeighted(rand, PRIORITIES);
    const shape = CHANNEL_SHAPE[channel];
    const speed = PRIORITY_SPEED[priority];
    const solved = rand() < 0.85;
    const status = solved ? (rand() < 0.7 ? 'Solved' : 'Closed') : rand() < 0.55 ? 'Open' : 'Pending';

    let replies;
    const r = rand();
    if (solved) {
      if (r < 0.03) replies = 0; // solved by automation or a macro without a public reply
      else if (r < 0.03 + shape.oneReply) replies = 1;
      else replies = 2 + Math.floor(rand() * rand() * 5); // 2–6, mostly 2–3
    } else {
      replies = r < 0.3 ? 0 : 1 + Math.floor(rand() * 3);
    }
    let reopens = 0;
    if (solved) {
      const q = rand();
      reopens = q < 0.9 ? 0 : q < 0.98 ? 1 : 2;
    }

    let firstReply = null;
    if (replies > 0) {
      const minutes = Math.min(logNormal(rand, shape.replyMinutes * speed, 1.1), 14 * 24 * 60);
      firstReply = created + Math.max(1, Math.round(minutes * 60));
    }
    let solvedAt = null;
    if (solved) {
      const hours = logNormal(rand, 9 * speed * (1 + 0.6 * reopens) * (1 + 0.25 * Math.max(0, replies - 1)), 1.3);
      const seconds = Math.max(60, Math.round(Math.min(hours, 60 * 24) * 3600));
      solvedAt = (firstReply ?? created) + seconds;
    }

    const agent = !solved && replies === 0 && rand() < 0.5 ? '' : AGENTS[Math.floor(rand() * AGENTS.length)];
    const group = GROUPS[Math.floor(rand() * GROUPS.length)];
    const requester = `customer${1 + Math.floor(rand() * 40000)}@example.com`;

    let csat = '';
    if (solved && rand() < 0.25) {
      const s = rand();
      csat = s < 0.46 ? '5' : s < 0.71 ? '4' : s < 0.82 ? '3' : s < 0.9 ? '2' : '1';
    }
    let nps = '';
    if (rand() < 0.15) {
      const s = rand();
      nps = String(s < 0.3 ? 10 : s < 0.5 ? 9 : s < 0.65 ? 8 : s < 0.75 ? 7 : Math.floor(rand() * 7));
    }
    let ces = '';
    if (rand() < 0.1) ces = String(1 + Math.min(6, Math.floor(7 * Math.sqrt(rand()))));
    let comment = '';
    if ((csat !== '' || nps !== '') && rand() < 0.5) comment = COMMENTS[Math.floor(rand() * COMMENTS.length)];

    const createdText = formatTimestamp(created);
    const firstReplyText = firstReply === null ? '' : formatTimestamp(firstReply);
    const solvedText = solvedAt === null ? '' : formatTimestamp(solvedAt);
    block += quoteAll
      ? quotedLine([i + 1, createdText, firstReplyText, solvedText, status, channel, agent, group, priority, requester,
        replies, reopens, csat, nps, ces, comment]) + eol
      : (i + 1) + ',' + createdText + ',' + firstReplyText + ',' + solvedText + ',' + status + ',' + channel + ',' +
        agent + ',' + group + ',' + priority + ',' + requester + ',' + replies + ',' + reopens + ',' + csat + ',' +
        nps + ',' + ces + ',' + csvCell(comment) + eol;
    if (block.length >= blockChars) {
      yield block;
      block = '';
    }
  }
  if (block.length > 0) yield block;
}

/** The whole export as one string. */
export function generateTickets(options) {
  return [...generateBlocks(options)].join('');
}

/** The page's sample: what `scripts/gen --rows 1000 --seed 42` writes. */
export const SAMPLE_TICKETS = { name: 'sample-tickets.csv', rows: 1000, seed: 42 };

export function sampleTicketsCsv() {
  return generateTickets({ rows: SAMPLE_TICKETS.rows, seed: SAMPLE_TICKETS.seed });
}

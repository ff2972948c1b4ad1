// kpi_sql: the ticket KPIs written in DuckDB SQL from the definitions in docs/kpis.md, never copied from
// the engine. Shared by the DuckDB oracle test (tests/wasm/duckdb_oracle.test.mjs) and the benchmark
// (scripts/bench.mjs), which runs it in native DuckDB and in DuckDB-WASM.
import { dateLayout } from './date_layouts.mjs';

// Columns typed explicitly: no sniffing, so DuckDB reads exactly what scripts/gen wrote, its date-times in
// the layout named `dates` (date_layouts.mjs).
export function readCsv(path, dates = 'iso') {
  const sqlPath = path.replaceAll("'", "''");
  return `read_csv('${sqlPath}', header = true, delim = ',', quote = '"', escape = '"',
    timestampformat = '${dateLayout(dates).strptime}', auto_detect = false,
    columns = {'Id': 'BIGINT', 'Created at': 'TIMESTAMP', 'First reply at': 'TIMESTAMP',
               'Solved at': 'TIMESTAMP', 'Status': 'VARCHAR', 'Via': 'VARCHAR', 'Assignee': 'VARCHAR',
               'Group': 'VARCHAR', 'Priority': 'VARCHAR', 'Requester': 'VARCHAR', 'Replies': 'INTEGER',
               'Reopens': 'INTEGER', 'Satisfaction Score': 'INTEGER', 'NPS': 'INTEGER', 'CES': 'INTEGER',
               'Comment': 'VARCHAR'})`;
}

// The figures, per group: name → SQL expression. Percentages as integer counts × 100 ÷ count, as in
// docs/kpis.md.
export const FIGURE_SQL = {
  tickets: 'count(*)::DOUBLE',
  tickets_n: 'count(*)',
  csat_n: 'count(*) FILTER (WHERE csat BETWEEN 1 AND 5)',
  csat_satisfied: 'count(*) FILTER (WHERE csat BETWEEN 4 AND 5)',
  csat: `count(*) FILTER (WHERE csat BETWEEN 4 AND 5)::DOUBLE * 100
    / NULLIF(count(*) FILTER (WHERE csat BETWEEN 1 AND 5), 0)::DOUBLE`,
  nps_n: 'count(*) FILTER (WHERE nps BETWEEN 0 AND 10)',
  promoters: 'count(*) FILTER (WHERE nps BETWEEN 9 AND 10)',
  passives: 'count(*) FILTER (WHERE nps BETWEEN 7 AND 8)',
  detractors: 'count(*) FILTER (WHERE nps BETWEEN 0 AND 6)',
  nps: `(count(*) FILTER (WHERE nps BETWEEN 9 AND 10) - count(*) FILTER (WHERE nps BETWEEN 0 AND 6))::DOUBLE * 100
    / NULLIF(count(*) FILTER (WHERE nps BETWEEN 0 AND 10), 0)::DOUBLE`,
  ces_n: 'count(*) FILTER (WHERE ces BETWEEN 1 AND 7)',
  ces: 'avg(ces::DOUBLE) FILTER (WHERE ces BETWEEN 1 AND 7)',
  resolution_n: 'count(resolution_hours)',
  resolution_mean: 'avg(resolution_hours)',
  resolution_median: 'median(resolution_hours)',
  resolution_p90: 'quantile_cont(resolution_hours, 0.9)',
  fcr_n: 'count(*) FILTER (WHERE solved)',
  fcr: `count(*) FILTER (WHERE solved AND replies = 1 AND reopens = 0)::DOUBLE * 100
    / NULLIF(count(*) FILTER (WHERE solved), 0)::DOUBLE`,
  one_touch: `count(*) FILTER (WHERE solved AND replies < 2)::DOUBLE * 100
    / NULLIF(count(*) FILTER (WHERE solved), 0)::DOUBLE`,
  reopen_rate: `count(*) FILTER (WHERE solved AND reopens > 0)::DOUBLE * 100
    / NULLIF(count(*) FILTER (WHERE solved), 0)::DOUBLE`,
  resolution_rate: 'count(*) FILTER (WHERE solved)::DOUBLE * 100 / count(*)::DOUBLE',
  frt_n: 'count(first_response_minutes)',
  frt_mean: 'avg(first_response_minutes)',
  frt_median: 'median(first_response_minutes)',
  frt_p90: 'quantile_cont(first_response_minutes, 0.9)',
};

// The engine's ticket KPI id → [its figure, its n] among FIGURE_SQL's names (the DuckDB rows' columns):
// what the oracle tests compare, KPI by KPI.
export const KPI_COLUMNS = {
  tickets: ['tickets', 'tickets_n'],
  csat: ['csat', 'csat_n'],
  nps: ['nps', 'nps_n'],
  ces: ['ces', 'ces_n'],
  fcr: ['fcr', 'fcr_n'],
  one_touch_rate: ['one_touch', 'fcr_n'],
  reopen_rate: ['reopen_rate', 'fcr_n'],
  resolution_rate: ['resolution_rate', 'tickets_n'],
  resolution_time_mean: ['resolution_mean', 'resolution_n'],
  resolution_time_median: ['resolution_median', 'resolution_n'],
  resolution_time_p90: ['resolution_p90', 'resolution_n'],
  first_response_time_mean: ['frt_mean', 'frt_n'],
  first_response_time_median: ['frt_median', 'frt_n'],
  first_response_time_p90: ['frt_p90', 'frt_n'],
};

/** The SELECT list of the named figures (default: all of them). */
export function figures(names = Object.keys(FIGURE_SQL)) {
  return names.map((name) => `\n  ${FIGURE_SQL[name]} AS ${name}`).join(',');
}

export const FIGURES = figures();

// One row per ticket, with the fields the figures read.
export const TICKETS = (path, dates = 'iso') => `
  tickets AS (
    SELECT
      "Created at" AS created,
      "Solved at" AS solved_at,
      "Status" IN ('Solved', 'Closed') AS solved,
      "Replies" AS replies,
      "Reopens" AS reopens,
      "Satisfaction Score" AS csat,
      "NPS" AS nps,
      "CES" AS ces,
      CASE WHEN "Status" IN ('Solved', 'Closed') THEN epoch("Solved at" - "Created at") / 3600 END
        AS resolution_hours,
      epoch("First reply at" - "Created at") / 60 AS first_response_minutes
    FROM ${readCsv(path, dates)})`;

/** Per ISO week (Monday start, key YYYY-MM-DD), the named figures, in week order. */
export function weeklySql(path, names, dates = 'iso') {
  return `WITH ${TICKETS(path, dates)}
    SELECT strftime(date_trunc('week', created), '%Y-%m-%d') AS week, ${figures(names)}
    FROM tickets GROUP BY ALL ORDER BY week`;
}

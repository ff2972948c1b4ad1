// tables.js: accessible data tables. Sorting reorders rows the report gave; it computes nothing.
import { el } from './dom.js';

/**
 * columns: [{key, label, numeric?, format?(value,row) → string or node, cellClass?(value,row) → class names}]
 * rows: plain objects. Returns a <table>; header buttons sort (aria-sort says how).
 */
export function dataTable(columns, rows, { caption, sortable = false, testId, className } = {}) {
  const table = el('table', { 'data-testid': testId, class: className });
  if (caption) table.append(el('caption', { class: 'visually-hidden' }, caption));
  const head = el('thead');
  const headRow = el('tr');
  const body = el('tbody');
  let sortKey = null;
  let descending = false;

  const fill = () => {
    const ordered = [...rows];
    if (sortKey !== null) {
      const column = columns.find((c) => c.key === sortKey);
      ordered.sort((a, b) => {
        const x = a[sortKey];
        const y = b[sortKey];
        if (x === y) return 0;
        if (x === null || x === undefined) return 1; // blanks last whatever the direction
        if (y === null || y === undefined) return -1;
        const order = column.numeric ? x - y : String(x).localeCompare(String(y));
        return descending ? -order : order;
      });
    }
    body.replaceChildren(
      ...ordered.map((row) =>
        el(
          'tr',
          {},
          columns.map((c) => {
            const value = row[c.key];
            const text = c.format ? c.format(value, row) : value ?? '';
            const className = `${c.numeric ? 'num' : 'cell-text'}${c.cellClass ? ` ${c.cellClass(value, row)}` : ''}`;
            return el('td', { class: className, 'data-value': typeof value === 'number' ? value : undefined }, text);
          }),
        ),
      ),
    );
  };

  for (const column of columns) {
    const th = el('th', { scope: 'col', class: column.numeric ? 'num' : undefined });
    if (sortable) {
      th.setAttribute('aria-sort', 'none');
      th.append(
        el(
          'button',
          {
            type: 'button',
            onclick: () => {
              descending = sortKey === column.key ? !descending : Boolean(column.numeric);
              sortKey = column.key;
              for (const cell of headRow.children) cell.setAttribute('aria-sort', 'none');
              th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
              fill();
            },
          },
          column.label,
        ),
      );
    } else {
      th.append(column.label);
    }
    headRow.append(th);
  }
  head.append(headRow);
  table.append(head, body);
  fill();
  return table;
}

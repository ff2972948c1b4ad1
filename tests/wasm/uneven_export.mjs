// uneven_export: a ticket export whose first half costs far less to read a byte than its second, for the
// parallel-reading tests in Node (tests/wasm/parallel.test.mjs): the merging worker reads the first part, a
// helper the second, so the merging worker is done first, by far, and takes over the end of the helper's
// part. (Not in the page: there the bytes coming through the browser cost about as much as reading them,
// and the first half was only ~1.4 times as fast a byte; tests/e2e/parallel.test.mjs keeps the helper busy,
// and takes csvRecords alone from here.)

/** The records of a CSV text (a line break inside quotes stays in its record), without their line breaks. */
export function csvRecords(text) {
  const records = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      quoted = !quoted;
    } else if (c === 10 && !quoted) {
      records.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (start < text.length) records.push(text.slice(start));
  return records;
}

/**
 * From `normal`, a generated export's text: its header and 1,500 of its rows (the head), then about
 * `halfBytes` of its rows each with a long unquoted comment (`fillerRepeats` × 27 bytes; the decoder's block
 * scan passes over it faster than over the other fields), then about `halfBytes` of its rows as they are.
 * Only its records without a quote (one line each) are used; each row gets an id of its own.
 */
export function unevenExport(normal, halfBytes, fillerRepeats) {
  const [header, ...rows] = csvRecords(normal).filter((record) => record && !record.includes('"'));
  const filler = 'lorem ipsum dolor sit amet '.repeat(fillerRepeats);
  const out = [header, ...rows.slice(0, 1500)];
  for (const [prefix, comment] of [['c', filler], ['n', null]]) {
    for (let i = 0, bytes = 0; bytes < halfBytes; i += 1) {
      const row = rows[i % rows.length].replace(/^\d+,/, `${prefix}${i},`);
      out.push(comment === null ? row : row.replace(/,[^,]*$/, `,${comment}`));
      bytes += out[out.length - 1].length + 1;
    }
  }
  return out.join('\n') + '\n';
}

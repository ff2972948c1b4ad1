// web/engine_client.js monotonicProgress in Node: the progress the page shows never goes back when the
// engine worker's own figures do (helpers' parts dropped, a run read again by one worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monotonicProgress } from '../../web/engine_client.js';

test('progress keeps its highest bytes and rows, and passes the rest of each message on', () => {
  const shown = [];
  const onProgress = monotonicProgress((p) => shown.push(p));
  const total = 1000;
  // A file read in parts: the helpers' bytes counted in (600), then dropped (the worker reads them itself),
  // then the worker's own reading passes where the bar was.
  onProgress({ bytes: 300, rows: 30, totalBytes: total, helpersFile: 'a.csv' });
  onProgress({ bytes: 600, rows: 60, totalBytes: total, helpersFile: 'a.csv' });
  onProgress({ bytes: 350, rows: 35, totalBytes: total, helpersFile: null });
  onProgress({ bytes: 700, rows: 70, totalBytes: total, helpersFile: null });
  // The whole run read again by one worker: from 0.
  onProgress({ bytes: 100, rows: 10, totalBytes: total, helpersFile: null });
  onProgress({ bytes: total, rows: 100, totalBytes: total, helpersFile: null });
  assert.deepEqual(shown.map((p) => [p.bytes, p.rows]), [[300, 30], [600, 60], [600, 60], [700, 70], [700, 70], [1000, 100]]);
  assert.ok(shown.every((p) => p.totalBytes === total));
  assert.equal(shown[2].helpersFile, null);
});

test('no callback stays no callback', () => {
  assert.equal(monotonicProgress(undefined), undefined);
});

// web/engine_client.js in Node: the progress the page shows never goes back when the engine worker's own
// figures do (helpers' parts dropped, a run read again by one worker) — monotonicProgress; and it is drawn
// at most so often, the last figures always — drawnAtMost.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { drawnAtMost, monotonicProgress } from '../../web/engine_client.js';

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

test('progress is drawn at most every so often: the first at once, the latest of a wait after it, the end at once', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let now = 0;
    const drawn = [];
    const progress = drawnAtMost(250, (p) => drawn.push([now, p.bytes, p.notice ?? null]), () => now);
    const total = 1000;
    const at = (ms) => { // the clock, then the timers due by then
      const step = ms - now;
      now = ms;
      mock.timers.tick(step);
    };
    progress.show({ bytes: 10, totalBytes: total }); // the first: at once
    at(50);
    progress.show({ bytes: 100, totalBytes: total });
    at(100);
    progress.show({ bytes: 200, totalBytes: total }); // the latest of the wait: drawn at 250
    at(250);
    at(300);
    progress.show({ bytes: 300, totalBytes: total, notice: 'why' }, true); // a notice: at once
    at(320);
    progress.show({ bytes: 400, totalBytes: total });
    at(330);
    progress.show({ bytes: total, totalBytes: total }); // every byte read: at once, nothing left to come
    at(1000);
    assert.deepEqual(drawn, [[0, 10, null], [250, 200, null], [300, 300, 'why'], [330, total, null]]);
  } finally {
    mock.timers.reset();
  }
});

test('a drawing still to come is dropped when the run ends', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let now = 0;
    const drawn = [];
    const progress = drawnAtMost(250, (p) => drawn.push(p.bytes), () => now);
    progress.show({ bytes: 10, totalBytes: 1000 });
    now = 100;
    progress.show({ bytes: 500, totalBytes: 1000 });
    progress.stop();
    now = 1000;
    mock.timers.tick(1000);
    assert.deepEqual(drawn, [10]);
  } finally {
    mock.timers.reset();
  }
});

// web/parallel_read.js blobChunks in Node (its Blob streams are byte streams, as Chromium's): the slices of a
// byte range, concatenated, are that range of the file, each slice chunkBytes long but the last, with a BYOB
// reader and with the default reader a browser without BYOB on Blob streams falls back to; and when a BYOB
// read never settles (as in Chromium now and then), from a new stream, without a byte lost or repeated: with a
// BYOB reader again, and with the default reader after MAX_STALLS stalls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_STALLS, blobChunks } from '../../web/parallel_read.js';

function randomBytes(n, seed) {
  const bytes = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

// The file's stream as a plain (not byte) ReadableStream in `pieces`-byte chunks: getReader({mode: 'byob'})
// throws on it, as on a browser whose Blob streams are not byte streams.
function withoutByob(blob, pieces) {
  return {
    size: blob.size,
    slice: (start, end) => {
      const part = blob.slice(start, end);
      return {
        stream: () => new ReadableStream({
          async start(controller) {
            const bytes = new Uint8Array(await part.arrayBuffer());
            for (let at = 0; at < bytes.length; at += pieces) controller.enqueue(bytes.slice(at, at + pieces));
            controller.close();
          },
        }),
      };
    },
  };
}

async function collect(file, start, end, chunkBytes, stallMs) {
  const slices = [];
  for await (const slice of blobChunks(file, start, end, chunkBytes, stallMs)) slices.push(slice.slice()); // views are reused
  return slices;
}

// collect, with what blobChunks wrote to console.info meanwhile.
async function collectSaying(file, start, end, chunkBytes, stallMs) {
  const said = [];
  const info = console.info;
  console.info = (message) => said.push(message);
  try {
    return { slices: await collect(file, start, end, chunkBytes, stallMs), said };
  } finally {
    console.info = info;
  }
}

function check(slices, expected, chunkBytes) {
  const sizes = slices.map((s) => s.length);
  sizes.slice(0, -1).forEach((size) => assert.equal(size, chunkBytes));
  if (sizes.length > 0) assert.ok(sizes.at(-1) > 0 && sizes.at(-1) <= chunkBytes);
  assert.equal(slices.length, Math.ceil(expected.length / chunkBytes));
  const joined = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const s of slices) {
    joined.set(s, at);
    at += s.length;
  }
  assert.deepEqual(joined, expected);
}

const bytes = randomBytes(300_001, 7);
const blob = new Blob([bytes]);
const ranges = [[0, bytes.length], [1, bytes.length - 1], [65_536, 65_536 * 3], [12_345, 12_346], [500, 500]];

test('blobChunks gives a byte range in full slices (BYOB reader)', async () => {
  for (const chunkBytes of [1, 4096, 65_536, 100_000, 1 << 20]) {
    for (const [start, end] of ranges) {
      if (chunkBytes === 1 && end - start > 70_000) continue; // one slice per byte: long enough at 70 KB
      check(await collect(blob, start, end, chunkBytes), bytes.subarray(start, end), chunkBytes);
    }
  }
});

test('blobChunks gives the same slices from a stream without BYOB (copied chunks)', async () => {
  for (const pieces of [1000, 65_536, 1 << 20]) {
    const file = withoutByob(blob, pieces);
    for (const chunkBytes of [4096, 65_536, 100_000]) {
      for (const [start, end] of ranges) {
        check(await collect(file, start, end, chunkBytes), bytes.subarray(start, end), chunkBytes);
      }
    }
  }
});

test('blobChunks: a consumer that stops early releases the stream', async () => {
  for (const file of [blob, withoutByob(blob, 5000)]) {
    let seen = 0;
    for await (const slice of blobChunks(file, 0, bytes.length, 10_000)) {
      seen += slice.length;
      if (seen >= 30_000) break;
    }
    assert.equal(seen, 30_000);
  }
});

// `content` (bytes) behind byte streams (BYOB reads, at most `pieces` bytes each) whose `stallAt`-th read
// never settles in each of the first `stalling` streams made; the streams made after them never stall.
// `streams` counts the streams made, `byob[i]` whether stream i was read by a BYOB reader. Every other read
// settles at once (its bytes copied from `content`, not awaited from a Blob's arrayBuffer()): a read that
// took over the 5 ms the tests give, while the process waited for a core, would count as a stall too and
// open a stream more than the stalls (not seen to fail; a review of the tests for timing found it).
function stallingOnce(content, pieces, stallAt, stalling = 1) {
  const file = { name: 'stalling.csv', size: content.length, streams: 0, byob: [] };
  file.slice = (start, end) => ({
    stream: () => {
      const stalls = file.streams < stalling;
      const index = file.streams;
      file.streams += 1;
      let bytes = null;
      let at = 0;
      let pulls = 0;
      return new ReadableStream({
        type: 'bytes',
        async pull(controller) {
          bytes ??= content.subarray(start, end);
          pulls += 1;
          if (stalls && pulls === stallAt) return new Promise(() => {}); // never settles
          const request = controller.byobRequest;
          file.byob[index] = Boolean(request);
          if (at >= bytes.length) {
            controller.close();
            request?.respond(0);
            return;
          }
          const n = Math.min(pieces, bytes.length - at, request ? request.view.byteLength : pieces);
          if (request) {
            new Uint8Array(request.view.buffer, request.view.byteOffset, n).set(bytes.subarray(at, at + n));
            request.respond(n);
          } else {
            controller.enqueue(bytes.slice(at, at + n));
          }
          at += n;
        },
      });
    },
  });
  return file;
}

test('blobChunks: a BYOB read that never settles is read again from a new stream, in full slices', async () => {
  for (const [pieces, chunkBytes] of [[1000, 4096], [5000, 5000], [65_536, 100_000], [100_000, 65_536]]) {
    for (const [start, end] of [[0, bytes.length], [1, bytes.length - 1], [65_536, 65_536 * 3]]) {
      const reads = Math.ceil((end - start) / Math.min(pieces, chunkBytes)) + 1; // the last: done
      for (const stallAt of [1, 2, 3, Math.floor(reads / 2), reads - 1, reads]) {
        const file = stallingOnce(bytes, pieces, stallAt);
        const { slices, said } = await collectSaying(file, start, end, chunkBytes, 5);
        check(slices, bytes.subarray(start, end), chunkBytes);
        const where = `pieces ${pieces}, slices ${chunkBytes}, [${start}, ${end}), read ${stallAt}`;
        assert.equal(file.streams, 2, where);
        // One line says so, with the first byte read again: a slice's first (the stalled slice is read again whole).
        assert.equal(said.length, 1, where);
        const [, from] = said[0].match(/^kpilens: a read of stalling\.csv took over 5 ms: read again from byte (\d+)$/) ?? [];
        assert.ok(from !== undefined, `${where}: ${said[0]}`);
        assert.ok(Number(from) >= start && Number(from) <= end && (Number(from) - start) % chunkBytes === 0, `${where}: ${said[0]}`);
      }
    }
  }
});

test('blobChunks: after a stall a new stream is read with a BYOB reader again; after MAX_STALLS, the default reader', async () => {
  const [pieces, chunkBytes, start, end] = [5000, 16_384, 1, bytes.length - 1];
  for (let stalling = 1; stalling <= MAX_STALLS; stalling += 1) {
    for (const stallAt of [1, 4]) {
      const file = stallingOnce(bytes, pieces, stallAt, stalling);
      const { slices, said } = await collectSaying(file, start, end, chunkBytes, 5);
      const where = `${stalling} stalling stream(s), read ${stallAt}`;
      check(slices, bytes.subarray(start, end), chunkBytes);
      assert.equal(file.streams, stalling + 1, where);
      assert.equal(said.length, stalling, where);
      // The stream after the stalls: BYOB while stalls are fewer than MAX_STALLS (no ArrayBuffer a chunk).
      assert.equal(file.byob[stalling], stalling < MAX_STALLS, where);
    }
  }
});

// lzma_decode.js: unpacks the LZMA ("lzma alone", `xz --format=lzma`) stream the page's wasm module
// travels in, with the small wasm decoder built from web/lzma_decode.c (its header says why wasm). Page
// weight: LZMA packs the module ~17 % smaller than zopfli's gzip (34 KB gzipped of the page), and the
// browsers' DecompressionStream knows only gzip and deflate. The build decodes the packed module with
// this file and the same decoder and compares it with the module byte for byte before it writes the page
// (scripts/build-web.mjs).
//
// Only streams with a known uncompressed size are accepted (the build writes it into the header): the
// output is allocated once. Synchronous (new WebAssembly.Module): for workers and Node; a page's main
// thread may not compile a module over 4 KB synchronously.

const PAGE = 65536;
const PROBABILITIES = 1846; // the fixed probability groups before the literals' (web/lzma_decode.c)
const ERRORS = {
  '-1': 'bad range coder start',
  '-2': 'a repeated match before any output',
  '-3': 'a match reaches before the start of the output',
  '-4': 'a match runs past the uncompressed size',
  '-5': 'the stream ended before its uncompressed size',
};

/**
 * Decodes an LZMA-alone stream (13-byte header: properties, dictionary size, uncompressed size).
 * @param {BufferSource | WebAssembly.Module} decoder the wasm decoder (web/lzma_decode.c), bytes or compiled
 * @param {Uint8Array} input
 * @returns {Uint8Array} the uncompressed bytes
 * @throws {Error} on a malformed stream or an unknown uncompressed size
 */
export function lzmaDecode(decoder, input) {
  if (input.length < 13) throw new Error('lzma: the stream is shorter than its header');
  let properties = input[0];
  if (properties >= 9 * 5 * 5) throw new Error('lzma: bad properties byte');
  const lc = properties % 9;
  properties = (properties / 9) | 0;
  const lp = properties % 5;
  const pb = (properties / 5) | 0;
  let size = 0;
  let unknown = true;
  for (let i = 0; i < 8; i += 1) {
    if (input[5 + i] !== 0xff) unknown = false;
    size += input[5 + i] * 2 ** (8 * i);
  }
  if (unknown) throw new Error('lzma: the stream does not say its uncompressed size');
  if (size > 0x7fffffff) throw new Error('lzma: the uncompressed size is too large');

  const module = decoder instanceof WebAssembly.Module ? decoder : new WebAssembly.Module(decoder);
  // The decoder's memory: its stack below __heap_base, then the input, the output and the probabilities.
  const coded = input.subarray(13);
  const probabilityBytes = 2 * (PROBABILITIES + (0x300 << (lc + lp)));
  const bytesAbove = coded.length + size + 2 + probabilityBytes;
  const memory = new WebAssembly.Memory({ initial: 2 + Math.ceil(bytesAbove / PAGE) });
  const { exports } = new WebAssembly.Instance(module, { env: { memory } });
  const inAt = exports.__heap_base.value;
  if (memory.buffer.byteLength < inAt + bytesAbove) memory.grow(Math.ceil((inAt + bytesAbove - memory.buffer.byteLength) / PAGE));
  const outAt = inAt + coded.length;
  const probabilitiesAt = (outAt + size + 1) & ~1;
  new Uint8Array(memory.buffer).set(coded, inAt);
  const read = exports.lzma_decode(inAt, coded.length, outAt, size, probabilitiesAt, lc, lp, pb);
  if (read < 0) throw new Error(`lzma: ${ERRORS[read] ?? `error ${read}`}`);
  if (read > coded.length) throw new Error('lzma: the stream ends early');
  return new Uint8Array(memory.buffer, outAt, size).slice();
}

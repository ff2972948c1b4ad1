// lzma_decode.js: decodes the LZMA ("lzma alone", `xz --format=lzma`) stream the page's wasm module
// travels in. Page weight: LZMA packs the module ~17 % smaller than zopfli's gzip (34 KB gzipped of
// the page), and the browsers' DecompressionStream knows only gzip and deflate. Written by hand
// because the packaged JavaScript decoder (npm `lzma` 2.3.2, compiled from Java) took ~2 s for the
// module in Node, where this one takes a few tens of milliseconds. It follows the format's reference
// decoder (LzmaSpec.cpp in the LZMA SDK, public domain): a range coder over adaptive bit
// probabilities, literals coded with the previous byte as context, matches as (length, distance) with
// four repeated distances. The build decodes the packed module with this file and compares it with
// the module byte for byte before it writes the page (scripts/build-web.mjs).
//
// Only streams with a known uncompressed size are accepted (the build writes it into the header):
// the output is allocated once.

const PROB_INIT = 1024; // probability 0.5 on 11 bits
const STATES = 12;
const POS_STATES_MAX = 16; // pb ≤ 4
const END_MARKER = 0xffffffff;

/**
 * Decodes an LZMA-alone stream (13-byte header: properties, dictionary size, uncompressed size).
 * @param {Uint8Array} input
 * @returns {Uint8Array} the uncompressed bytes
 * @throws {Error} on a malformed stream or an unknown uncompressed size
 */
export function lzmaDecode(input) {
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
  const out = new Uint8Array(size);

  // Range decoder. range and code are unsigned 32-bit values held in int32 variables (V8 keeps them
  // unboxed): an unsigned comparison flips both sign bits, Math.imul wraps like uint32 arithmetic.
  // A stream that ends early reads undefined (0); the end checks inPos.
  let inPos = 13;
  if (input[inPos++] !== 0) throw new Error('lzma: bad range coder start');
  let range = -1; // 0xffffffff
  let code = 0;
  for (let i = 0; i < 4; i += 1) code = (code << 8) | input[inPos++];
  if (code === -1) throw new Error('lzma: bad range coder start');

  const bit = (probs, index) => {
    const p = probs[index];
    const bound = Math.imul(range >>> 11, p);
    let result;
    if ((code ^ 0x80000000) < (bound ^ 0x80000000)) {
      range = bound;
      probs[index] = p + ((2048 - p) >>> 5);
      result = 0;
    } else {
      range = (range - bound) | 0;
      code = (code - bound) | 0;
      probs[index] = p - (p >>> 5);
      result = 1;
    }
    if ((range & 0xff000000) === 0) {
      range <<= 8;
      code = (code << 8) | input[inPos++];
    }
    return result;
  };
  const directBits = (count) => {
    let result = 0;
    for (let i = 0; i < count; i += 1) {
      range >>>= 1;
      let b = 0;
      if ((code ^ 0x80000000) >= (range ^ 0x80000000)) {
        code = (code - range) | 0;
        b = 1;
      }
      result = (result << 1) | b;
      if ((range & 0xff000000) === 0) {
        range <<= 8;
        code = (code << 8) | input[inPos++];
      }
    }
    return result >>> 0;
  };
  const tree = (probs, base, bits) => {
    let m = 1;
    for (let i = 0; i < bits; i += 1) m = (m << 1) | bit(probs, base + m);
    return m - (1 << bits);
  };
  const reverseTree = (probs, base, bits) => {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i += 1) {
      const b = bit(probs, base + m);
      m = (m << 1) | b;
      symbol |= b << i;
    }
    return symbol;
  };
  const probabilities = (count) => new Uint16Array(count).fill(PROB_INIT);

  const literals = probabilities(0x300 << (lc + lp));
  const isMatch = probabilities(STATES * POS_STATES_MAX);
  const isRep = probabilities(STATES);
  const isRepG0 = probabilities(STATES);
  const isRepG1 = probabilities(STATES);
  const isRepG2 = probabilities(STATES);
  const isRep0Long = probabilities(STATES * POS_STATES_MAX);
  const posSlots = probabilities(4 << 6);
  const posDecoders = probabilities(1 + 114);
  const align = probabilities(1 << 4);
  // A length coder: choice, choice 2, then 3 bits (lengths 2–9) or 3 bits (10–17) per position state,
  // or 8 bits (18–273).
  const lengthCoder = () => ({
    choice: probabilities(2),
    low: probabilities(POS_STATES_MAX << 3),
    mid: probabilities(POS_STATES_MAX << 3),
    high: probabilities(256),
  });
  const matchLength = lengthCoder();
  const repLength = lengthCoder();
  const length = (coder, posState) => {
    if (bit(coder.choice, 0) === 0) return tree(coder.low, posState << 3, 3);
    if (bit(coder.choice, 1) === 0) return 8 + tree(coder.mid, posState << 3, 3);
    return 16 + tree(coder.high, 0, 8);
  };
  const distance = (len) => {
    const slot = tree(posSlots, (len < 3 ? len : 3) << 6, 6);
    if (slot < 4) return slot;
    const directCount = (slot >>> 1) - 1;
    let dist = ((2 | (slot & 1)) * 2 ** directCount) >>> 0;
    if (slot < 14) return (dist + reverseTree(posDecoders, dist - slot, directCount)) >>> 0;
    dist = (dist + directBits(directCount - 4) * 16) >>> 0;
    return (dist + reverseTree(align, 0, 4)) >>> 0;
  };

  const pbMask = (1 << pb) - 1;
  const lpMask = (1 << lp) - 1;
  let outPos = 0;
  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  while (outPos < size) {
    const posState = outPos & pbMask;
    if (bit(isMatch, (state << 4) + posState) === 0) {
      const previous = outPos > 0 ? out[outPos - 1] : 0;
      const base = 0x300 * (((outPos & lpMask) << lc) + (previous >>> (8 - lc)));
      let symbol = 1;
      if (state >= 7) {
        let matchByte = out[outPos - rep0 - 1];
        do {
          const matchBit = (matchByte >>> 7) & 1;
          matchByte <<= 1;
          const b = bit(literals, base + ((1 + matchBit) << 8) + symbol);
          symbol = (symbol << 1) | b;
          if (matchBit !== b) break;
        } while (symbol < 0x100);
      }
      while (symbol < 0x100) symbol = (symbol << 1) | bit(literals, base + symbol);
      out[outPos++] = symbol & 0xff;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len;
    if (bit(isRep, state) !== 0) {
      if (outPos === 0) throw new Error('lzma: a repeated match before any output');
      if (bit(isRepG0, state) === 0) {
        if (bit(isRep0Long, (state << 4) + posState) === 0) {
          state = state < 7 ? 9 : 11;
          out[outPos] = out[outPos - rep0 - 1];
          outPos += 1;
          continue;
        }
      } else {
        let dist;
        if (bit(isRepG1, state) === 0) {
          dist = rep1;
        } else {
          if (bit(isRepG2, state) === 0) {
            dist = rep2;
          } else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = length(repLength, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = length(matchLength, posState);
      state = state < 7 ? 7 : 10;
      rep0 = distance(len);
      if (rep0 === END_MARKER) break;
      if (rep0 >= outPos) throw new Error('lzma: a match reaches before the start of the output');
    }
    len += 2;
    if (len > size - outPos) throw new Error('lzma: a match runs past the uncompressed size');
    for (let from = outPos - rep0 - 1, end = outPos + len; outPos < end; ) out[outPos++] = out[from++];
  }
  if (inPos > input.length) throw new Error('lzma: the stream ends early');
  if (outPos !== size) throw new Error('lzma: the stream ended before its uncompressed size');
  return out;
}

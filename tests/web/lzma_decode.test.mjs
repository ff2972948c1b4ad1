// The page's LZMA decoder (web/lzma_decode.js running web/lzma_decode.c built to wasm) against xz:
// whatever `xz --format=lzma` packs, with any literal/position settings, decodes to the same bytes; malformed streams are refused with an
// error, never a wrong result. The build also checks the packed wasm module itself, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { lzmaDecode as decodeWith } from '../../web/lzma_decode.js';
import { buildLzmaWasm } from '../../scripts/lib/lzma_wasm.mjs';

const decoder = new WebAssembly.Module(buildLzmaWasm());
const lzmaDecode = (input) => decodeWith(decoder, input);

// xz writes "size unknown"; the build writes the size into the header, and so does this.
function pack(bytes, options) {
  const packed = execFileSync('xz', ['--format=lzma', `--lzma1=${options}`, '--stdout'],
    { input: bytes, maxBuffer: 1 << 28 });
  let size = bytes.length;
  for (let i = 0; i < 8; i += 1) {
    packed[5 + i] = size % 256;
    size = Math.floor(size / 256);
  }
  return new Uint8Array(packed);
}

// Deterministic bytes: xorshift32, so a failure can be replayed.
function noise(length, seed) {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const inputs = {
  empty: Buffer.alloc(0),
  'one byte': Buffer.from('a'),
  'noise (incompressible, literals only)': noise(200_000, 7),
  'zeros (long matches, repeated distances)': Buffer.alloc(1 << 20),
  'text (the KPI catalogue)': readFileSync(new URL('../../docs/kpis.md', import.meta.url)),
  // Matches far back: the distance coder's direct bits and align bits.
  'a block repeated 3 MB apart': Buffer.concat([noise(50_000, 3), noise(3_000_000, 5), noise(50_000, 3)]),
};
const settings = ['preset=9e,pb=0', 'preset=6', 'preset=0', 'preset=1,lc=0,lp=2,pb=4', 'preset=6,lc=4,lp=0,pb=2'];

for (const [name, bytes] of Object.entries(inputs)) {
  test(`lzmaDecode gives back ${name} packed by xz with every setting`, () => {
    for (const options of settings) {
      const decoded = lzmaDecode(pack(bytes, options));
      assert.ok(Buffer.from(decoded).equals(bytes), `${options}: decoded bytes differ`);
    }
  });
}

test('lzmaDecode refuses truncated, corrupted and size-less streams with an error', () => {
  const bytes = readFileSync(new URL('../../docs/kpis.md', import.meta.url));
  const packed = pack(bytes, 'preset=6');
  assert.throws(() => lzmaDecode(packed.subarray(0, 10)), /shorter than its header/);
  assert.throws(() => lzmaDecode(packed.subarray(0, packed.length >> 1)), /lzma:/);
  const unknown = packed.slice();
  unknown.fill(0xff, 5, 13);
  assert.throws(() => lzmaDecode(unknown), /does not say its uncompressed size/);
  const badProperties = packed.slice();
  badProperties[0] = 225;
  assert.throws(() => lzmaDecode(badProperties), /bad properties/);
  // Flipped bytes in the body: an error or, where the range coder cannot tell, other bytes of the
  // same length; never a hang or an out-of-range write.
  for (let i = 20; i < packed.length; i += 97) {
    const corrupted = packed.slice();
    corrupted[i] ^= 0x5a;
    try {
      const decoded = lzmaDecode(corrupted);
      assert.equal(decoded.length, bytes.length);
    } catch (error) {
      assert.match(error.message, /^lzma: /);
    }
  }
});

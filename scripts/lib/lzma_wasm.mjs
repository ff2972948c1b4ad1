// lzma_wasm.mjs: builds web/lzma_decode.c into the small wasm module the page's worker unpacks the engine
// module with (scripts/build-web.mjs inlines it; tests/web/lzma_decode.test.mjs runs it). clang-14 and
// wasm-ld-14 come with Debian's emscripten package (the wasm build needs them anyway); no libc, no
// Emscripten runtime: one exported function, the memory imported from JavaScript, __heap_base exported
// so that the caller's buffers start above the decoder's stack. -Os: 4.7 KB, 2.7 KB gzipped as
// base64, as fast as -O2 (6.2 KB, 3.2 KB gzipped; 15-16 ms for the engine module in warm Node, both);
// -Oz: 2.0 KB, but ~35 % slower; -O3: 8 KB, not faster.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = join(dirname(fileURLToPath(import.meta.url)), '../../web/lzma_decode.c');

/** The decoder's wasm bytes (a Buffer). */
export function buildLzmaWasm() {
  const dir = mkdtempSync(join(tmpdir(), 'kpilens-lzma-'));
  try {
    const object = join(dir, 'lzma_decode.o');
    const wasm = join(dir, 'lzma_decode.wasm');
    execFileSync('clang-14', ['--target=wasm32', '-Os', '-nostdlib', '-ffreestanding', '-std=c11',
      '-Wall', '-Wextra', '-Wpedantic', '-Wshadow', '-Wconversion', '-Werror', '-c', source, '-o', object]);
    execFileSync('wasm-ld-14', ['--no-entry', '--export=lzma_decode', '--export=__heap_base', '--import-memory',
      '--strip-all', object, '-o', wasm]);
    return readFileSync(wasm);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

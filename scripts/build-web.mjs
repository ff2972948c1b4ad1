// build-web.mjs: bundles the page with esbuild into
//   dist/site/      the served page (index.html, app.js, styles.css)
//   dist/kpilens.html  one self-contained file: script, styles and wasm inlined, worker from a Blob URL;
//                      opens from file://, as a wiki attachment, in an iframe.
// Two classic scripts (no ES modules: Chromium blocks module scripts from file://): engine_start.js in <head>
// (starts the engine worker, whose source it carries, before the page's own script is fetched and run) and
// app.js at the end of <body>. The sample export
// is not inlined: the page makes it (web/sample_tickets.js, the generator behind scripts/gen).
// Weight (400 KB gzipped budget for the single file): the wasm travels LZMA-packed in base64, the
// Emscripten glue and the styles are minified, and dist/size.json lists what each part weighs.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { lzmaDecode } from '../web/lzma_decode.js';
import { buildLzmaWasm } from './lib/lzma_wasm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const path = (...parts) => join(root, ...parts);
const target = ['chrome91', 'firefox89', 'safari16'];
const minify = async (code, loader = 'js') =>
  (await esbuild.transform(code, { loader, minify: true, legalComments: 'none', target })).code;

// The glue defines the global createKpilens (kept: esbuild renames no top-level name of a script).
const wasmGlue = await minify(readFileSync(path('build/wasm/kpilens.web.js'), 'utf8'));
// The wasm travels LZMA-packed inside the base64 (the worker unpacks it with web/lzma_decode.js and the
// small wasm decoder built from web/lzma_decode.c, inlined beside it as base64 too): base64
// of the raw module gzips to ~190 KB; base64 of a packed module costs what the packing does, and LZMA
// (`xz --format=lzma`, Debian package xz-utils) packs the module ~17 % smaller than zopfli's gzip
// (~150 KB against ~181 KB for 474 KB of wasm). pb=0: wasm code has no 4-byte alignment to exploit.
const wasmRaw = readFileSync(path('build/wasm/kpilens.web.wasm'));
const wasmPacked = lzmaPack(wasmRaw);
let lzmaWasm;
try {
  lzmaWasm = buildLzmaWasm();
} catch (error) {
  console.error(`build-web: web/lzma_decode.c did not build (clang-14 and wasm-ld-14 come with the emscripten package): ${error.message}`);
  process.exit(1);
}
// The page decodes what the build checked: the same decoder, here, byte for byte.
if (!Buffer.from(lzmaDecode(lzmaWasm, wasmPacked)).equals(wasmRaw)) {
  console.error('build-web: the LZMA-packed module does not decode to the module (web/lzma_decode.c)');
  process.exit(1);
}
const wasmBase64 = Buffer.from(wasmPacked).toString('base64');
const decoderBase64 = lzmaWasm.toString('base64');
// worker.js imports the LZMA decoder and the parallel reader (web/parallel_read.js →
// wasm/bindings/parallel_read.mjs): bundled into one classic script, as the Blob worker needs.
const workerMain = (await esbuild.build({
  entryPoints: [path('web/worker.js')], bundle: true, format: 'iife', minify: true, write: false, legalComments: 'none', target,
})).outputFiles[0].text;
const workerSource = `${wasmGlue}\n;\nvar KPILENS_WASM_LZMA_BASE64 = ${JSON.stringify(wasmBase64)};\n` +
  `var KPILENS_LZMA_DECODER_BASE64 = ${JSON.stringify(decoderBase64)};\n${workerMain}`;

// `xz --format=lzma` writes "size unknown" and an end marker; the header gets the real size (the
// decoder allocates its output once and stops there).
function lzmaPack(bytes) {
  let packed;
  try {
    packed = execFileSync('xz', ['--format=lzma', '--lzma1=preset=9e,pb=0', '--stdout'],
      { input: bytes, maxBuffer: 1 << 26 });
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    console.error('build-web: xz not found (apt-get install xz-utils; scripts/build web installs it)');
    process.exit(1);
  }
  let size = bytes.length;
  for (let i = 0; i < 8; i += 1) {
    packed[5 + i] = size % 256;
    size = Math.floor(size / 256);
  }
  return new Uint8Array(packed);
}

// ECharts modules that echarts/core imports whatever the page uses, replaced by what the page's charts
// (web/charts.js) need of them: ~8 KB gzipped. Each is checked below: the file must exist (echarts is
// pinned: package-lock.json) and the bundle must have imported it, or the build fails.
const ECHARTS_STUBS = [
  // Decal patterns draw only with aria.decal or an itemStyle.decal, which the page never sets.
  ['util/decal.js', 'export function createOrUpdatePatternFromDecal() { return null; }'],
  // Every tooltip renders as rich text inside the SVG (no HTML from a file's strings, ever).
  ['component/tooltip/TooltipHTMLContent.js', 'export { default } from "./TooltipRichContent.js";'],
  // The Chinese locale is picked only for a document whose language says "zh": the page's is English.
  ['i18n/langZH.js', 'export { default } from "./langEN.js";'],
  // The page never asks for the dark theme, nor shows ECharts' loading animation.
  ['theme/dark.js', 'export default {};'],
  ['loading/default.js', 'export default function () {}'],
];
const stubbed = new Set();
const echartsStubs = {
  name: 'echarts-stubs',
  setup(build) {
    for (const [file, contents] of ECHARTS_STUBS) {
      if (!existsSync(path('node_modules/echarts/lib', file))) {
        console.error(`build-web: ECharts has no lib/${file} any more: update its stub (ECHARTS_STUBS)`);
        process.exit(1);
      }
      const escaped = `/echarts/lib/${file}`.replace(/[./]/g, '\\$&');
      build.onLoad({ filter: new RegExp(`${escaped}$`) }, () => {
        stubbed.add(file);
        return { contents, loader: 'js' };
      });
    }
  },
};
const bundle = async (entry, define = {}, plugins = []) => (await esbuild.build({
  entryPoints: [path(entry)],
  bundle: true,
  format: 'iife',
  minify: true,
  write: false,
  legalComments: 'none',
  target,
  define,
  plugins,
})).outputFiles[0].text;
const startBundle = (worker) => bundle('web/engine_start.js', { __KPILENS_WORKER_SOURCE__: JSON.stringify(worker) });
// Inline <script> must not contain "</script" (only possible inside strings here).
const inline = (code) => code.replaceAll('</script', '<\\/script');
const startScript = inline(await startBundle(workerSource));
const script = inline(await bundle('web/app.js', {}, [echartsStubs]));
for (const [file] of ECHARTS_STUBS) {
  if (!stubbed.has(file)) {
    console.error(`build-web: ECharts no longer imports lib/${file}: drop its stub (ECHARTS_STUBS)`);
    process.exit(1);
  }
}
const styles = await minify(readFileSync(path('web/styles.css'), 'utf8'), 'css');
const template = readFileSync(path('web/index.html'), 'utf8');

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const common = "worker-src blob:; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'none'";

// The served page: files from its own origin only.
const siteCsp = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; ${common}`;
rmSync(path('dist/site'), { recursive: true, force: true });
mkdirSync(path('dist/site'), { recursive: true });
writeFileSync(path('dist/site/engine_start.js'), startScript);
writeFileSync(path('dist/site/app.js'), script);
writeFileSync(path('dist/site/styles.css'), styles);
writeFileSync(
  path('dist/site/index.html'),
  template
    .replace('%CSP%', siteCsp)
    .replace('<!-- KPILENS:STYLE -->', '<link rel="stylesheet" href="styles.css">')
    .replace('<!-- KPILENS:START -->', '<script src="engine_start.js"></script>')
    .replace('<!-- KPILENS:SCRIPT -->', '<script src="app.js"></script>'),
);

// The single file: inline script and style allowed by their hashes, nothing else.
const singleCsp = `default-src 'self'; script-src ${sha256(startScript)} ${sha256(script)} 'wasm-unsafe-eval'; style-src ${sha256(styles)}; connect-src 'self'; ${common}`;
const single = template
  .replace('%CSP%', singleCsp)
  .replace('<!-- KPILENS:STYLE -->', () => `<style>${styles}</style>`)
  .replace('<!-- KPILENS:START -->', () => `<script>${startScript}</script>`)
  .replace('<!-- KPILENS:SCRIPT -->', () => `<script>${script}</script>`);
writeFileSync(path('dist/kpilens.html'), single);

const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const gzip = (text) => gzipSync(text, { level: 9 }).length;
const gz = gzip(single);
const budget = 400 * 1024;
// What each part weighs gzipped on its own (they share little, so the sum is close to the whole); the
// page's scripts without the worker source engine_start.js carries.
const parts = {
  wasm: gzip(wasmBase64),
  decoder: gzip(decoderBase64),
  glue: gzip(wasmGlue),
  worker: gzip(workerMain),
  start: gzip(await startBundle('')),
  script: gzip(script),
  styles: gzip(styles),
  html: gzip(template),
};
console.log(`dist/kpilens.html: ${kb(single.length)}, ${kb(gz)} gzipped (budget ${kb(budget)}); parts gzipped: ` +
  Object.entries(parts).map(([name, n]) => `${name} ${(n / 1024).toFixed(1)}`).join(', ') + ' KB');
writeFileSync(path('dist/size.json'), JSON.stringify({ bytes: single.length, gzip: gz, budget, parts }, null, 2));
if (gz > budget) {
  console.error('dist/kpilens.html is over the page-weight budget');
  process.exit(1);
}

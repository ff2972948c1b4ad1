// build-web.mjs: bundles the page with esbuild into
//   dist/site/      the served page (index.html, app.js, styles.css)
//   dist/kpilens.html  one self-contained file: script, styles and wasm inlined, worker from a Blob URL;
//                      opens from file://, as a wiki attachment, in an iframe.
// Both are classic scripts (no ES modules: Chromium blocks module scripts from file://). The sample export
// is not inlined: the page makes it (web/sample_tickets.js, the generator behind scripts/gen).
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const path = (...parts) => join(root, ...parts);

const wasmGlue = readFileSync(path('build/wasm/kpilens.web.js'), 'utf8');
// The wasm travels gzipped inside the base64 (the worker inflates it with DecompressionStream):
// base64 of the raw module gzips to ~190 KB, base64 of the gzipped module to ~145 KB.
const wasmBase64 = gzipSync(readFileSync(path('build/wasm/kpilens.web.wasm')), { level: 9 }).toString('base64');
const workerMain = (await esbuild.transform(readFileSync(path('web/worker.js'), 'utf8'), {
  minify: true,
  legalComments: 'none',
  target: ['chrome91', 'firefox89', 'safari16'],
})).code;
const workerSource = `${wasmGlue}\n;\nvar KPILENS_WASM_BASE64 = ${JSON.stringify(wasmBase64)};\n${workerMain}`;

const result = await esbuild.build({
  entryPoints: [path('web/app.js')],
  bundle: true,
  format: 'iife',
  minify: true,
  write: false,
  legalComments: 'none',
  target: ['chrome91', 'firefox89', 'safari16'],
  define: { __KPILENS_WORKER_SOURCE__: JSON.stringify(workerSource) },
});
// Inline <script> must not contain "</script" (only possible inside strings here).
const script = result.outputFiles[0].text.replaceAll('</script', '<\\/script');
const styles = readFileSync(path('web/styles.css'), 'utf8');
const template = readFileSync(path('web/index.html'), 'utf8');

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const common = "worker-src blob:; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'none'";

// The served page: files from its own origin only.
const siteCsp = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; ${common}`;
rmSync(path('dist/site'), { recursive: true, force: true });
mkdirSync(path('dist/site'), { recursive: true });
writeFileSync(path('dist/site/app.js'), script);
writeFileSync(path('dist/site/styles.css'), styles);
writeFileSync(
  path('dist/site/index.html'),
  template
    .replace('%CSP%', siteCsp)
    .replace('<!-- KPILENS:STYLE -->', '<link rel="stylesheet" href="styles.css">')
    .replace('<!-- KPILENS:SCRIPT -->', '<script src="app.js"></script>'),
);

// The single file: inline script and style allowed by their hashes, nothing else.
const singleCsp = `default-src 'self'; script-src ${sha256(script)} 'wasm-unsafe-eval'; style-src ${sha256(styles)}; connect-src 'self'; ${common}`;
const single = template
  .replace('%CSP%', singleCsp)
  .replace('<!-- KPILENS:STYLE -->', () => `<style>${styles}</style>`)
  .replace('<!-- KPILENS:SCRIPT -->', () => `<script>${script}</script>`);
writeFileSync(path('dist/kpilens.html'), single);

const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const gz = gzipSync(single, { level: 9 }).length;
const budget = 400 * 1024;
console.log(`dist/kpilens.html: ${kb(single.length)}, ${kb(gz)} gzipped (budget ${kb(budget)})`);
writeFileSync(path('dist/size.json'), JSON.stringify({ bytes: single.length, gzip: gz, budget }, null, 2));
if (gz > budget) {
  console.error('dist/kpilens.html is over the page-weight budget');
  process.exit(1);
}

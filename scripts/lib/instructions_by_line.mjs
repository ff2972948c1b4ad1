// The native side of scripts/instructions --lines: the CLI (built with line tables, build/native-lines)
// counted by callgrind source line by source line (--dump-line=yes, positions not compressed), each
// line's own instructions: those of the code inlined from it included, the calls it makes not. Says
// which lines of a function the count goes to, where --functions (wasm) says which function.
//   node instructions_by_line.mjs CALLGRIND_OUT ROOT ROWS TOP
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [outPath, root, rowsText, topText] = process.argv.slice(2);
const rows = Number(rowsText);
const top = Number(topText);

// Callgrind's format with `positions: line`, names and positions written out (--compress-strings=no,
// --compress-pos=no): `fl=`/`fi=`/`fe=` name the file the next cost lines are in (`fi`/`fe`: inlined
// code), a cost line is a line number then its cost (Ir). The line after a `calls=` line is the
// inclusive cost of that call, not the caller's own: skipped.
const costs = new Map();
let file = '';
let afterCalls = false;
let total = 0;
for (const line of readFileSync(outPath, 'utf8').split('\n')) {
  if (line.startsWith('calls=')) {
    afterCalls = true;
    continue;
  }
  if (/^f[lie]=/.test(line)) {
    file = line.slice(3);
    continue;
  }
  const m = /^(\d+) (\d+)$/.exec(line);
  if (!m) continue;
  if (afterCalls) {
    afterCalls = false;
    continue;
  }
  const cost = Number(m[2]);
  total += cost;
  const key = `${file}:${m[1]}`;
  costs.set(key, (costs.get(key) ?? 0) + cost);
}

const sources = new Map();
function sourceLine(path, number) {
  if (!sources.has(path)) {
    let text = null;
    try {
      text = readFileSync(path, 'utf8').split('\n');
    } catch {
      // A system header or a file not on this machine: the line is shown without its text.
    }
    sources.set(path, text);
  }
  return sources.get(path)?.[number - 1]?.trim() ?? '';
}

console.log(`native CLI by source line (${(total / 1e6).toFixed(1)} M instructions, its own code and what it inlined; a row = ${rows} tickets):`);
console.log('   a row   share  file:line  source');
const sorted = [...costs].sort((a, b) => b[1] - a[1]).slice(0, top);
for (const [key, cost] of sorted) {
  const at = key.lastIndexOf(':');
  const path = key.slice(0, at);
  const number = Number(key.slice(at + 1));
  const shown = path.startsWith(root) ? relative(root, path) : path;
  const perRow = (cost / rows).toFixed(1).padStart(8);
  const share = ((100 * cost) / total).toFixed(1).padStart(5);
  console.log(`${perRow} ${share} %  ${shown}:${number}  ${sourceLine(path, number).slice(0, 90)}`);
}

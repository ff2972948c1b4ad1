// The wasm side of scripts/instructions --functions: V8's generated code counted by callgrind
// instruction by instruction (--dump-instr=yes), each instruction put in the function whose code
// holds it by the map V8 wrote of its code (node --perf-basic-prof: /tmp/perf-PID.map, one line per
// code object: start, size and name, a wasm function by its name when the module keeps them). Exact
// where scripts/profile samples, and per function where scripts/instructions gives one total.
//   node instructions_by_function.mjs CALLGRIND_OUT PERF_MAP TOP
import { readFileSync } from 'node:fs';

const [outPath, mapPath, topText] = process.argv.slice(2);
const top = Number(topText);

const ranges = readFileSync(mapPath, 'utf8').split('\n').filter(Boolean).map((line) => {
  const [start, size, ...name] = line.split(' ');
  return { start: parseInt(start, 16), end: parseInt(start, 16) + parseInt(size, 16), name: name.join(' ') };
}).sort((a, b) => a.start - b.start);

function rangeOf(address) {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid].start <= address) lo = mid + 1;
    else hi = mid - 1;
  }
  const r = ranges[hi];
  return r && address < r.end ? r : null;
}

// Callgrind's format with `positions: instr line`: a cost line is an instruction address (absolute
// 0x…, relative +n / -n, or * for the same), a line number, then the cost (Ir). The line after a
// `calls=` line is the inclusive cost of that call, not the caller's own: skipped.
const costs = new Map();
let address = 0;
let afterCalls = false;
let mapped = 0;
for (const line of readFileSync(outPath, 'utf8').split('\n')) {
  if (line.startsWith('calls=')) {
    afterCalls = true;
    continue;
  }
  const first = line[0];
  if (!(first === '+' || first === '-' || first === '*' || (first >= '0' && first <= '9'))) continue;
  const parts = line.split(' ');
  const position = parts[0];
  if (position.startsWith('0x')) address = parseInt(position, 16);
  else if (first === '+') address += Number(position.slice(1));
  else if (first === '-') address -= Number(position.slice(1));
  if (afterCalls) {
    afterCalls = false;
    continue;
  }
  if (parts.length < 3) continue;
  const range = rangeOf(address);
  if (!range) continue;
  const cost = Number(parts[2]);
  costs.set(range.name, (costs.get(range.name) ?? 0) + cost);
  mapped += cost;
}

// A wasm function's entry reads "JS:<name>-<index>-turbofan"; libc++'s long names shortened.
const shown = (name) => name.replace(/^JS:/, '').replace(/-\d+-turbofan$/, '')
  .replaceAll('std::__2::basic_string_view<char, std::__2::char_traits<char> >', 'string_view')
  .replaceAll('std::__2::', '');
console.log(`V8's generated code by function (${(mapped / 1e6).toFixed(1)} M instructions in named code):`);
console.log('         M   share  function (its own instructions; what the build inlined into it counts as its own)');
for (const [name, cost] of [...costs].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  const text = shown(name);
  console.log(`${(cost / 1e6).toFixed(1).padStart(10)} ${((100 * cost) / mapped).toFixed(1).padStart(5)} %  ${text.length > 160 ? `${text.slice(0, 157)}…` : text}`);
}

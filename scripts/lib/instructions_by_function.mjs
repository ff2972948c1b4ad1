// The wasm side of scripts/instructions --functions: V8's generated code counted by callgrind
// instruction by instruction (--dump-instr=yes), each instruction put in the function whose code
// holds it by the map V8 wrote of its code (node --perf-basic-prof: /tmp/perf-PID.map, one line per
// code object: start, size and name, a wasm function by its name when the module keeps them). Exact
// where scripts/profile samples, and per function where scripts/instructions gives one total.
//   node instructions_by_function.mjs CALLGRIND_OUT PERF_MAP TOP
import { readFileSync } from 'node:fs';
import { instructionCosts, shortName } from './v8_code_costs.mjs';

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

const costs = new Map();
let mapped = 0;
for (const [address, cost] of instructionCosts(outPath)) {
  const range = rangeOf(address);
  if (!range) continue;
  costs.set(range.name, (costs.get(range.name) ?? 0) + cost);
  mapped += cost;
}

console.log(`V8's generated code by function (${(mapped / 1e6).toFixed(1)} M instructions in named code):`);
console.log('         M   share  function (its own instructions; what the build inlined into it counts as its own)');
for (const [name, cost] of [...costs].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  const text = shortName(name);
  console.log(`${(cost / 1e6).toFixed(1).padStart(10)} ${((100 * cost) / mapped).toFixed(1).padStart(5)} %  ${text.length > 160 ? `${text.slice(0, 157)}…` : text}`);
}

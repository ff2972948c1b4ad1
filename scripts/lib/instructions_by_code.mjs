// The wasm side of scripts/instructions --code NAME: the machine code V8 generated for one wasm
// function (node --print-wasm-code, TurboFan's listing), each instruction with how many times it ran
// a row (callgrind --dump-instr=yes, in the same process, so the addresses are the listing's).
// Where --functions says how much a function costs, this says on what: a spill to the stack, a
// constant built again at each use, a value kept in linear memory, the instructions of each view a
// row. Instructions that never ran are folded into one "…" line per stretch.
//   node instructions_by_code.mjs CALLGRIND_OUT LISTING NAME ROWS
import { readFileSync } from 'node:fs';
import { instructionCosts, shortName } from './v8_code_costs.mjs';

const [outPath, listingPath, wanted, rowsText] = process.argv.slice(2);
const rows = Number(rowsText);

// The listing: per function a header (name:, index:, kind:, compiler:, Body, Instructions), then
// one line per instruction — address, offset, bytes, text — up to a blank line, then other tables.
const functions = [];
let current = null;
let inInstructions = false;
for (const line of readFileSync(listingPath, 'utf8').split('\n')) {
  if (line.startsWith('name: ')) {
    current = { name: line.slice(6), compiler: '', instructions: [] };
    functions.push(current);
    inInstructions = false;
  } else if (current && line.startsWith('compiler: ')) {
    current.compiler = line.slice(10);
  } else if (current && line.startsWith('Instructions (size')) {
    inInstructions = true;
  } else if (inInstructions) {
    const m = /^0x([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+(.*)$/.exec(line);
    if (m) current.instructions.push({ address: parseInt(m[1], 16), offset: m[2], text: m[3] });
    else inInstructions = false;
  }
}

const costs = instructionCosts(outPath);
const countOf = (f) => f.instructions.reduce((sum, i) => sum + (costs.get(i.address) ?? 0), 0);
const matches = functions.filter((f) => f.compiler === 'TurboFan' && f.name.includes(wanted))
  .map((f) => ({ ...f, count: countOf(f) })).sort((a, b) => b.count - a.count);
if (matches.length === 0) {
  console.error(`scripts/instructions --code: no wasm function's name contains "${wanted}"`);
  process.exit(1);
}
const [f] = matches;
const perRow = (n) => (n / rows >= 0.005 ? (n / rows).toFixed(2) : '<0.01').padStart(8);
console.log(`V8's code for ${shortName(f.name)}: ${(f.count / 1e6).toFixed(1)} M instructions, ` +
  `${(f.count / rows).toFixed(1)} a row, ${f.instructions.length} instructions of code`);
for (const other of matches.slice(1, 6)) {
  console.log(`  (also named so: ${shortName(other.name).slice(0, 120)}, ${(other.count / 1e6).toFixed(1)} M)`);
}
console.log('   a row  offset  instruction (those that never ran folded into …)');
let folded = false;
for (const i of f.instructions) {
  const n = costs.get(i.address) ?? 0;
  if (n === 0) {
    if (!folded) console.log('       …');
    folded = true;
    continue;
  }
  folded = false;
  console.log(`${perRow(n)}  ${i.offset.padStart(6)}  ${i.text}`);
}

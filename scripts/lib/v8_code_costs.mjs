// V8's generated code counted by callgrind, for scripts/instructions --functions and --code: the
// count of each instruction (valgrind --tool=callgrind --dump-instr=yes), and V8's names of wasm
// functions made readable.
import { readFileSync } from 'node:fs';

// Each instruction address's own count (Ir), what its calls cost left out. Callgrind's format with
// `positions: instr line`: a cost line is an instruction address (absolute 0x…, relative +n / -n,
// or * for the same), a line number, then the cost (Ir). The line after a `calls=` line is the
// inclusive cost of that call, not the caller's own: skipped.
export function instructionCosts(outPath) {
  const costs = new Map();
  let address = 0;
  let afterCalls = false;
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
    costs.set(address, (costs.get(address) ?? 0) + Number(parts[2]));
  }
  return costs;
}

// A wasm function's name as V8 gives it (its code map: "JS:<name>-<index>-turbofan"), libc++'s long
// names shortened.
export const shortName = (name) => name.replace(/^JS:/, '').replace(/-\d+-turbofan$/, '')
  .replaceAll('std::__2::basic_string_view<char, std::__2::char_traits<char> >', 'string_view')
  .replaceAll('std::__2::', '');

// The wasm side of scripts/instructions: one report of one file through the Node driver, its text to
// stdout. Run under callgrind with V8's optimising compiler only (node --no-liftoff
// --no-wasm-lazy-compilation): every wasm function is compiled once, before it first runs, so the
// instructions of V8's generated code are the same from one run to the next.
//   node instructions_driver.mjs MODULE FILE CONFIG_JSON
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';

const [modulePath, file, configText] = process.argv.slice(2);
await loadEngine(modulePath);
// With a line break after it, as the CLI writes it, so the two outputs compare byte for byte.
process.stdout.write(`${await reportFromFiles([file], JSON.parse(configText))}\n`);

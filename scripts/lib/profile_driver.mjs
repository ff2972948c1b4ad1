// The Node side of scripts/profile: warms the module up as scripts/bench does (WARM_PASSES reports of the
// warm file, then WARM_IDLE_MS idle), then computes the report of FILE RUNS times under V8's sampling
// profiler (the inspector's Profiler, a sample every 100 µs) and prints the TOP functions by their own
// time, a run's share of it in milliseconds and of all the samples in per cent.
//   node profile_driver.mjs MODULE FILE WARM_FILE CONFIG_JSON RUNS TOP
import { statSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';
import { WARM_IDLE_MS, WARM_PASSES } from './bench_engines.mjs';

const [modulePath, file, warmFile, configText, runsText, topText] = process.argv.slice(2);
const config = JSON.parse(configText);
const runs = Number(runsText);
await loadEngine(modulePath);
for (let i = 0; i < WARM_PASSES; i += 1) await reportFromFiles([warmFile], config);
await new Promise((resolve) => { setTimeout(resolve, WARM_IDLE_MS); });

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const start = performance.now();
for (let i = 0; i < runs; i += 1) await reportFromFiles([file], config);
const seconds = (performance.now() - start) / 1000 / runs;
const { profile } = await session.post('Profiler.stop');
session.disconnect();

// Each sample's time (the delta to the next) on the function it landed in, by name: a name the build
// kept (--profiling-funcs: the C++ signature), a JS function's, or V8's own entries ("(program)",
// "(garbage collector)", "(idle)").
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const byName = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i + 1] ?? 0;
  const frame = nodes.get(id).callFrame;
  const name = frame.functionName || `(anonymous, ${frame.url.split('/').pop() || 'V8'})`;
  byName.set(name, (byName.get(name) ?? 0) + delta);
  total += delta;
});
const mb = statSync(file).size / 1e6;
console.log(`${runs} run(s) of ${configText} on ${file} (${mb.toFixed(1)} MB): ${seconds.toFixed(3)} s a run ` +
  `(${(mb / seconds).toFixed(1)} MB/s), sampled every 100 µs (${profile.samples.length} samples)`);
console.log(' ms a run   share  function (its own time)');
for (const [name, micros] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, Number(topText))) {
  const ms = micros / 1000 / runs;
  console.log(`${ms.toFixed(1).padStart(9)} ${(100 * micros / total).toFixed(1).padStart(6)} %  ${name.slice(0, 160)}`);
}

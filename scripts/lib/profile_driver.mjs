// The Node side of scripts/profile: warms the module up as scripts/bench does (its warm file, written to
// WARM_FILE from FILE, WARM_PASSES times, then WARM_IDLE_MS idle), then computes the report of FILE RUNS
// times under V8's sampling profiler (the inspector's Profiler, a sample every 100 µs) and prints the TOP
// functions by their own time: milliseconds a run, and per cent of the sampled time.
//   node profile_driver.mjs MODULE FILE WARM_FILE CONFIG_JSON RUNS TOP
import { statSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadEngine, reportFromFiles } from '../../wasm/bindings/node_engine.mjs';
import { warmUp, writeWarmFile } from './bench_engines.mjs';

const [modulePath, file, warmFile, configText, runsText, topText] = process.argv.slice(2);
const config = JSON.parse(configText);
const runs = Number(runsText);
await loadEngine(modulePath);
writeWarmFile(file, warmFile);
await warmUp({ warmFile }, () => reportFromFiles([warmFile], config));

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

// Each sample's time (until the next, or the profile's end) on the function it landed in, by name: a
// name the build kept (--profiling-funcs: the C++ signature), a JS function's, or V8's own entries
// ("(program)", "(garbage collector)", "(idle)").
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const byName = new Map();
let total = 0;
const lastAt = profile.timeDeltas.reduce((at, delta) => at + delta, profile.startTime);
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i + 1] ?? profile.endTime - lastAt;
  const frame = nodes.get(id).callFrame;
  const name = frame.functionName || `(anonymous, ${frame.url.split('/').pop() || 'V8'})`;
  byName.set(name, (byName.get(name) ?? 0) + delta);
  total += delta;
});
const mb = statSync(file).size / 1e6;
console.log(`${runs} run(s) of ${configText} on ${file} (${mb.toFixed(1)} MB): ${seconds.toFixed(3)} s a run ` +
  `(${(mb / seconds).toFixed(1)} MB/s), sampled every 100 µs (${profile.samples.length} samples)`);
console.log(' ms a run   share  function (its own time; share of the sampled time)');
for (const [name, micros] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, Number(topText))) {
  const ms = micros / 1000 / runs;
  console.log(`${ms.toFixed(1).padStart(9)} ${(100 * micros / total).toFixed(1).padStart(6)} %  ${name.slice(0, 160)}`);
}

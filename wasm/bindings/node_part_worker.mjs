// node_part_worker: one worker thread of reportFromFilesParallel (node_engine.mjs): reads one part of a
// file (parallel_read's runTask) at `task.input` (a path) and answers with the result (the part's state
// bytes transferred, not copied). Its module is the one the main thread compiled (workerData.compiled).
import { parentPort, workerData } from 'node:worker_threads';
import { fileSource, loadEngine } from './node_engine.mjs';
import { runTask } from './parallel_read.mjs';

const engine = await loadEngine(workerData.modulePath, workerData.compiled);
parentPort.postMessage({ ready: true });

parentPort.on('message', async ({ id, task }) => {
  const source = fileSource(task.input);
  try {
    const result = await runTask(engine, source, task);
    parentPort.postMessage({ id, result }, result.state ? [result.state.buffer] : []);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.stack ?? error) });
  } finally {
    source.close();
  }
});

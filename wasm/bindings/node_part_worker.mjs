// node_part_worker: one worker thread of reportFromFilesParallel (node_engine.mjs): runs parallel_read's
// tasks — the pre-pass count over a byte range, or one part of a file — on the file at `task.input` (a
// path) and answers with the result (a part's state bytes transferred, not copied).
import { parentPort, workerData } from 'node:worker_threads';
import { fileSource, loadEngine } from './node_engine.mjs';
import { runTask } from './parallel_read.mjs';

const engine = await loadEngine(workerData.modulePath);
const scratch = new engine.Dataset('{}'); // the pre-pass needs only a chunk buffer
parentPort.postMessage({ ready: true });

parentPort.on('message', ({ id, task }) => {
  const source = fileSource(task.input);
  try {
    const result = runTask(engine, scratch, source, task);
    parentPort.postMessage({ id, result }, result.state ? [result.state.buffer] : []);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.stack ?? error) });
  } finally {
    source.close();
  }
});

// node_part_worker: one worker thread of reportFromFilesParallel (node_engine.mjs): reads one part of a
// file (parallel_read's runTask) at `task.input` (a path) and answers with the result (the part's state
// bytes transferred, not copied); while it reads, answers the main thread's request to end the part earlier
// (`shorten`: parallel_read's step 2c). Its module is the one the main thread compiled (workerData.compiled).
import { parentPort, workerData } from 'node:worker_threads';
import { fileSource, loadEngine } from './node_engine.mjs';
import { helperControl, runTask } from './parallel_read.mjs';

const engine = await loadEngine(workerData.modulePath, workerData.compiled);
parentPort.postMessage({ ready: true });

const control = helperControl(); // (one task at a time)

parentPort.on('message', async ({ id, task, shorten }) => {
  if (shorten) {
    try {
      parentPort.postMessage({ id, result: control.answer(shorten) });
    } catch (error) {
      parentPort.postMessage({ id, error: String(error?.stack ?? error) });
    }
    return;
  }
  control.tasks += 1;
  let source = null;
  try {
    source = fileSource(task.input);
    const result = await runTask(engine, source, task, undefined, control);
    parentPort.postMessage({ id, result }, result.state ? [result.state.buffer] : []);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.stack ?? error) });
  } finally {
    control.tasks -= 1;
    source?.close();
  }
});

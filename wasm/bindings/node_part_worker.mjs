// node_part_worker: one worker thread of reportFromFilesParallel (node_engine.mjs): reads one part of a
// file (parallel_read's runTask) at `task.input` (a path) and answers with the result (the part's state
// bytes transferred, not copied); while it reads, answers the main thread's request to end the part earlier
// (`shorten`: parallel_read's step 2c). Its module is the one the main thread compiled (workerData.compiled).
// A task may come with a spare (an ArrayBuffer an earlier state of this reader was in): the task's state is
// written into it when it is large enough (api.cpp, kpilens_state_piece), else it is sent back.
import { parentPort, workerData } from 'node:worker_threads';
import { fileSource, loadEngine, whileRunning } from './node_engine.mjs';
import { helperControl, runTask } from './parallel_read.mjs';

const engine = await loadEngine(workerData.modulePath, workerData.compiled);
parentPort.postMessage({ ready: true });

const control = helperControl(); // (one task at a time)

parentPort.on('message', async ({ id, task, spare, shorten }) => {
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
  // The spare goes back unused with the answer when the state was not written into it (none, or a new
  // buffer: it was too small) or the task failed.
  const unused = (state) => (spare && state?.buffer !== spare ? { spare } : {});
  const transfer = (answer) => [answer.result?.state?.buffer, answer.spare].filter(Boolean);
  try {
    source = fileSource(task.input);
    engine.partSpare = spare ?? null; // (the state is written into it when it is large enough)
    const result = await whileRunning(() => runTask(engine, source, task, undefined, control));
    const answer = { id, result, ...unused(result.state) };
    parentPort.postMessage(answer, transfer(answer));
  } catch (error) {
    const answer = { id, error: String(error?.stack ?? error), ...unused(null) };
    parentPort.postMessage(answer, transfer(answer));
  } finally {
    engine.partSpare = null;
    control.tasks -= 1;
    source?.close();
  }
});

// The entry of a Thread's worker: adopt the program's heap and the thread id
// reserved for it, run the target once, and end. A target that throws is
// reported on stderr, as Python's `threading.excepthook` does.

import { workerData } from "node:worker_threads";
import { adoptHeap, adoptIdent } from "../primitives/_internals.ts";
// All of them, so that any primitive among the arguments can be revived.
import { Event, SimpleQueue } from "../primitives/mod.ts";
import { setCurrentTask } from "./_current_task.ts";
import { beginLife, end } from "./_life.ts";
import { useWorkerGlobals } from "./_worker_globals.ts";
import { INFO_READY, INFO_TASK, type ThreadData } from "./_transport.ts";
import { fromMessage } from "./_message.ts";
import { compileFunction, SCOPE_HINT } from "./_function_source.ts";

const data = workerData as ThreadData;
useWorkerGlobals();
adoptHeap(data.heap);
adoptIdent(data.ident);
const finished = Event.from(data.finished);
// A target that ends its own thread has finished too, for join and
// joinSync (which cannot see the exit event from a blocked thread).
beginLife(data.info, () => finished.set());
setCurrentTask({ view: data.info, index: INFO_TASK });
Atomics.store(data.info, INFO_READY, 1);

try {
  const args = "queue" in data.args
    ? SimpleQueue.from<unknown[]>(data.args.queue).getNowait()
    : fromMessage(data.args.message) as unknown[];
  const fn = data.module === undefined
    ? compileFunction(data.source)
    : (await import(data.module))[data.source];
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot run thread: ${
        JSON.stringify(data.module)
      } has no function export named ${JSON.stringify(data.source)}`,
    );
  }
  await fn(...args);
} catch (error) {
  if (error instanceof ReferenceError && data.module === undefined) {
    error.message += SCOPE_HINT;
  }
  console.error(`Exception in thread ${data.name}:`, error);
}
// The target has returned: the thread ends, as a Python thread does, even
// if it left timers or other work behind.
end(0);

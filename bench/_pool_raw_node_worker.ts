// The raw node:worker_threads Worker of the pool benchmark: the same loop
// as _pool_raw_web_worker.ts over the `parentPort` of the transport that
// ThreadPool's own workers use.

import { parentPort } from "node:worker_threads";
import { tasks } from "./_pool_tasks.ts";

const port = parentPort!;
port.on("message", ([id, name, arg]: [number, string, number]) => {
  port.postMessage([id, tasks[name]!(arg)]);
});

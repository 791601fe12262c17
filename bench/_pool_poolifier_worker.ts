// poolifier-web-worker's side of the pool benchmark: a Web Worker that
// runs the bench's tasks by name (`pool.execute(arg, name)`).

import { ThreadWorker } from "npm:poolifier-web-worker@0.5.15";
import { noop, work } from "./_pool_tasks.ts";

// poolifier types a task's argument as optional.
export default new ThreadWorker<number, number>({
  noop: (x = 0) => noop(x),
  work: (iterations = 0) => work(iterations),
});

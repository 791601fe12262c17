// The tutorial's programs `multi-process/multi-process.py` and
// `multi-process/concurrent.py`, as Deno programs that pools/process_test.ts
// runs (`deno run --allow-read --allow-run tutorial.ts NAME`) and whose
// output it checks. Sleeps are shortened; proportions kept.

import { currentThread, Process, ThreadPool } from "../mod.ts";
import type * as Tasks from "./tutorial_tasks.ts";

const tasks = new URL("./tutorial_tasks.ts", import.meta.url);

switch (Deno.args[0]) {
  case "multi-process": {
    // t1 (start) -> t1 (end) -> t2 (start) -> t2 (end): each is joined
    // before the next starts.
    const i = 10;
    const t1 = new Process<[number, number]>({
      module: tasks,
      target: "workerThread1",
      args: [i, 100],
    });
    t1.daemon = true;
    const t2 = new Process<[number]>({
      module: tasks,
      target: "workerThread2",
      name: "unknown_process",
      args: [i],
    });
    for (const t of [t1, t2]) {
      t.start();
      await t.join();
    }
    break;
  }
  case "concurrent": {
    await using pool = new ThreadPool<typeof Tasks>(tasks, { maxWorkers: 10 });
    for (let n = 0; n < 3; n++) {
      const result = await pool.submit("workerThreadFn", 2, 5);
      console.error(`${currentThread().name} >> ${result}`);
    }
    break;
  }
  default:
    throw new Error(`no program ${Deno.args[0]}`);
}

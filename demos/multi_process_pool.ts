/**
 * Python's `multi-process/multi-process-pool.py`: a pool of 5 processes
 * given 10 rounds of two blocking `apply` calls. Each `apply` waits for
 * its task's result before the next is given, so the tasks run one after
 * another (Python's `apply_async`, commented out in the tutorial, would
 * overlap them: here that is `submit`).
 *
 * On Deno the pool's processes are `deno run` children that start on
 * demand (about 100 ms each), named `ProcessPool-N_M` rather than
 * `ForkPoolWorker-M`; the sleep is 3 s in Python, 30 ms here. Python's
 * `logging.debug(process1, process2)` fails to format its message; here
 * both results are printed.
 *
 * Run it with `deno run --allow-read --allow-run demos/multi_process_pool.ts`.
 *
 * @module
 */
import { ProcessPool } from "../mod.ts";
import type * as Tasks from "./_process_tasks.ts";
import { debug, since } from "./_py_repr.ts";

const tasks = new URL("./_process_tasks.ts", import.meta.url);

/** The settings of this demo; the tests may make them small. */
export interface MultiProcessPoolOptions {
  /** How many rounds of two applies (default 10, as Python's). */
  rounds?: number;
  /** What each task sleeps, in ms (Python: 3 s; default 30). */
  sleepMs?: number;
}

/**
 * Runs the rounds on a pool of 5 processes, logging as it goes.
 *
 * @returns The results of every round.
 */
export async function multiProcessPool(
  options: MultiProcessPoolOptions = {},
): Promise<[number, number][]> {
  const { rounds = 10, sleepMs = 30 } = options;
  const start = performance.now();
  const results: [number, number][] = [];
  {
    await using p = new ProcessPool<typeof Tasks>(tasks, { maxWorkers: 5 });
    for (let round = 0; round < rounds; round++) {
      const process1 = await p.apply("workerThread1", [100, sleepMs]);
      const process2 = await p.apply("workerThread1", [100, sleepMs]);
      debug("executed apply...");
      debug(`${process1} ${process2}`);
      results.push([process1, process2]);
    }
  }
  debug(
    `${2 * rounds} blocking applies of ${sleepMs} ms each took ${
      since(start)
    }: one at a time, not 5 at once`,
  );
  return results;
}

if (import.meta.main) await multiProcessPool();

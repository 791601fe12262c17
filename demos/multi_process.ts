/**
 * Python's `multi-process/multi-process.py`: two `multiprocessing.Process`
 * children, the first a daemon that sleeps, the second named
 * `unknown_process`, each started and joined before the next starts. Each
 * logs with its process name; the parent prints their pids and exit codes
 * as Python's `repr` of a Process does.
 *
 * On Deno each child is a new `deno run` process (a start costs about
 * 100 ms) that imports `_process_tasks.ts` and calls its target; the sleep
 * is 10 s in Python, 500 ms here.
 *
 * Run it with `deno run --allow-read --allow-run demos/multi_process.ts`.
 *
 * @module
 */
import { Process } from "../mod.ts";
import { debug, processRepr, since } from "./_py_repr.ts";

const tasks = new URL("./_process_tasks.ts", import.meta.url);

/** The settings of this demo; the tests may make them small. */
export interface MultiProcessOptions {
  /** What the daemon sleeps, in ms (Python: 10 s; default 500). */
  sleepMs?: number;
}

/**
 * Starts and joins the two processes in turn, logging as it goes.
 *
 * @returns The two processes, ended.
 */
export async function multiProcess(
  options: MultiProcessOptions = {},
): Promise<Process[]> {
  const { sleepMs = 500 } = options;
  const i = 10;
  const t1 = new Process<[number, number]>({
    module: tasks,
    target: "workerThread1",
    args: [i, sleepMs],
  });
  t1.daemon = true;
  const t2 = new Process<[number]>({
    module: tasks,
    target: "workerThread2",
    name: "unknown_process",
    args: [i],
  });
  debug(`${processRepr(t1)}, ${processRepr(t2)}`);
  for (const t of [t1, t2]) {
    const start = performance.now();
    t.start();
    debug(processRepr(t));
    await t.join(); // wait until exit
    debug(`${processRepr(t)}, joined after ${since(start)}`);
  }
  return [t1, t2];
}

if (import.meta.main) await multiProcess();

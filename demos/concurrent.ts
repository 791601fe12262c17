/**
 * Python's `multi-process/concurrent.py`: `concurrent.futures`, an
 * executor of 10 workers given `worker_thread_fn(2, 5)` three times with
 * `submit`, each call returning a Future at once. Then the two ways to
 * collect futures: `as_completed` (each as it finishes) and `wait` (the
 * finished and unfinished sets).
 *
 * The tutorial's executor is a `ThreadPoolExecutor` and its file sits with
 * the process examples; here the tasks run in a `ProcessPool` (a
 * `ThreadPool` takes the same calls: with no GIL, both speed up CPU work).
 * A process start costs about 100 ms. Python logs `thread.result`, the
 * bound method, which shows the future's state; here the Future itself.
 *
 * Run it with `deno run --allow-read --allow-run demos/concurrent.ts`.
 *
 * @module
 */
import { asCompleted, ProcessPool, wait } from "../mod.ts";
import type * as Tasks from "./_process_tasks.ts";
import { debug, since } from "./_py_repr.ts";

const tasks = new URL("./_process_tasks.ts", import.meta.url);

/** What the demo collected. */
export interface ConcurrentResult {
  /** The three results of `worker_thread_fn(2, 5)`, as they completed. */
  asCompleted: number[];
  /** The results of the futures that `wait` found done, in their order. */
  waited: number[];
}

/**
 * Submits the tasks to a pool of 10 processes and collects their results.
 *
 * @returns The results that `asCompleted` and `wait` gave.
 */
export async function concurrent(): Promise<ConcurrentResult> {
  const start = performance.now();
  await using pool = new ProcessPool<typeof Tasks>(tasks, { maxWorkers: 10 });
  const futures = [0, 1, 2].map(() => pool.submit("multiply", 2, 5));
  for (const future of futures) debug(Deno.inspect(future));

  const completed: number[] = [];
  // TypeScript types `future` as its result (asCompleted says why): await
  // gives the result either way.
  for await (const future of asCompleted(futures)) {
    const result = await future;
    debug(`as completed: ${result}, after ${since(start)}`);
    completed.push(result);
  }

  const more = [pool.submit("multiply", 3, 4), pool.submit("multiply", 6, 7)];
  const { done, notDone } = await wait(more);
  const waited = await Promise.all([...done].map((future) => future.result()));
  debug(
    `wait: ${done.size} done, ${notDone.size} not done: ${
      [...done].map((future) => Deno.inspect(future)).join(", ")
    }, after ${since(start)}`,
  );
  return { asCompleted: completed, waited };
}

if (import.meta.main) await concurrent();

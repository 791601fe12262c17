/**
 * Python's `async-sync/async-lock.py`: 100 tasks on one event loop,
 * alternately `worker_1` and `worker_2`, each printing that it started,
 * then taking an `asyncio.Lock`, sleeping while it holds it, and giving it
 * back. All start at once, then hold the lock one at a time, in the order
 * they asked for it: the lock serialises the part it guards, and only
 * that part.
 *
 * On Deno the lock is the asyncio-like `Lock` of `@parallel/parallel/async`
 * (plain promises, for the tasks of one event loop), and `async with lock:`
 * is `await using _ = await lock.hold()`. Python sleeps 3 s in the lock,
 * 100 × 3 s in all; here 10 ms, 1 s in all.
 *
 * Run it with `deno run demos/async_lock.ts`.
 *
 * @module
 */
import { Lock } from "../async/mod.ts";

/** The settings of this demo; the tests may make them small. */
export interface AsyncLockOptions {
  /** How many tasks (default 100, as Python's). */
  tasks?: number;
  /** What each sleeps holding the lock, in ms (Python: 3 s; default 10). */
  sleepMs?: number;
  /** Where each line goes (default `console.log`). */
  log?: (line: string) => void;
}

/**
 * Runs the tasks on one lock.
 *
 * @returns The lines printed, and the most tasks that held it at once.
 */
export async function asyncLock(
  options: AsyncLockOptions = {},
): Promise<{ lines: string[]; mostInside: number }> {
  const { tasks = 100, sleepMs = 10, log = console.log } = options;
  const lines: string[] = [];
  const print = (line: string) => {
    log(line);
    lines.push(line);
  };
  const lock = new Lock();
  let inside = 0;
  let mostInside = 0;

  // worker_1 and worker_2 differ only by their name.
  async function worker(name: string, num: number): Promise<void> {
    print(`${name} start >>  ${num}`);
    {
      await using _ = await lock.hold();
      print(`${name} acquired lock (task ${num})`);
      mostInside = Math.max(mostInside, ++inside);
      await new Promise((resolve) => setTimeout(resolve, sleepMs));
      inside--;
    }
    print(`${name} end (task ${num})`);
  }

  const start = performance.now();
  await Promise.all(
    Array.from(
      { length: tasks },
      (_, i) => worker(i % 2 === 0 ? "worker_1" : "worker_2", i),
    ),
  );
  print(
    `${tasks} tasks holding the lock ${sleepMs} ms each, one at a time, took ${
      Math.round(performance.now() - start)
    } ms`,
  );
  return { lines, mostInside };
}

if (import.meta.main) await asyncLock();

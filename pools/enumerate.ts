import type { Thread } from "./thread.ts";
import { liveThreads } from "./_live_threads.ts";

/**
 * The program's main thread as {@linkcode mainThread} and
 * {@linkcode enumerateThreads} describe it: Python's `_MainThread`. It is
 * always alive and never a daemon, and it cannot be joined.
 */
export interface MainThread {
  /** Always `"MainThread"`, what logging's `%(threadName)s` prints. */
  readonly name: "MainThread";
  /** Always `false`: the main thread keeps the program alive. */
  readonly daemon: false;
  /** Always `true`: while code runs, the main thread is alive. */
  readonly isAlive: true;
}

const MAIN: MainThread = Object.freeze({
  name: "MainThread",
  daemon: false,
  isAlive: true,
  toString: () => "MainThread",
});

/**
 * The program's main thread: Python's `threading.main_thread()`. Always the
 * same object; on the main thread, {@linkcode currentThread} returns it too,
 * so `thread === currentThread()` tells the main thread apart in a list of
 * {@linkcode enumerateThreads}, as Python's `thread is current_thread()`
 * does.
 *
 * @returns The main thread.
 *
 * @example The main thread is the current one here
 * ```ts
 * import { currentThread, mainThread } from "@parallel/parallel/pools";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(mainThread().name, "MainThread");
 * strictEqual(mainThread(), currentThread());
 * ```
 */
export function mainThread(): MainThread {
  return MAIN;
}

/**
 * The live threads: Python's `threading.enumerate()`. The main thread comes
 * first, then each {@linkcode Thread} (a `Timer` too) that has started and
 * whose target has not finished, in the order they started.
 *
 * A `Thread` object lives in the thread that made it, so the list holds the
 * Threads started by the calling thread: on the main thread, those of the
 * program's main thread; in a Worker, those that Worker started (and the
 * main thread). The workers of a `ThreadPool` are not listed, as Python's
 * `enumerate()` does not list a pool's threads by name either.
 *
 * @returns The main thread and the live Threads.
 *
 * @example A started thread is listed until it has finished
 * ```ts
 * import { enumerateThreads, mainThread, Thread } from "@parallel/parallel/pools";
 * import { Event } from "@parallel/parallel";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const go = new Event();
 * const thread = new Thread({ target: (e: Event) => e.waitSync(), args: [go] });
 * thread.start();
 * deepStrictEqual(enumerateThreads(), [mainThread(), thread]);
 * go.set();
 * await thread.join();
 * deepStrictEqual(enumerateThreads(), [mainThread()]);
 * ```
 */
export function enumerateThreads(): (MainThread | Thread)[] {
  return [MAIN, ...liveThreads()];
}

/**
 * How many threads {@linkcode enumerateThreads} lists, the main thread
 * included: Python's `threading.active_count()`.
 *
 * @returns The number of live threads, at least 1.
 *
 * @example Only the main thread
 * ```ts
 * import { activeThreadCount } from "@parallel/parallel/pools";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(activeThreadCount(), 1);
 * ```
 */
export function activeThreadCount(): number {
  return 1 + liveThreads().length;
}

import { checkResourceLimits, type ResourceLimits } from "./_transport.ts";
import { ThreadLanes } from "./_thread_lane.ts";
import { prepareMessage } from "./_message.ts";
import { Executor, type PoolOptions } from "./executor.ts";

export type { ResourceLimits };

/** Options of a {@linkcode ThreadPool}. */
export interface ThreadPoolOptions extends PoolOptions {
  /**
   * Limits of each worker's JavaScript engine (sizes in MiB, with the names
   * of `node:worker_threads`). A task that makes its worker run out of
   * memory fails with a `WorkerCrashedError`, its worker is replaced, and
   * the program goes on. Default `{}`: the engine's own limits (or the
   * program's `--max-old-space-size`), still ending only the worker.
   */
  resourceLimits?: ResourceLimits;
}

/**
 * A pool of worker threads that runs tasks in parallel, like Python's
 * `concurrent.futures.ThreadPoolExecutor` and `multiprocessing.Pool`, but
 * truly parallel: JavaScript has no GIL, so this is the module's answer for
 * CPU-bound work.
 *
 * A task is an export of the pool's module, typed end to end
 * (`new ThreadPool<typeof import("./tasks.ts")>(url)`, then
 * `pool.submit("fib", 30)`), or a self-contained function sent as source
 * (it cannot use variables of the enclosing scope). Arguments and results
 * travel through shared memory as the module's queues carry them: JSON-like
 * values, anything structured clone carries, and the primitives of this
 * module, which arrive as the same working objects.
 *
 * Every task settles: with its result; with its error (name, message and
 * stack as thrown); with a `WorkerCrashedError` if its worker dies under it
 * (the worker is replaced, the other tasks go on); with a `TimeoutError` or
 * the abort reason; or cancelled. A timeout or abort of a running task
 * rejects its future at once and retires its worker, but cannot stop the
 * task's code, which runs on until it returns (see {@linkcode taskSignal}):
 * the worker takes no other task, and leaves as soon as the code returns,
 * awaits, or blocks in a wait of this module. Locks that a worker held when
 * it ended are marked abandoned.
 *
 * Workers are `node:worker_threads` Workers, started on demand up to
 * `maxWorkers`. An idle pool does not keep the program alive, and tasks in
 * flight do; shut it down (`await using`, or {@linkcode ThreadPool.shutdown})
 * to end its workers. Times are in milliseconds.
 *
 * @typeParam M The type of the task module (`typeof import("./tasks.ts")`).
 *
 * @example Run a function on two workers
 * ```ts
 * import { ThreadPool } from "@parallel/parallel/pools";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * await using pool = new ThreadPool({ maxWorkers: 2 });
 * strictEqual(await pool.submit((a: number, b: number) => a * b, 6, 7), 42);
 * deepStrictEqual(await pool.map((n: number) => n * n, [1, 2, 3]), [1, 4, 9]);
 * ```
 */
export class ThreadPool<M = Record<string, never>> extends Executor<M> {
  /**
   * Creates a pool for self-contained functions.
   *
   * @param options The pool's settings.
   */
  constructor(options?: ThreadPoolOptions);
  /**
   * Creates a pool whose tasks are the exports of a module.
   *
   * @param module The module's URL (`new URL("./tasks.ts", import.meta.url)`).
   * @param options The pool's settings.
   */
  constructor(module: URL | string, options?: ThreadPoolOptions);
  /**
   * Creates a pool.
   *
   * @param moduleOrOptions The task module's URL, or the options.
   * @param maybeOptions The options, after a module.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If an option is out of range.
   *
   * @example A pool of tasks from a module
   * ```ts ignore
   * import { ThreadPool } from "@parallel/parallel/pools";
   *
   * await using pool = new ThreadPool<typeof import("./tasks.ts")>(
   *   new URL("./tasks.ts", import.meta.url),
   *   { maxWorkers: 4 },
   * );
   * const n: number = await pool.submit("fib", 30);
   * ```
   */
  constructor(
    moduleOrOptions?: URL | string | ThreadPoolOptions,
    maybeOptions?: ThreadPoolOptions,
  ) {
    super(
      "ThreadPool",
      moduleOrOptions,
      maybeOptions,
      ({ module, initializer }, options: ThreadPoolOptions | undefined) => {
        const where = "Cannot create ThreadPool";
        return new ThreadLanes({
          module,
          initializer: initializer && {
            target: initializer.target,
            args: prepareMessage(where, initializer.args, []).args as unknown[],
          },
          resourceLimits: checkResourceLimits(where, options?.resourceLimits),
        });
      },
    );
  }
}

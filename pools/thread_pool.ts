import { encode, heap } from "../primitives/_internals.ts";
import {
  checkDuration,
  checkInteger,
  checkIterable,
  checkObject,
  quote,
} from "../internal/options.ts";
import { QueueFull } from "../primitives/errors.ts";
import {
  Engine,
  type EngineOptions,
  type Message,
  type TaskSettings,
} from "./_engine.ts";
import { BrokenPoolError, InvalidStateError } from "./errors.ts";
import { checkResourceLimits, type ResourceLimits } from "./_transport.ts";
import { functionSource } from "./_function_source.ts";

export type { ResourceLimits };
import type { Future } from "./future.ts";
import { CALL, CHUNK, prepareMessage, type Request } from "./_wire.ts";

/** Any function: a task sent as source. */
// deno-lint-ignore no-explicit-any
export type AnyFunction = (...args: any[]) => unknown;

/** The names of a module's exports that are functions: its tasks. */
export type TaskName<M> =
  & {
    [K in keyof M]: M[K] extends AnyFunction ? K : never;
  }[keyof M]
  & string;

/** The function type of the task `K` of module `M`. */
export type TaskOf<M, K extends keyof M> = M[K] extends AnyFunction ? M[K]
  : never;

/** A task: the name of an export of the pool's module, or a function. */
export type Target<M> = TaskName<M> | AnyFunction;

/** The argument types of a task (a function, or an export's name). */
export type ArgsOf<M, T> = T extends AnyFunction ? Parameters<T>
  : T extends keyof M ? Parameters<TaskOf<M, T>>
  : never;

/** The result type of a task, awaited. */
export type ResultOf<M, T> = T extends AnyFunction ? Awaited<ReturnType<T>>
  : T extends keyof M ? Awaited<ReturnType<TaskOf<M, T>>>
  : never;

/** Options of a {@linkcode ThreadPool}. */
export interface ThreadPoolOptions {
  /** The most workers at once; default `navigator.hardwareConcurrency`. */
  maxWorkers?: number;
  /** Workers started at once and kept when idle; default 0. */
  minWorkers?: number;
  /**
   * How long (ms) a worker beyond `minWorkers` may stay idle before it
   * ends; default `Infinity` (until shutdown).
   */
  idleTimeout?: number;
  /**
   * Runs once in each worker before its first task (an export's name or a
   * self-contained function), with `initargs`. If it throws, the pool is
   * broken: every task rejects with a BrokenPoolError.
   */
  initializer?: string | AnyFunction;
  /** The arguments of `initializer`. */
  initargs?: unknown[];
  /** A worker is replaced after this many tasks; default `Infinity`. */
  maxTasksPerWorker?: number;
  /**
   * The most tasks that may wait for a worker; one more is a `QueueFull`
   * error at submit. Default `Infinity`.
   */
  maxQueue?: number;
  /**
   * The default time limit of a task (ms), counted from its start. A task
   * that runs longer rejects at once with a `TimeoutError`, and its worker
   * is retired and replaced; the task's code runs on until it returns (no
   * thread can be stopped while it computes) unless it looks at
   * `taskSignal()`. Default `Infinity`.
   */
  taskTimeout?: number;
  /**
   * Limits of each worker's JavaScript engine (sizes in MiB, with the names
   * of `node:worker_threads`). A task that makes its worker run out of
   * memory fails with a `WorkerCrashedError`, its worker is replaced, and
   * the program goes on. Default `{}`: the engine's own limits (or the
   * program's `--max-old-space-size`), still ending only the worker.
   */
  resourceLimits?: ResourceLimits;
}

/** Options of one task ({@linkcode ThreadPool.apply}). */
export interface TaskOptions {
  /**
   * Aborts the task: the future rejects with `signal.reason`. A waiting
   * task is dropped; a running one's worker is retired and replaced, and
   * its code runs on until it returns, unless it looks at `taskSignal()`.
   */
  signal?: AbortSignal;
  /** This task's time limit (ms), instead of the pool's `taskTimeout`. */
  timeout?: number;
  /**
   * ArrayBuffers to hand over without a copy, as with `postMessage`: they
   * are detached here, and the task's arguments go by message.
   */
  transfer?: ArrayBuffer[];
}

/** Options of {@linkcode ThreadPool.map} and its relatives. */
export interface MapOptions extends TaskOptions {
  /**
   * How many items each task takes. `map` and `starmap` default to
   * Python's `Pool.map` rule (about four tasks per worker); `imap` and
   * `imapUnordered` to 1.
   */
  chunksize?: number;
}

/** Options of {@linkcode ThreadPool.shutdown}. */
export interface ShutdownOptions {
  /** Resolve only when every task has settled and every worker ended (default `true`). */
  wait?: boolean;
  /** Cancel every task that has not started (default `false`). */
  cancelFutures?: boolean;
}

function positiveOrInfinity(where: string, name: string, value: unknown) {
  if (value === Infinity) return Infinity;
  return checkInteger(where, name, value, 1);
}

/**
 * Whether an argument is a number, a string or a boolean: shared memory
 * carries it as it is, with no need to try encoding it first.
 */
function travelsAsIs(value: unknown): boolean {
  const type = typeof value;
  return type === "number" || type === "string" || type === "boolean";
}

const NONE: ArrayBuffer[] = [];

/**
 * Takes a chunk's result out of its array, so that `imap` keeps nothing it
 * has handed out (Python's test_free_reference). Yielded straight from the
 * generator: `yield*` over a helper generator, or a local variable, would
 * keep the last one alive.
 */
function takeAt(results: unknown[], i: number): unknown {
  const result = results[i];
  results[i] = undefined;
  return result;
}

/** Python's `Pool.map` chunk size: about four tasks per worker. */
function defaultChunksize(items: number, workers: number): number {
  return Math.max(1, Math.ceil(items / (workers * 4)));
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
export class ThreadPool<M = Record<string, never>> implements AsyncDisposable {
  readonly #engine: Engine;
  readonly #maxWorkers: number;
  readonly #taskTimeout: number;
  /** The settings of a task submitted without options. */
  readonly #defaults: TaskSettings;
  #shutdown = false;
  #closing: Promise<void> | undefined;

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
    const where = "Cannot create ThreadPool";
    let module: string | undefined;
    let options: ThreadPoolOptions | undefined;
    if (moduleOrOptions instanceof URL || typeof moduleOrOptions === "string") {
      try {
        module = new URL(moduleOrOptions).href;
      } catch {
        throw new TypeError(
          `${where}: 'module' must be an absolute URL, received ${
            quote(String(moduleOrOptions))
          }`,
        );
      }
      options = maybeOptions;
    } else {
      options = moduleOrOptions;
    }
    checkObject(where, "options", options);
    const maxWorkers = checkInteger(
      where,
      "maxWorkers",
      options?.maxWorkers ?? navigator.hardwareConcurrency,
      1,
      1024,
    );
    const minWorkers = checkInteger(
      where,
      "minWorkers",
      options?.minWorkers ?? 0,
      0,
      maxWorkers,
    );
    const initializer = options?.initializer;
    const initargs = options?.initargs ?? [];
    if (!Array.isArray(initargs)) {
      throw new TypeError(
        `${where}: 'initargs' must be an array, received ${quote(initargs)}`,
      );
    }
    this.#maxWorkers = maxWorkers;
    this.#taskTimeout = checkDuration(
      where,
      "taskTimeout",
      options?.taskTimeout ?? Infinity,
    );
    this.#defaults = { timeout: this.#taskTimeout, signal: undefined };
    const settings: EngineOptions = {
      module,
      maxWorkers,
      minWorkers,
      idleTimeout: checkDuration(
        where,
        "idleTimeout",
        options?.idleTimeout ?? Infinity,
      ),
      maxTasksPerWorker: positiveOrInfinity(
        where,
        "maxTasksPerWorker",
        options?.maxTasksPerWorker ?? Infinity,
      ),
      maxQueue:
        options?.maxQueue === Infinity || options?.maxQueue === undefined
          ? Infinity
          : checkInteger(where, "maxQueue", options.maxQueue, 0),
      resourceLimits: checkResourceLimits(where, options?.resourceLimits),
      initializer: initializer === undefined ? undefined : {
        target: this.#target(where, initializer, module),
        args: prepareMessage(where, initargs, []).args as unknown[],
      },
    };
    this.#engine = new Engine(settings);
  }

  /** The most workers this pool runs at once. */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  /** Whether {@linkcode ThreadPool.shutdown} was called. */
  get isShutDown(): boolean {
    return this.#shutdown;
  }

  #target(where: string, target: unknown, module: string | undefined): string {
    if (typeof target === "string") {
      if (module === undefined) {
        throw new TypeError(
          `${where}: the task ${
            quote(target)
          } names an export, but the pool has no module`,
        );
      }
      if (!/^[\w$]+$/.test(target)) {
        throw new TypeError(
          `${where}: ${quote(target)} is not the name of an export`,
        );
      }
      return target;
    }
    if (typeof target !== "function") {
      throw new TypeError(
        `${where}: the task must be a function or the name of an export, received ${
          quote(target)
        }`,
      );
    }
    return functionSource(where, target);
  }

  #settings(where: string, options: TaskOptions | undefined): TaskSettings {
    if (options === undefined) return this.#defaults;
    checkObject(where, "options", options);
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(
        `${where}: 'signal' must be an AbortSignal, received ${quote(signal)}`,
      );
    }
    const timeout = options?.timeout === undefined
      ? this.#taskTimeout
      : checkDuration(where, "timeout", options.timeout);
    return { timeout, signal };
  }

  #transferList(
    where: string,
    options: TaskOptions | undefined,
  ): ArrayBuffer[] {
    const transfer = options?.transfer ?? NONE;
    if (
      !Array.isArray(transfer) ||
      !transfer.every((each) => each instanceof ArrayBuffer)
    ) {
      throw new TypeError(
        `${where}: 'transfer' must be an array of ArrayBuffers, received ${
          quote(transfer)
        }`,
      );
    }
    return transfer;
  }

  #submit(
    kind: Request[2],
    target: unknown,
    args: unknown[],
    options: TaskOptions | undefined,
  ): Future<unknown> {
    const where = "Cannot submit task";
    if (this.#shutdown) {
      throw new InvalidStateError(`${where}: the pool is shut down`);
    }
    const broken = this.#engine.broken;
    if (broken !== undefined) {
      throw new BrokenPoolError(`${where}: ${broken.message}`, {
        cause: broken,
      });
    }
    const source = this.#target(where, target, this.#module);
    const settings = this.#settings(where, options);
    const transfer = this.#transferList(where, options);
    if (this.#engine.full) {
      throw new QueueFull(`${where}: the pool's queue is full`);
    }
    // What cannot be sent fails here, before anything is queued.
    const message = this.#route(where, kind, source, args, transfer);
    return this.#engine.submit(kind, source, args, settings, message).future;
  }

  /**
   * Arguments travel with the request, through shared memory, unless they
   * hold what only `postMessage` carries (a SharedArrayBuffer, a
   * SharedArray, a queue) or buffers to transfer: then they go by message.
   */
  #route(
    where: string,
    kind: Request[2],
    source: string,
    args: unknown[],
    transfer: ArrayBuffer[],
  ): Message | undefined {
    if (transfer.length === 0) {
      if (args.every(travelsAsIs)) return undefined;
      try {
        encode([0, 0, kind, source, args], heap(), where);
        return undefined;
      } catch {
        // Not through shared memory: try a message.
      }
    }
    return prepareMessage(where, args, transfer);
  }

  get #module(): string | undefined {
    return this.#engine.module;
  }

  /**
   * Runs a task with arguments: an export of the module by name, or a
   * self-contained function. Python's `executor.submit(fn, *args)`.
   *
   * @param target The export's name, or the function.
   * @param args Its arguments.
   * @returns The task's future (await it for the result).
   * @throws {TypeError} If the task or an argument cannot be sent; nothing
   * is queued.
   * @throws {InvalidStateError} After shutdown.
   * @throws {BrokenPoolError} If the pool's workers cannot start.
   * @throws {QueueFull} If `maxQueue` tasks wait already.
   *
   * @example Submit a function
   * ```ts
   * import { ThreadPool } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * await using pool = new ThreadPool({ maxWorkers: 1 });
   * const future = pool.submit((s: string) => s.toUpperCase(), "hi");
   * strictEqual(await future, "HI");
   * strictEqual(future.done, true);
   * ```
   */
  submit<T extends Target<M>>(
    target: T,
    ...args: ArgsOf<M, T>
  ): Future<ResultOf<M, T>> {
    return this.#submit(CALL, target, args, undefined) as Future<
      ResultOf<M, T>
    >;
  }

  /**
   * Runs a task with an argument list and options (a signal, a time limit,
   * buffers to transfer). Python's `pool.apply_async(func, args)`.
   *
   * @param target The export's name, or the function.
   * @param args Its arguments.
   * @param options The task's options.
   * @returns The task's future.
   * @throws {TypeError} If the task, an argument or an option is wrong.
   * @throws {InvalidStateError} After shutdown.
   *
   * @example Give a task a time limit
   * ```ts
   * import { ThreadPool } from "@parallel/parallel/pools";
   * import { rejects } from "node:assert/strict";
   *
   * await using pool = new ThreadPool({ maxWorkers: 1 });
   * const slow = (ms: number) => new Promise((r) => setTimeout(r, ms));
   * await rejects(pool.apply(slow, [10_000], { timeout: 50 }), {
   *   name: "TimeoutError",
   * });
   * ```
   */
  apply<T extends Target<M>>(
    target: T,
    args: ArgsOf<M, T>,
    options?: TaskOptions,
  ): Future<ResultOf<M, T>> {
    if (!Array.isArray(args)) {
      throw new TypeError(
        `Cannot submit task: 'args' must be an array, received ${quote(args)}`,
      );
    }
    return this.#submit(CALL, target, args, options) as Future<ResultOf<M, T>>;
  }

  #chunks(
    target: unknown,
    argLists: unknown[][],
    chunksize: number,
    options: MapOptions | undefined,
  ): Future<unknown[]>[] {
    const futures: Future<unknown[]>[] = [];
    try {
      for (let i = 0; i < argLists.length; i += chunksize) {
        futures.push(
          this.#submit(
            CHUNK,
            target,
            argLists.slice(i, i + chunksize),
            options,
          ) as Future<unknown[]>,
        );
      }
    } catch (error) {
      for (const future of futures) future.cancel();
      throw error;
    }
    return futures;
  }

  #chunksize(
    options: MapOptions | undefined,
    items: number,
    auto: boolean,
  ): number {
    checkObject("Cannot map", "options", options);
    const chunksize = options?.chunksize;
    if (chunksize === undefined) {
      return auto ? defaultChunksize(items, this.#maxWorkers) : 1;
    }
    return checkInteger("Cannot map", "chunksize", chunksize, 1);
  }

  async #all(futures: Future<unknown[]>[]): Promise<unknown[]> {
    try {
      return (await Promise.all(futures)).flat(1);
    } finally {
      for (const future of futures) future.cancel();
    }
  }

  /**
   * Calls the task once per item, in parallel, and returns the results in
   * order. Python's `pool.map(func, iterable, chunksize)`. The first error
   * rejects the whole call, and the tasks not yet started are cancelled.
   *
   * @param target The export's name, or a one-argument function.
   * @param items The arguments, one per call.
   * @param options `chunksize` (items per task) and the options of every task.
   * @returns The results, in the order of `items`.
   * @throws {TypeError} If the task or an item cannot be sent.
   *
   * @example Square numbers in parallel
   * ```ts
   * import { ThreadPool } from "@parallel/parallel/pools";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * await using pool = new ThreadPool({ maxWorkers: 2 });
   * const squares = await pool.map((n: number) => n * n, [1, 2, 3, 4], {
   *   chunksize: 2,
   * });
   * deepStrictEqual(squares, [1, 4, 9, 16]);
   * ```
   */
  async map<T extends Target<M>>(
    target: T,
    items: Iterable<ArgsOf<M, T>[0]>,
    options?: MapOptions,
  ): Promise<ResultOf<M, T>[]> {
    const argLists = Array.from(
      checkIterable("Cannot map", "items", items),
      (item) => [item],
    );
    const chunksize = this.#chunksize(options, argLists.length, true);
    return await this.#all(
      this.#chunks(target, argLists, chunksize, options),
    ) as ResultOf<M, T>[];
  }

  /**
   * Like {@linkcode ThreadPool.map}, but each item is an argument list.
   * Python's `pool.starmap(func, iterable)`.
   *
   * @param target The export's name, or the function.
   * @param argLists One argument list per call.
   * @param options `chunksize` and the options of every task.
   * @returns The results, in order.
   * @throws {TypeError} If the task or an argument cannot be sent.
   *
   * @example Add pairs
   * ```ts
   * import { ThreadPool } from "@parallel/parallel/pools";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * await using pool = new ThreadPool({ maxWorkers: 2 });
   * const add = (a: number, b: number) => a + b;
   * deepStrictEqual(await pool.starmap(add, [[1, 2], [3, 4]]), [3, 7]);
   * ```
   */
  async starmap<T extends Target<M>>(
    target: T,
    argLists: Iterable<ArgsOf<M, T>>,
    options?: MapOptions,
  ): Promise<ResultOf<M, T>[]> {
    const lists = Array.from(
      checkIterable("Cannot map", "argLists", argLists),
      (args) => {
        if (!Array.isArray(args)) {
          throw new TypeError(
            `Cannot map: each item of starmap must be an argument list, received ${
              quote(args)
            }`,
          );
        }
        return args;
      },
    );
    const chunksize = this.#chunksize(options, lists.length, true);
    return await this.#all(
      this.#chunks(target, lists, chunksize, options),
    ) as ResultOf<M, T>[];
  }

  /**
   * Like {@linkcode ThreadPool.map}, but yields each result, in order, as
   * soon as it and those before it are ready. Python's `pool.imap`. Leaving
   * the loop early cancels the tasks not yet started.
   *
   * @param target The export's name, or a one-argument function.
   * @param items The arguments, one per call.
   * @param options `chunksize` (default 1) and the options of every task.
   * @returns An async iterable of the results.
   * @throws {TypeError} If the task or an item cannot be sent.
   *
   * @example Results in order
   * ```ts
   * import { ThreadPool } from "@parallel/parallel/pools";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * await using pool = new ThreadPool({ maxWorkers: 2 });
   * const seen = [];
   * for await (const n of pool.imap((n: number) => n + 1, [1, 2, 3])) {
   *   seen.push(n);
   * }
   * deepStrictEqual(seen, [2, 3, 4]);
   * ```
   */
  imap<T extends Target<M>>(
    target: T,
    items: Iterable<ArgsOf<M, T>[0]>,
    options?: MapOptions,
  ): AsyncGenerator<ResultOf<M, T>, void, undefined> {
    // Not an async generator itself: Python's imap checks its input and
    // sends the tasks at the call, not at the first next().
    return this.#inOrder(
      this.#mapChunks(target, items, options),
    ) as AsyncGenerator<ResultOf<M, T>, void, undefined>;
  }

  async *#inOrder(
    futures: (Future<unknown[]> | undefined)[],
  ): AsyncGenerator<unknown, void, undefined> {
    try {
      for (let i = 0; i < futures.length; i++) {
        const results = await futures[i]!;
        futures[i] = undefined;
        for (let j = 0; j < results.length; j++) yield takeAt(results, j);
      }
    } finally {
      for (const future of futures) future?.cancel();
    }
  }

  /** The chunks of a one-argument map with chunksize 1 by default, sent. */
  #mapChunks(
    target: Target<M>,
    items: Iterable<unknown>,
    options: MapOptions | undefined,
  ): Future<unknown[]>[] {
    const argLists = Array.from(
      checkIterable("Cannot map", "items", items),
      (item) => [item],
    );
    const chunksize = this.#chunksize(options, argLists.length, false);
    return this.#chunks(target, argLists, chunksize, options);
  }

  /**
   * Like {@linkcode ThreadPool.imap}, but yields results in the order they
   * finish. Python's `pool.imap_unordered`.
   *
   * @param target The export's name, or a one-argument function.
   * @param items The arguments, one per call.
   * @param options `chunksize` (default 1) and the options of every task.
   * @returns An async iterable of the results, fastest first.
   * @throws {TypeError} If the task or an item cannot be sent.
   *
   * @example Results as they come
   * ```ts
   * import { ThreadPool } from "@parallel/parallel/pools";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * await using pool = new ThreadPool({ maxWorkers: 2 });
   * const seen = [];
   * for await (const n of pool.imapUnordered((n: number) => n * 10, [1, 2, 3])) {
   *   seen.push(n);
   * }
   * deepStrictEqual(seen.sort((a, b) => a - b), [10, 20, 30]);
   * ```
   */
  imapUnordered<T extends Target<M>>(
    target: T,
    items: Iterable<ArgsOf<M, T>[0]>,
    options?: MapOptions,
  ): AsyncGenerator<ResultOf<M, T>, void, undefined> {
    return this.#asFinished(
      this.#mapChunks(target, items, options),
    ) as AsyncGenerator<ResultOf<M, T>, void, undefined>;
  }

  async *#asFinished(
    futures: Future<unknown[]>[],
  ): AsyncGenerator<unknown, void, undefined> {
    const unfinished = new Set(futures);
    const ready: Future<unknown[]>[] = [];
    let notify: (() => void) | undefined;
    for (const future of futures) {
      future.addDoneCallback(() => {
        unfinished.delete(future);
        ready.push(future);
        notify?.();
      });
    }
    try {
      for (let taken = 0; taken < futures.length; taken++) {
        while (ready.length === 0) {
          await new Promise<void>((resolve) => notify = resolve);
        }
        const results = await ready.shift()!;
        for (let j = 0; j < results.length; j++) yield takeAt(results, j);
      }
    } finally {
      for (const future of unfinished) future.cancel();
    }
  }

  /**
   * Stops taking tasks and ends the workers once the accepted tasks have
   * settled. Python's `executor.shutdown(wait, cancel_futures)`. Calling it
   * again is harmless.
   *
   * @param options `wait` (default `true`): resolve only when every task
   * has settled and every worker has ended; `cancelFutures` (default
   * `false`): cancel the tasks that have not started.
   * @returns A promise that resolves when done (at once if `wait` is false).
   *
   * @example Shut down after the work
   * ```ts
   * import { ThreadPool } from "@parallel/parallel/pools";
   * import { strictEqual, throws } from "node:assert/strict";
   *
   * const pool = new ThreadPool({ maxWorkers: 1 });
   * const future = pool.submit(() => 1);
   * await pool.shutdown();
   * strictEqual(await future, 1);
   * throws(() => pool.submit(() => 2), { name: "InvalidStateError" });
   * ```
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    checkObject("Cannot shut down ThreadPool", "options", options);
    const { wait = true, cancelFutures = false } = options ?? {};
    this.#shutdown = true;
    if (cancelFutures) this.#engine.cancelQueued();
    this.#closing ??= this.#engine.close();
    return wait ? this.#closing : Promise.resolve();
  }

  /** Shuts the pool down and waits, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true });
  }
}

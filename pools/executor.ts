import {
  checkDuration,
  checkInteger,
  checkIterable,
  checkObject,
  quote,
} from "../internal/options.ts";
import { QueueFull } from "../primitives/errors.ts";
import { type CoreOptions, ExecutorCore, type TaskSettings } from "./_core.ts";
import type { LaneKind } from "./_lane.ts";
import { BrokenPoolError, InvalidStateError } from "./errors.ts";
import { moduleHref } from "./_start_options.ts";
import { functionSource } from "./_function_source.ts";
import type { Future } from "./future.ts";
import { CALL, CHUNK, ITEMS } from "./_wire.ts";

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

/** Options of every pool ({@linkcode ThreadPool}, {@linkcode ProcessPool}). */
export interface PoolOptions {
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
   * is replaced (a thread's code runs on until it returns, see
   * {@linkcode taskSignal}; a process is killed). Default `Infinity`.
   */
  taskTimeout?: number;
}

/** What a pool's workers start with, for its lane kind. */
export interface WorkerSetup {
  /** The URL of the task module, if any. */
  module: string | undefined;
  /** The initializer, as a target, and its arguments. */
  initializer: { target: string; args: unknown[] } | undefined;
}

/** Options of one task ({@linkcode Executor.apply}). */
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

/** Options of {@linkcode Executor.map} and its relatives. */
export interface MapOptions extends TaskOptions {
  /**
   * How many items each task takes. `map` and `starmap` default to
   * Python's `Pool.map` rule (about four tasks per worker); `imap` and
   * `imapUnordered` to 1.
   */
  chunksize?: number;
}

/** Options of {@linkcode Executor.shutdown}. */
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
 * What every pool can do, whatever its workers are: Python's
 * `concurrent.futures.Executor` and the task methods of
 * `multiprocessing.Pool`. {@linkcode ThreadPool} runs tasks on worker
 * threads, {@linkcode ProcessPool} on child processes; both decide the same
 * way when a task waits, runs, times out, is cancelled, or loses its worker.
 *
 * @typeParam M The type of the task module (`typeof import("./tasks.ts")`).
 *
 * @example Any pool runs the same calls
 * ```ts
 * import { type Executor, ThreadPool } from "@parallel/parallel/pools";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * async function squares(pool: Executor): Promise<number[]> {
 *   return await pool.map((n: number) => n * n, [1, 2, 3]);
 * }
 * await using pool = new ThreadPool({ maxWorkers: 2 });
 * deepStrictEqual(await squares(pool), [1, 4, 9]);
 * ```
 */
export abstract class Executor<M = Record<string, never>>
  implements AsyncDisposable {
  readonly #name: string;
  readonly #module: string | undefined;
  readonly #core: ExecutorCore<unknown>;
  readonly #maxWorkers: number;
  readonly #taskTimeout: number;
  /** The settings of a task submitted without options. */
  readonly #defaults: TaskSettings;
  #shutdown = false;
  #closing: Promise<void> | undefined;

  /**
   * Checks the options every pool takes and starts the core; `lanes` makes
   * the pool's kind of worker from what they start with.
   *
   * @param name The pool's class name, for messages.
   * @param moduleOrOptions The task module's URL, or the options.
   * @param maybeOptions The options, after a module.
   * @param lanes Makes the pool's lane kind.
   */
  protected constructor(
    name: string,
    moduleOrOptions: URL | string | PoolOptions | undefined,
    maybeOptions: PoolOptions | undefined,
    lanes: (setup: WorkerSetup, options: PoolOptions | undefined) => LaneKind<
      unknown
    >,
  ) {
    const where = `Cannot create ${name}`;
    let module: string | undefined;
    let options: PoolOptions | undefined;
    if (moduleOrOptions instanceof URL || typeof moduleOrOptions === "string") {
      module = moduleHref(where, "module", moduleOrOptions);
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
    this.#name = name;
    this.#module = module;
    this.#maxWorkers = maxWorkers;
    this.#taskTimeout = checkDuration(
      where,
      "taskTimeout",
      options?.taskTimeout ?? Infinity,
    );
    this.#defaults = { timeout: this.#taskTimeout, signal: undefined };
    const settings: CoreOptions = {
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
    };
    const kind = lanes({
      module,
      initializer: initializer === undefined ? undefined : {
        target: this.#target(where, initializer, module),
        args: initargs,
      },
    }, options);
    this.#core = new ExecutorCore(kind, settings);
  }

  /** The most workers this pool runs at once. */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  /**
   * How many tasks wait in this program for a worker (beyond those the
   * workers have), for a pool's counts.
   */
  protected get queuedHere(): number {
    return this.#core.queued;
  }

  /** Whether {@linkcode Executor.shutdown} was called. */
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
    kind: number,
    target: unknown,
    args: unknown[],
    options: TaskOptions | undefined,
  ): Future<unknown> {
    const where = "Cannot submit task";
    if (this.#shutdown) {
      throw new InvalidStateError(`${where}: the pool is shut down`);
    }
    const broken = this.#core.broken;
    if (broken !== undefined) {
      throw new BrokenPoolError(`${where}: ${broken.message}`, {
        cause: broken,
      });
    }
    const source = this.#target(where, target, this.#module);
    const settings = this.#settings(where, options);
    const transfer = this.#transferList(where, options);
    if (this.#core.full) {
      throw new QueueFull(`${where}: the pool's queue is full`);
    }
    // What cannot be sent fails here, before anything is queued.
    return this.#core.submit(kind, source, args, settings, transfer, where)
      .future;
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

  /**
   * Sends `lists` in chunks of `chunksize`: argument lists, or with ITEMS
   * in `kind` single arguments.
   */
  #chunks(
    target: unknown,
    lists: unknown[],
    chunksize: number,
    options: MapOptions | undefined,
    kind = CHUNK,
  ): Future<unknown[]>[] {
    const futures: Future<unknown[]>[] = [];
    try {
      for (let i = 0; i < lists.length; i += chunksize) {
        futures.push(
          this.#submit(
            kind,
            target,
            lists.slice(i, i + chunksize),
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
    const all = Array.from(checkIterable("Cannot map", "items", items));
    const chunksize = this.#chunksize(options, all.length, true);
    return await this.#all(
      this.#chunks(target, all, chunksize, options, CHUNK | ITEMS),
    ) as ResultOf<M, T>[];
  }

  /**
   * Like {@linkcode Executor.map}, but each item is an argument list.
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
   * Like {@linkcode Executor.map}, but yields each result, in order, as
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
    const all = Array.from(checkIterable("Cannot map", "items", items));
    const chunksize = this.#chunksize(options, all.length, false);
    return this.#chunks(target, all, chunksize, options, CHUNK | ITEMS);
  }

  /**
   * Like {@linkcode Executor.imap}, but yields results in the order they
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
    checkObject(`Cannot shut down ${this.#name}`, "options", options);
    const { wait = true, cancelFutures = false } = options ?? {};
    this.#shutdown = true;
    if (cancelFutures) this.#core.cancelQueued();
    this.#closing ??= this.#core.close();
    return wait ? this.#closing : Promise.resolve();
  }

  /** Shuts the pool down and waits, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true });
  }
}

import { checkObject, quote } from "../internal/options.ts";

/** Options of {@linkcode TaskGroup}'s constructor. */
export interface TaskGroupOptions {
  /**
   * Aborts every task of the group with this signal's reason, and makes the
   * group reject with it (unless a task failed): the group's part of an
   * outer cancellation.
   */
  signal?: AbortSignal;
}

/**
 * Structured concurrency for one event loop, like Python's
 * `asyncio.TaskGroup`: tasks started in a group end before the group does.
 *
 * `start(task)` runs `task(signal)` at once. The first task that fails
 * aborts the group's `signal`, so that its siblings stop, and the group
 * rejects with an `AggregateError` of every failure (the rejections that
 * only pass the abort on are not failures). `await using` waits for every
 * task, those started while it waits too, before the block ends.
 *
 * The group cannot see an error thrown by the block itself: its tasks then
 * run to their end before the error goes on. To stop them at once, call
 * {@linkcode TaskGroup.abort} in a `catch`.
 *
 * @example Fetch-like work, all or nothing
 * ```ts
 * import { TaskGroup } from "@parallel/parallel/async";
 * import { rejects } from "node:assert/strict";
 *
 * function sleep(ms: number, signal: AbortSignal): Promise<void> {
 *   return new Promise((resolve, reject) => {
 *     const timer = setTimeout(resolve, ms);
 *     signal.addEventListener("abort", () => {
 *       clearTimeout(timer);
 *       reject(signal.reason);
 *     }, { once: true });
 *   });
 * }
 *
 * await rejects(async () => {
 *   await using tg = new TaskGroup();
 *   tg.start((signal) => sleep(60_000, signal)); // aborted, not a failure
 *   tg.start(async () => {
 *     throw new Error("boom");
 *   });
 * }, (error: AggregateError) => error.errors.length === 1);
 * ```
 */
export class TaskGroup implements AsyncDisposable {
  #controller = new AbortController();
  #outer: AbortSignal | undefined;
  #pending = 0;
  #failures: unknown[] = [];
  #idle: PromiseWithResolvers<void> | undefined;
  #done: Promise<void> | undefined;
  #finished = false;

  /**
   * Creates an empty group.
   *
   * @param options `signal`: an outer signal that aborts the whole group.
   * @throws {TypeError} If `signal` is not an AbortSignal.
   *
   * @example A group with nothing to do settles at once
   * ```ts
   * import { TaskGroup } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * {
   *   await using tg = new TaskGroup();
   *   strictEqual(tg.signal.aborted, false);
   * }
   * ```
   */
  constructor(options?: TaskGroupOptions) {
    checkObject("Cannot create TaskGroup", "options", options);
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(
        `Cannot create TaskGroup: 'signal' must be an AbortSignal, received ${
          quote(signal)
        }`,
      );
    }
    if (signal !== undefined) {
      this.#outer = signal;
      if (signal.aborted) this.#controller.abort(signal.reason);
      else signal.addEventListener("abort", this.#onOuterAbort, { once: true });
    }
  }

  #onOuterAbort = (): void => {
    this.#controller.abort(this.#outer!.reason);
  };

  /**
   * The signal every task receives: aborted by the first failure, by
   * {@linkcode TaskGroup.abort}, or by the outer signal.
   *
   * @example Aborted by abort()
   * ```ts
   * import { TaskGroup } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * await using tg = new TaskGroup();
   * tg.abort();
   * strictEqual(tg.signal.aborted, true);
   * ```
   */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Starts a task: calls `task(signal)` now and tracks its promise. A task
   * started once the group is aborting still runs, with an aborted signal.
   *
   * @typeParam T What the task returns.
   * @param task A function of the group's signal; it should stop, by
   * rejecting with `signal.reason`, once the signal aborts.
   * @returns The task's own promise, for its value. Its failure is reported
   * by the group too, so leaving this promise unhandled is safe.
   * @throws {TypeError} If `task` is not a function.
   * @throws {Error} If the group has already finished.
   *
   * @example Collect the values
   * ```ts
   * import { TaskGroup } from "@parallel/parallel/async";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * let values: number[];
   * {
   *   await using tg = new TaskGroup();
   *   const a = tg.start(async () => 1);
   *   const b = tg.start(() => 2);
   *   values = await Promise.all([a, b]);
   * }
   * deepStrictEqual(values, [1, 2]);
   * ```
   */
  start<T>(task: (signal: AbortSignal) => T | PromiseLike<T>): Promise<T> {
    if (typeof task !== "function") {
      throw new TypeError(
        `Cannot start a task in TaskGroup: 'task' must be a function, received ${
          quote(task)
        }`,
      );
    }
    if (this.#finished) {
      throw new Error("Cannot start a task in TaskGroup: it has finished");
    }
    let promise: Promise<T>;
    try {
      promise = Promise.resolve(task(this.#controller.signal));
    } catch (error) {
      promise = Promise.reject(error);
    }
    this.#pending++;
    promise.then(() => this.#settled(), (error) => this.#settled(error, true));
    return promise;
  }

  #settled(error?: unknown, failed = false): void {
    if (failed && !this.#isAbort(error)) {
      this.#failures.push(error);
      if (!this.#controller.signal.aborted) {
        this.#controller.abort(
          new DOMException("A task of the TaskGroup failed", "AbortError"),
        );
      }
    }
    if (--this.#pending === 0) this.#idle?.resolve();
  }

  /** Whether a rejection only passes the group's abort on. */
  #isAbort(error: unknown): boolean {
    const signal = this.#controller.signal;
    return signal.aborted &&
      (error === signal.reason ||
        (error instanceof DOMException && error.name === "AbortError"));
  }

  /**
   * Aborts every task, as a failure would, but is not a failure itself: the
   * group settles once the tasks have ended, and rejects only if one of them
   * failed with an error of its own.
   *
   * @param reason The abort reason the tasks see (default: an `AbortError`
   * DOMException).
   *
   * @example Stop the tasks when the block throws
   * ```ts
   * import { TaskGroup } from "@parallel/parallel/async";
   * import { rejects } from "node:assert/strict";
   *
   * await rejects(async () => {
   *   await using tg = new TaskGroup();
   *   try {
   *     tg.start((signal) => new Promise((_, reject) => {
   *       signal.addEventListener("abort", () => reject(signal.reason));
   *     }));
   *     throw new Error("the block failed");
   *   } catch (error) {
   *     tg.abort();
   *     throw error;
   *   }
   * }, { message: "the block failed" });
   * ```
   */
  abort(reason?: unknown): void {
    this.#controller.abort(reason);
  }

  /**
   * Waits for every task, then settles: what `await using` calls at the end
   * of the block. Calling it again returns the same promise.
   *
   * @returns A promise that resolves once every task has ended well.
   * @throws {AggregateError} Of every failure, if a task failed.
   * @throws {unknown} The outer signal's reason, if it aborted the group and
   * no task failed.
   *
   * @example Without `await using`
   * ```ts
   * import { TaskGroup } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const tg = new TaskGroup();
   * let done = false;
   * tg.start(async () => {
   *   await new Promise((resolve) => setTimeout(resolve, 1));
   *   done = true;
   * });
   * await tg[Symbol.asyncDispose]();
   * strictEqual(done, true);
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#done ??= this.#finish();
  }

  async #finish(): Promise<void> {
    while (this.#pending > 0) {
      this.#idle = Promise.withResolvers();
      await this.#idle.promise;
    }
    this.#finished = true;
    this.#outer?.removeEventListener("abort", this.#onOuterAbort);
    const failures = this.#failures;
    if (failures.length > 0) {
      throw new AggregateError(
        failures,
        `${failures.length} task${
          failures.length === 1 ? "" : "s"
        } of the TaskGroup failed`,
      );
    }
    if (this.#outer?.aborted) throw this.#outer.reason;
  }
}

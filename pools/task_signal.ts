import { currentTask, isStopped, type TaskWord } from "./_current_task.ts";
import { TIMED_OUT } from "./_claim.ts";

/**
 * What a running task reads to learn that its future was aborted or timed
 * out: the cooperative way to stop a thread task, whose code no pool can
 * stop from outside (see {@linkcode taskSignal}). It reads one word of
 * shared memory, so a synchronous loop can look at it as often as it likes.
 *
 * @example Outside a task, a signal is never aborted
 * ```ts
 * import { taskSignal } from "@parallel/parallel/pools";
 * import { strictEqual } from "node:assert/strict";
 *
 * const signal = taskSignal();
 * strictEqual(signal.aborted, false);
 * signal.throwIfAborted(); // does nothing
 * ```
 */
export class TaskSignal {
  readonly #word: TaskWord | undefined;

  /**
   * Made by {@linkcode taskSignal}; not constructed directly.
   *
   * @param word The claim word of the task (internal).
   */
  constructor(word?: TaskWord) {
    this.#word = word;
  }

  /**
   * Whether the task's future was aborted or timed out.
   *
   * @example Read it in a loop
   * ```ts
   * import { taskSignal } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * let rounds = 0;
   * while (!taskSignal().aborted && rounds < 3) rounds++;
   * strictEqual(rounds, 3);
   * ```
   */
  get aborted(): boolean {
    return this.#word !== undefined && isStopped(this.#word);
  }

  /**
   * Why the task was stopped: a `DOMException` named `TimeoutError` or
   * `AbortError` (the future itself rejects with the abort's own reason),
   * or `undefined` while it was not.
   *
   * @example Not stopped
   * ```ts
   * import { taskSignal } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(taskSignal().reason, undefined);
   * ```
   */
  get reason(): DOMException | undefined {
    if (!this.aborted) return undefined;
    return Atomics.load(this.#word!.view, this.#word!.index) === TIMED_OUT
      ? new DOMException("The task timed out", "TimeoutError")
      : new DOMException("The task was aborted", "AbortError");
  }

  /**
   * Throws {@linkcode TaskSignal.reason} if the task was stopped.
   *
   * @throws {DOMException} A `TimeoutError` or an `AbortError`.
   *
   * @example Nothing to throw outside a task
   * ```ts
   * import { taskSignal } from "@parallel/parallel/pools";
   * import { doesNotThrow } from "node:assert/strict";
   *
   * doesNotThrow(() => taskSignal().throwIfAborted());
   * ```
   */
  throwIfAborted(): void {
    const reason = this.reason;
    if (reason !== undefined) throw reason;
  }
}

/**
 * The signal of the task that the calling thread runs: in a pool task, set
 * when the task's future is aborted or its time runs out; in a
 * {@linkcode Thread}, when the thread's `signal` is aborted; elsewhere,
 * never. A pool cannot stop a thread's JavaScript from outside (Deno
 * 2.9.6 cannot stop a thread that computes): a timeout or an abort rejects
 * the future at once and retires the worker, but the task's code runs on
 * until it returns, unless it looks at this signal. Tasks that must be
 * stoppable from outside belong in processes.
 *
 * @returns The running task's signal.
 *
 * @example A long loop that stops when asked
 * ```ts
 * import { taskSignal, ThreadPool } from "@parallel/parallel/pools";
 * import { rejects } from "node:assert/strict";
 *
 * await using pool = new ThreadPool({ maxWorkers: 1 });
 * const work = async () => {
 *   const { taskSignal } = await import("@parallel/parallel/pools");
 *   for (;;) taskSignal().throwIfAborted(); // until its time runs out
 * };
 * await rejects(pool.apply(work, [], { timeout: 50 }), {
 *   name: "TimeoutError",
 * });
 * ```
 */
export function taskSignal(): TaskSignal {
  return new TaskSignal(currentTask());
}

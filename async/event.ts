import { parseWait, type WaitOptions } from "../internal/options.ts";
import { FALSE, msOf, TRUE, WaiterList } from "./_waiters.ts";

/**
 * A flag that the tasks of one event loop can wait on, like Python's
 * `asyncio.Event`. Times are in milliseconds.
 *
 * @example Start the workers together
 * ```ts
 * import { Event } from "@parallel/parallel/async";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const go = new Event();
 * const started: number[] = [];
 * const workers = [1, 2].map(async (id) => {
 *   await go.wait();
 *   started.push(id);
 * });
 * go.set();
 * await Promise.all(workers);
 * deepStrictEqual(started, [1, 2]);
 * ```
 */
export class Event {
  #flag = false;
  #waiters = new WaiterList<boolean>(() => false);

  /**
   * Whether the flag is set.
   *
   * @example Set and clear
   * ```ts
   * import { Event } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const event = new Event();
   * event.set();
   * strictEqual(event.isSet, true);
   * event.clear();
   * strictEqual(event.isSet, false);
   * ```
   */
  get isSet(): boolean {
    return this.#flag;
  }

  /**
   * Sets the flag and wakes every waiting task, in the order they came.
   *
   * @example Wake a waiter
   * ```ts
   * import { Event } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const event = new Event();
   * setTimeout(() => event.set(), 5);
   * strictEqual(await event.wait(), true);
   * ```
   */
  set(): void {
    if (this.#flag) return;
    this.#flag = true;
    this.#waiters.grantAll(true);
  }

  /**
   * Clears the flag; later waits wait until the next {@linkcode Event.set}.
   * Tasks that `set` has woken still return `true`.
   *
   * @example Clear after set
   * ```ts
   * import { Event } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * const event = new Event();
   * event.set();
   * event.clear();
   * strictEqual(await event.wait({ timeout: 0 }), false);
   * ```
   */
  clear(): void {
    this.#flag = false;
  }

  /**
   * Waits until the flag is set.
   *
   * @param options `timeout` in milliseconds (`0` answers at once), and an
   * `AbortSignal`.
   * @returns `true` if the flag was set (even if cleared again since),
   * `false` if the timeout passed first.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {unknown} The signal's reason, if it aborts the wait.
   *
   * @example Time out on a clear flag
   * ```ts
   * import { Event } from "@parallel/parallel/async";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(await new Event().wait({ timeout: 5 }), false);
   * ```
   */
  wait(options?: WaitOptions): Promise<boolean> {
    if (options === undefined && this.#flag) return TRUE;
    let signal: AbortSignal | undefined;
    try {
      ({ signal } = parseWait("Cannot wait for Event", options));
      signal?.throwIfAborted();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#flag) return TRUE;
    const ms = msOf(options);
    return ms <= 0 ? FALSE : this.#waiters.add(ms, signal);
  }
}

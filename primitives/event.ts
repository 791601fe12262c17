import { runAsync, runSync, type Steps, wake } from "./_futex.ts";
import {
  type Handle,
  Layout,
  pinned,
  Rebuild,
  registerKind,
  track,
} from "./_handle.ts";
import { parseWait, type WaitOptions } from "../internal/options.ts";

// Words: [magic, state]; state is `generation << 1 | flag`, one word
// so that set() moves the flag and the generation at once. Waiters sleep on
// it: a waiter that saw the generation move was set, even if the flag was
// cleared again before it woke.
const STATE = 1;
const FLAG = 1;
const layout = new Layout("Event", 0x45564e54, 2);
const rebuild = new Rebuild<Int32Array>();

/**
 * A flag that threads can wait on, shared by the main thread and any number
 * of Workers, like Python's `threading.Event`.
 *
 * Pass it to a Worker as `event.handle` and rebuild it there with
 * {@linkcode Event.from}. Times are in milliseconds.
 *
 * @example Set the flag, then wait on it
 * ```ts
 * import { Event } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * const go = new Event();
 * go.set();
 * strictEqual(await go.wait({ timeout: 10 }), true);
 * ```
 */
export class Event {
  #words: Int32Array;

  static {
    registerKind(
      "Event",
      Event.from,
      Event,
      (event: Event) => layout.handle(event.#words),
    );
  }

  /**
   * Creates an event whose flag is clear.
   *
   * @example A new event is clear
   * ```ts
   * import { Event } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Event().isSet, false);
   * ```
   */
  constructor() {
    const opened = rebuild.take();
    this.#words = opened ?? layout.allocate();
    track(this, this.#words, opened !== undefined, "Event");
  }

  /**
   * Rebuilds an event from its {@linkcode Event.handle}.
   *
   * @param handle A handle made by `event.handle`.
   * @returns An Event that shares the original's flag.
   * @throws {TypeError} If `handle` is not the handle of an Event.
   *
   * @example Set through a copy
   * ```ts
   * import { Event } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const event = new Event();
   * Event.from(event.handle).set();
   * strictEqual(event.isSet, true);
   * ```
   */
  static from(handle: Handle): Event {
    return rebuild.with(layout.open(handle), () => new Event());
  }

  /**
   * A structured-cloneable handle for `postMessage`; see
   * {@linkcode Event.from}.
   *
   * @example Read the handle's kind
   * ```ts
   * import { Event } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Event().handle.kind, "Event");
   * ```
   */
  get handle(): Handle {
    return pinned(layout.handle(this.#words));
  }

  /**
   * Whether the flag is set.
   *
   * @example Set and clear
   * ```ts
   * import { Event } from "@parallel/parallel";
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
    return (Atomics.load(this.#words, STATE) & FLAG) !== 0;
  }

  /**
   * Sets the flag and wakes every waiting thread.
   *
   * @example Wake a waiter
   * ```ts
   * import { Event } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const event = new Event();
   * setTimeout(() => event.set(), 5);
   * strictEqual(await event.wait(), true);
   * ```
   */
  set(): void {
    const words = this.#words;
    for (;;) {
      const state = Atomics.load(words, STATE);
      if (state & FLAG) return;
      // The next generation, flag set; the generation wraps around.
      const next = (state + 2) | FLAG;
      if (Atomics.compareExchange(words, STATE, state, next) === state) {
        wake(words, STATE);
        return;
      }
    }
  }

  /**
   * Clears the flag; later waits block until the next {@linkcode Event.set}.
   *
   * @example Clear after set
   * ```ts
   * import { Event } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const event = new Event();
   * event.set();
   * event.clear();
   * strictEqual(event.waitSync({ timeout: 0 }), false);
   * ```
   */
  clear(): void {
    Atomics.and(this.#words, STATE, ~FLAG);
  }

  *#waitSteps(deadline: number): Steps<boolean> {
    const words = this.#words;
    const seen = Atomics.load(words, STATE);
    if (seen & FLAG) return true;
    for (;;) {
      const woke = yield {
        view: words,
        index: STATE,
        expected: seen,
        deadline,
      };
      // Only set() moves the state of a clear event, and it sets the flag.
      if (Atomics.load(words, STATE) !== seen) return true;
      if (!woke) return false;
    }
  }

  /**
   * Waits until the flag is set, without blocking the event loop.
   *
   * @param options `timeout` in milliseconds (`0` answers at once), and an
   * `AbortSignal`.
   * @returns `true` if the flag was set (even if cleared again since),
   * `false` if the timeout passed first.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {unknown} The signal's reason, if it aborts the wait.
   *
   * @example Time out on a clear flag
   * ```ts
   * import { Event } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(await new Event().wait({ timeout: 5 }), false);
   * ```
   */
  wait(options?: WaitOptions): Promise<boolean> {
    try {
      const { deadline, signal } = parseWait("Cannot wait for Event", options);
      signal?.throwIfAborted();
      if (this.isSet) return Promise.resolve(true);
      return runAsync(this.#waitSteps(deadline), signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Waits until the flag is set, blocking the thread.
   *
   * @param options `timeout` in milliseconds (`0` answers at once), and an
   * `AbortSignal` that is checked before the thread blocks.
   * @returns `true` if the flag was set (even if cleared again since),
   * `false` if the timeout passed first.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {unknown} The signal's reason, if it is already aborted.
   *
   * @example Answer at once
   * ```ts
   * import { Event } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const event = new Event();
   * strictEqual(event.waitSync({ timeout: 0 }), false);
   * event.set();
   * strictEqual(event.waitSync({ timeout: 0 }), true);
   * ```
   */
  waitSync(options?: WaitOptions): boolean {
    if (options === undefined && this.isSet) return true;
    const { deadline, signal } = parseWait("Cannot wait for Event", options);
    signal?.throwIfAborted();
    if (this.isSet) return true;
    return runSync(this.#waitSteps(deadline), signal);
  }
}

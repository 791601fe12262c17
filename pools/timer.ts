import { Event } from "../primitives/event.ts";
import { Value } from "../primitives/value.ts";
import { checkDuration, quote } from "../internal/options.ts";
import { checkStartOptions } from "./_start_options.ts";
import { Thread, type ThreadOptions, type ThreadTarget } from "./thread.ts";

const TARGET = new URL("./_timer_target.ts", import.meta.url);

/** Options of a {@linkcode Timer}: those of a {@linkcode Thread} but its target. */
export type TimerOptions<A extends unknown[]> = Omit<
  ThreadOptions<A>,
  "target"
>;

/**
 * A thread that runs its target once, after an interval, unless it is
 * cancelled first: Python's `threading.Timer`. It is a {@linkcode Thread}
 * (named, daemon or not, joined the same way, listed by
 * `enumerateThreads()` while it waits); its target is a self-contained
 * function or an export of a module, as a Thread's is. Python's `kwargs`
 * become an object among the `args`.
 *
 * The interval, in **milliseconds**, counts from {@linkcode Timer.start}:
 * the thread's worker starts at once and waits out the rest (a Worker
 * start takes some milliseconds, which the interval includes). A
 * non-daemon Timer keeps the program alive while it waits, as in Python.
 *
 * @typeParam A The target's argument types.
 *
 * @example Run a function after 50 ms, and cancel another
 * ```ts
 * import { Timer } from "@parallel/parallel/pools";
 * import { Queue } from "@parallel/parallel";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const calls = new Queue<string>();
 * const report = (q: Queue<string>, text: string) => q.putSync(text);
 * const timer = new Timer(50, report, { args: [calls, "fired"] });
 * const cancelled = new Timer(50, report, { args: [calls, "cancelled"] });
 * timer.start();
 * cancelled.start();
 * cancelled.cancel();
 * await timer.join();
 * await cancelled.join();
 * deepStrictEqual([calls.getNowait(), calls.qsize()], ["fired", 0]);
 * ```
 */
export class Timer<A extends unknown[] = unknown[]> extends Thread {
  readonly #interval: number;
  readonly #cancelled: Event;
  readonly #deadline: Value<"f64">;

  /**
   * Creates a timer; {@linkcode Timer.start} starts it.
   *
   * @param interval How long to wait before running the target, in ms
   * (`Infinity`: until cancelled, never running it).
   * @param target What runs: a self-contained function, or
   * `{ module, name }` for an export of a module.
   * @param options The target's `args`, a `name`, `daemon`,
   * `resourceLimits` and `signal`, as for a {@linkcode Thread}.
   * @throws {TypeError} If an argument has the wrong type.
   * @throws {RangeError} If `interval` is negative or `NaN`.
   *
   * @example A named daemon timer
   * ```ts
   * import { Timer } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const timer = new Timer(1000, () => {}, { name: "t1", daemon: true });
   * strictEqual(timer.interval, 1000);
   * strictEqual(timer.name, "t1");
   * strictEqual(timer.isAlive, false);
   * ```
   */
  constructor(
    interval: number,
    target: ThreadTarget<A>,
    options: TimerOptions<A> = {},
  ) {
    const where = "Cannot create Timer";
    checkDuration(where, "interval", interval);
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `${where}: 'options' must be an object, received ${quote(options)}`,
      );
    }
    const { module, source, args } = checkStartOptions(
      where,
      { ...options, target },
      false,
    );
    const cancelled = new Event();
    const deadline = new Value("f64", Infinity);
    super({
      ...options,
      target: { module: TARGET, name: "fire" },
      args: [cancelled, deadline, module, source, args],
    });
    this.#interval = interval;
    this.#cancelled = cancelled;
    this.#deadline = deadline;
  }

  /** The interval given to the constructor, in milliseconds. */
  get interval(): number {
    return this.#interval;
  }

  /**
   * Starts the timer: its target runs once the interval has passed, unless
   * {@linkcode Timer.cancel} comes first.
   *
   * @throws {InvalidStateError} If the timer was started before.
   *
   * @example Start, then wait for the target to have run
   * ```ts
   * import { Timer } from "@parallel/parallel/pools";
   * import { Event } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const ran = new Event();
   * const timer = new Timer(10, (e: Event) => e.set(), { args: [ran] });
   * timer.start();
   * strictEqual(await timer.join({ timeout: 10_000 }), true);
   * strictEqual(ran.isSet, true);
   * ```
   */
  override start(): void {
    // Only the first start sets the deadline; a second one throws below.
    if (this.ident === undefined) {
      this.#deadline.value = Date.now() + this.#interval;
    }
    super.start();
  }

  /**
   * Stops the timer if it is still waiting: its target will not run.
   * Python's `timer.cancel()`. It does nothing once the target runs, and
   * may come before {@linkcode Timer.start} (the timer then ends at once).
   * Its thread ends soon after; join it to wait for that.
   *
   * @example Cancel before the interval is over
   * ```ts
   * import { Timer } from "@parallel/parallel/pools";
   * import { Event } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const ran = new Event();
   * const timer = new Timer(60_000, (e: Event) => e.set(), { args: [ran] });
   * timer.start();
   * timer.cancel();
   * await timer.join();
   * strictEqual(ran.isSet, false);
   * ```
   */
  cancel(): void {
    this.#cancelled.set();
  }
}

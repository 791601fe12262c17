import { BrokenBarrierError } from "./errors.ts";
import { runAsync, runSync, type Steps } from "./_futex.ts";
import { type CondVar, condVarOf } from "./_condvar.ts";
import {
  type Handle,
  handleOf,
  Layout,
  pinned,
  Rebuild,
  registerKind,
  revive,
  track,
} from "./_handle.ts";
import {
  checkInteger,
  checkObject,
  deadlineOf,
  parseWait,
  quote,
  type WaitOptions,
} from "../internal/options.ts";
import { Condition } from "./condition.ts";
import { Lock } from "./lock.ts";

// Words: [magic, state, count, parties, timeout (a float64 in two words)].
// The algorithm is CPython's: a round fills, then drains (state DRAINING)
// while the released threads leave, so that a fast thread cannot join the
// next round before the last one has left this one.
const STATE = 1;
const COUNT = 2;
const PARTIES = 3;
const TIMEOUT = 4; // and 5
const WORDS = 6;
const FILLING = 0;
const DRAINING = 1;
const RESETTING = -1;
const BROKEN = -2;

const layout = new Layout("Barrier", 0x42415252, WORDS);
const rebuild = new Rebuild<{ words: Int32Array; condition: Condition }>();

/** Options of {@linkcode Barrier}'s constructor and of `Barrier.from`. */
export interface BarrierOptions {
  /**
   * Called once per round, by the last thread to arrive, before any thread
   * is released. If it throws, the barrier breaks. Functions cannot be
   * shared: each thread passes its own to `Barrier.from` if it may be last.
   */
  action?: () => void;
  /** The default timeout of `wait`, in milliseconds (default `Infinity`). */
  timeout?: number;
}

/**
 * A barrier for a fixed number of threads, shared by the main thread and any
 * number of Workers, like Python's `threading.Barrier`: each round, every
 * party waits until all `parties` have arrived, then all go on together.
 *
 * Pass it to a Worker as `barrier.handle` and rebuild it there with
 * {@linkcode Barrier.from}. Times are in milliseconds.
 *
 * @example Two tasks meet
 * ```ts
 * import { Barrier } from "@parallel/parallel";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const barrier = new Barrier(2);
 * const indices = await Promise.all([barrier.wait(), barrier.wait()]);
 * deepStrictEqual(indices.sort(), [0, 1]);
 * ```
 */
export class Barrier {
  #words: Int32Array;
  #condition: Condition;
  #core: CondVar;
  #action: (() => void) | undefined;

  static {
    registerKind(
      "Barrier",
      Barrier.from,
      Barrier,
      (barrier: Barrier) =>
        layout.handle(barrier.#words, [handleOf(barrier.#condition)!]),
    );
  }

  /**
   * Creates a barrier for `parties` threads.
   *
   * @param parties How many must arrive each round, a positive integer.
   * @param options `action`, run once per round by the last to arrive, and
   * `timeout`, the default timeout of `wait` in milliseconds.
   * @throws {TypeError} If `parties` is not a number or `action` not a
   * function.
   * @throws {RangeError} If `parties` is not a positive integer, or the
   * timeout is negative or `NaN`.
   *
   * @example One party never waits
   * ```ts
   * import { Barrier } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Barrier(1).waitSync(), 0);
   * ```
   */
  constructor(parties: number, options?: BarrierOptions) {
    // Take what from() opened first, so that a bad option cannot leave it
    // for the next constructor call.
    const opened = rebuild.take();
    const where = "Cannot create Barrier";
    checkObject(where, "options", options);
    const action = options?.action;
    if (action !== undefined && typeof action !== "function") {
      throw new TypeError(
        `${where}: 'action' must be a function, received ${quote(action)}`,
      );
    }
    this.#action = action;
    if (opened) {
      ({ words: this.#words, condition: this.#condition } = opened);
    } else {
      checkInteger(where, "parties", parties, 1);
      const timeout = options?.timeout ?? Infinity;
      deadlineOf(where, timeout); // checks it
      // Python's Barrier uses a Condition over a plain Lock. Every party may
      // wait on it, and more while a round drains.
      this.#condition = new Condition(new Lock(), {
        maxWaiters: Math.max(128, 2 * parties),
      });
      this.#words = layout.allocate(WORDS, [
        condVarOf.get(this.#condition)!.words,
      ]);
      this.#words[PARTIES] = parties;
      // Written once, before any other thread can see the buffer (a handle
      // travels by postMessage, which orders it), and only read after.
      new Float64Array(
        this.#words.buffer,
        this.#words.byteOffset + TIMEOUT * 4,
        1,
      )[0] = timeout;
    }
    track(this, this.#words, opened !== undefined, "Barrier");
    this.#core = condVarOf.get(this.#condition)!;
  }

  /**
   * Rebuilds a barrier from its {@linkcode Barrier.handle}.
   *
   * @param handle A handle made by `barrier.handle`.
   * @param options `action`: what this thread runs if it arrives last in a
   * round (the action is not shared; see {@linkcode BarrierOptions}).
   * @returns A Barrier that shares the original's rounds.
   * @throws {TypeError} If `handle` is not the handle of a Barrier.
   *
   * @example Meet through a copy
   * ```ts
   * import { Barrier } from "@parallel/parallel";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const barrier = new Barrier(2);
   * const copy = Barrier.from(barrier.handle);
   * const indices = await Promise.all([barrier.wait(), copy.wait()]);
   * deepStrictEqual(indices.sort(), [0, 1]);
   * ```
   */
  static from(
    handle: Handle,
    options?: Pick<BarrierOptions, "action">,
  ): Barrier {
    const words = layout.open(handle, 1);
    const condition = revive(handle.parts[0]!);
    if (!(condition instanceof Condition)) {
      throw new TypeError(
        "Cannot create Barrier from handle: it is not the handle of a Barrier",
      );
    }
    layout.checkParts(words, handle);
    return rebuild.with({ words, condition }, () => new Barrier(0, options));
  }

  /**
   * A structured-cloneable handle for `postMessage`; see
   * {@linkcode Barrier.from}.
   *
   * @example Read the handle's kind
   * ```ts
   * import { Barrier } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Barrier(2).handle.kind, "Barrier");
   * ```
   */
  get handle(): Handle {
    return pinned(layout.handle(this.#words, [handleOf(this.#condition)!]));
  }

  /**
   * How many threads must arrive each round.
   *
   * @example Read it back
   * ```ts
   * import { Barrier } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Barrier(3).parties, 3);
   * ```
   */
  get parties(): number {
    return Atomics.load(this.#words, PARTIES);
  }

  /**
   * How many threads are waiting in the current round.
   *
   * @example Nobody waits yet
   * ```ts
   * import { Barrier } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Barrier(3).nWaiting, 0);
   * ```
   */
  get nWaiting(): number {
    // Threads that have been released but not yet left still count in
    // COUNT while the round drains; they are not waiting.
    return Atomics.load(this.#words, STATE) === FILLING
      ? Atomics.load(this.#words, COUNT)
      : 0;
  }

  /**
   * Whether the barrier is broken (see {@linkcode Barrier.abort}).
   *
   * @example Broken by abort
   * ```ts
   * import { Barrier } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const barrier = new Barrier(2);
   * barrier.abort();
   * strictEqual(barrier.broken, true);
   * ```
   */
  get broken(): boolean {
    return Atomics.load(this.#words, STATE) === BROKEN;
  }

  #timeout(): number {
    return new Float64Array(
      this.#words.buffer,
      this.#words.byteOffset + TIMEOUT * 4,
      1,
    )[0]!;
  }

  #lockSteps(): Steps<boolean> {
    return this.#core.mutex.acquireSteps(Infinity);
  }

  *#waitSteps(deadline: number, timeout: number): Steps<number> {
    const words = this.#words;
    if (!this.#core.mutex.tryAcquire()) yield* this.#lockSteps();
    try {
      // Wait while a previous round drains or resets.
      for (;;) {
        const state = Atomics.load(words, STATE);
        if (state !== DRAINING && state !== RESETTING) break;
        yield* this.#core.waitSteps(Infinity);
      }
      if (Atomics.load(words, STATE) < 0) throw new BrokenBarrierError();
      const index = Atomics.add(words, COUNT, 1);
      try {
        if (index + 1 === Atomics.load(words, PARTIES)) {
          this.#releaseRound();
        } else {
          yield* this.#waitRound(deadline, timeout);
        }
        return index;
      } finally {
        // The last to leave a draining or resetting round opens the next.
        if (Atomics.sub(words, COUNT, 1) === 1) {
          const state = Atomics.load(words, STATE);
          if (state === DRAINING || state === RESETTING) {
            Atomics.store(words, STATE, FILLING);
            this.#core.notify(Infinity);
          }
        }
      }
    } finally {
      this.#core.mutex.release();
    }
  }

  #releaseRound(): void {
    try {
      this.#action?.();
      Atomics.store(this.#words, STATE, DRAINING);
      this.#core.notify(Infinity);
    } catch (error) {
      this.#break();
      throw error;
    }
  }

  *#waitRound(deadline: number, timeout: number): Steps<void> {
    const words = this.#words;
    const released = () => Atomics.load(words, STATE) !== FILLING;
    let done: boolean;
    try {
      done = yield* this.#core.waitForSteps(released, deadline);
    } catch (reason) {
      this.#break(); // an aborted party breaks the round for all
      throw reason;
    }
    if (!done) {
      this.#break();
      throw new BrokenBarrierError(
        `The barrier broke: a party timed out after waiting ${timeout} ms`,
      );
    }
    if (Atomics.load(words, STATE) < 0) throw new BrokenBarrierError();
  }

  #break(): void {
    Atomics.store(this.#words, STATE, BROKEN);
    this.#core.notify(Infinity);
  }

  /** The deadline and signal of a wait, and its timeout (for messages). */
  #deadline(options: WaitOptions | undefined) {
    const parsed = parseWait("Cannot wait on Barrier", options);
    const timeout = options?.timeout ?? this.#timeout();
    if (options?.timeout === undefined) {
      parsed.deadline = deadlineOf("Cannot wait on Barrier", timeout);
    }
    return { ...parsed, timeout };
  }

  /**
   * Waits until all parties have arrived, without blocking the event loop.
   *
   * @param options `timeout` in milliseconds (default: the barrier's), and
   * an `AbortSignal`.
   * @returns This party's index in the round, from 0 to `parties - 1`;
   * distinct within a round.
   * @throws {BrokenBarrierError} If the barrier is or becomes broken, or the
   * timeout passes (which breaks it for every party).
   * @throws {unknown} The signal's reason, if it aborts the wait (which
   * breaks the barrier too).
   *
   * @example Two parties meet
   * ```ts
   * import { Barrier } from "@parallel/parallel";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const barrier = new Barrier(2);
   * deepStrictEqual(
   *   (await Promise.all([barrier.wait(), barrier.wait()])).sort(),
   *   [0, 1],
   * );
   * ```
   */
  wait(options?: WaitOptions): Promise<number> {
    try {
      const { deadline, signal, timeout } = this.#deadline(options);
      signal?.throwIfAborted();
      return runAsync(this.#waitSteps(deadline, timeout), signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Waits until all parties have arrived, blocking the thread.
   *
   * @param options `timeout` in milliseconds (default: the barrier's), and
   * an `AbortSignal` checked before the thread blocks.
   * @returns This party's index in the round, from 0 to `parties - 1`.
   * @throws {BrokenBarrierError} If the barrier is or becomes broken, or the
   * timeout passes (which breaks it for every party).
   *
   * @example A timeout breaks the barrier
   * ```ts
   * import { Barrier, BrokenBarrierError } from "@parallel/parallel";
   * import { strictEqual, throws } from "node:assert/strict";
   *
   * const barrier = new Barrier(2);
   * throws(() => barrier.waitSync({ timeout: 5 }), BrokenBarrierError);
   * strictEqual(barrier.broken, true);
   * ```
   */
  waitSync(options?: WaitOptions): number {
    const { deadline, signal, timeout } = this.#deadline(options);
    signal?.throwIfAborted();
    return runSync(this.#waitSteps(deadline, timeout), signal);
  }

  /**
   * Resets the barrier to its first state. Threads waiting now get a
   * {@linkcode BrokenBarrierError}; the barrier is usable again after.
   *
   * @example Reset a broken barrier
   * ```ts
   * import { Barrier } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const barrier = new Barrier(2);
   * barrier.abort();
   * barrier.reset();
   * strictEqual(barrier.broken, false);
   * ```
   */
  reset(): void {
    const words = this.#words;
    runSync(this.#resetSteps(words));
  }

  *#resetSteps(words: Int32Array): Steps<void> {
    if (!this.#core.mutex.tryAcquire()) yield* this.#lockSteps();
    try {
      if (Atomics.load(words, COUNT) > 0) {
        const state = Atomics.load(words, STATE);
        // Break the waiters now; the last to leave sets FILLING.
        if (state === FILLING || state === BROKEN) {
          Atomics.store(words, STATE, RESETTING);
        }
      } else {
        Atomics.store(words, STATE, FILLING);
      }
      this.#core.notify(Infinity);
    } finally {
      this.#core.mutex.release();
    }
  }

  /**
   * Breaks the barrier: every thread waiting now, and every later `wait`,
   * gets a {@linkcode BrokenBarrierError} until {@linkcode Barrier.reset}.
   *
   * @example Abort wakes the waiters
   * ```ts
   * import { Barrier, BrokenBarrierError } from "@parallel/parallel";
   * import { rejects } from "node:assert/strict";
   *
   * const barrier = new Barrier(2);
   * const waiting = barrier.wait();
   * barrier.abort();
   * await rejects(waiting, BrokenBarrierError);
   * ```
   */
  abort(): void {
    runSync(this.#abortSteps());
  }

  *#abortSteps(): Steps<void> {
    if (!this.#core.mutex.tryAcquire()) yield* this.#lockSteps();
    try {
      this.#break();
    } finally {
      this.#core.mutex.release();
    }
  }
}

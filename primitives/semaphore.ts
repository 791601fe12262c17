import { runAsync, runSync, type Steps, wake } from "./_futex.ts";
import {
  type Handle,
  Layout,
  pinned,
  Rebuild,
  registerKind,
  track,
} from "./_handle.ts";
import {
  checkInteger,
  parseWait,
  type WaitOptions,
} from "../internal/options.ts";
import { guard } from "../internal/guard.ts";
import { timeoutError } from "../internal/timeout_error.ts";

// Words: [magic, value, sleepers, bound]; bound is -1 when unbounded.
const VALUE = 1;
const SLEEPERS = 2;
const BOUND = 3;
const WORDS = 4;
const MAX_VALUE = 0x7fffffff;

const semaphoreLayout = new Layout("Semaphore", 0x53454d41, WORDS);
const boundedLayout = new Layout("BoundedSemaphore", 0x42534d41, WORDS);
const rebuild = new Rebuild<Int32Array>();

/**
 * A counting semaphore shared by the main thread and any number of Workers,
 * like Python's `threading.Semaphore`: `acquire` takes one permit, waiting
 * while there is none; `release(n)` returns `n` permits and lets up to `n`
 * waiters through.
 *
 * Pass it to a Worker as `semaphore.handle` and rebuild it there with
 * {@linkcode Semaphore.from}. Times are in milliseconds.
 *
 * @example Limit concurrency to two
 * ```ts
 * import { Semaphore } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * const slots = new Semaphore(2);
 * strictEqual(slots.tryAcquire(), true);
 * strictEqual(slots.tryAcquire(), true);
 * strictEqual(slots.tryAcquire(), false);
 * slots.release(2);
 * strictEqual(slots.value, 2);
 * ```
 */
export class Semaphore {
  #words: Int32Array;

  static {
    registerKind(
      "Semaphore",
      Semaphore.from,
      Semaphore,
      (semaphore: Semaphore) => semaphore.#layout().handle(semaphore.#words),
    );
  }

  /**
   * Creates a semaphore with `value` permits.
   *
   * @param value The number of permits, a non-negative integer (default 1).
   * @throws {TypeError} If `value` is not a number.
   * @throws {RangeError} If `value` is negative or not an integer.
   *
   * @example No permits: every acquire waits
   * ```ts
   * import { Semaphore } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Semaphore(0).tryAcquire(), false);
   * ```
   */
  constructor(value?: number) {
    if (value === undefined) value = 1;
    const opened = rebuild.take();
    this.#words = opened ?? this.#create(value);
    track(this, this.#words, opened !== undefined, this.#layout().kind);
  }

  #create(value: unknown): Int32Array {
    const kind = this.#layout().kind;
    checkInteger(`Cannot create ${kind}`, "value", value, 0, MAX_VALUE);
    const words = this.#layout().allocate();
    words[VALUE] = value as number;
    words[BOUND] = this instanceof BoundedSemaphore ? value as number : -1;
    return words;
  }

  #layout(): Layout {
    return this instanceof BoundedSemaphore ? boundedLayout : semaphoreLayout;
  }

  /**
   * Rebuilds a semaphore from its {@linkcode Semaphore.handle}.
   *
   * @param handle A handle made by `semaphore.handle`.
   * @returns A Semaphore that shares the original's permits.
   * @throws {TypeError} If `handle` is not the handle of a Semaphore.
   *
   * @example Share the permits
   * ```ts
   * import { Semaphore } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(1);
   * Semaphore.from(semaphore.handle).acquireSync();
   * strictEqual(semaphore.value, 0);
   * ```
   */
  static from(handle: Handle): Semaphore {
    return rebuild.with(semaphoreLayout.open(handle), () => new Semaphore());
  }

  /**
   * A structured-cloneable handle for `postMessage`; see
   * {@linkcode Semaphore.from}.
   *
   * @example Read the handle's kind
   * ```ts
   * import { Semaphore } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Semaphore().handle.kind, "Semaphore");
   * ```
   */
  get handle(): Handle {
    return pinned(this.#layout().handle(this.#words));
  }

  /**
   * The number of permits free now (Python's `_value`). Other threads may
   * change it at any moment; use it for diagnostics.
   *
   * @example Permits go down as they are taken
   * ```ts
   * import { Semaphore } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(3);
   * semaphore.acquireSync();
   * strictEqual(semaphore.value, 2);
   * ```
   */
  get value(): number {
    return Atomics.load(this.#words, VALUE);
  }

  /**
   * Takes a permit if one is free, without waiting.
   *
   * @returns `true` if a permit was taken.
   *
   * @example Only as many as there are permits
   * ```ts
   * import { Semaphore } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(1);
   * strictEqual(semaphore.tryAcquire(), true);
   * strictEqual(semaphore.tryAcquire(), false);
   * ```
   */
  tryAcquire(): boolean {
    const words = this.#words;
    for (;;) {
      const value = Atomics.load(words, VALUE);
      if (value <= 0) return false;
      if (Atomics.compareExchange(words, VALUE, value, value - 1) === value) {
        return true;
      }
    }
  }

  *#acquireSteps(deadline: number): Steps<boolean> {
    const words = this.#words;
    for (;;) {
      if (this.tryAcquire()) return true;
      // Announce ourselves before sleeping on 0, so that release() knows to
      // wake; a release in between changes the value and the wait returns.
      Atomics.add(words, SLEEPERS, 1);
      let woke: boolean;
      try {
        woke = yield { view: words, index: VALUE, expected: 0, deadline };
      } finally {
        Atomics.sub(words, SLEEPERS, 1);
      }
      if (!woke) return this.tryAcquire();
    }
  }

  /**
   * Takes a permit without blocking the event loop, waiting for one if need
   * be.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns `true` once a permit is taken, `false` if the timeout passed.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {unknown} The signal's reason, if it aborts the wait.
   *
   * @example Wait for a permit that another task returns
   * ```ts
   * import { Semaphore } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(0);
   * setTimeout(() => semaphore.release(), 5);
   * strictEqual(await semaphore.acquire({ timeout: 1000 }), true);
   * ```
   */
  acquire(options?: WaitOptions): Promise<boolean> {
    try {
      const { deadline, signal } = parseWait(this.#where("acquire"), options);
      signal?.throwIfAborted();
      if (this.tryAcquire()) return Promise.resolve(true);
      return runAsync(this.#acquireSteps(deadline), signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Takes a permit, blocking the thread while it waits for one.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal` that is
   * checked before the thread blocks.
   * @returns `true` once a permit is taken, `false` if the timeout passed.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {unknown} The signal's reason, if it is already aborted.
   *
   * @example Time out when no permit comes
   * ```ts
   * import { Semaphore } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Semaphore(0).acquireSync({ timeout: 5 }), false);
   * ```
   */
  acquireSync(options?: WaitOptions): boolean {
    if (options === undefined && this.tryAcquire()) return true;
    const { deadline, signal } = parseWait(this.#where("acquire"), options);
    signal?.throwIfAborted();
    return this.tryAcquire() || runSync(this.#acquireSteps(deadline), signal);
  }

  /**
   * Returns `n` permits and wakes up to `n` waiters.
   *
   * @param n How many permits to return, a positive integer (default 1).
   * @throws {TypeError} If `n` is not a number.
   * @throws {RangeError} If `n` is not a positive integer, or (for a
   * {@linkcode BoundedSemaphore}) if it would raise the value above its
   * initial value.
   *
   * @example Release several at once
   * ```ts
   * import { Semaphore } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(0);
   * semaphore.release(3);
   * strictEqual(semaphore.value, 3);
   * ```
   */
  release(n = 1): void {
    const words = this.#words;
    checkInteger(this.#where("release"), "n", n, 1, MAX_VALUE);
    const bound = Atomics.load(words, BOUND);
    for (;;) {
      const value = Atomics.load(words, VALUE);
      if (value + n > (bound < 0 ? MAX_VALUE : bound)) {
        throw new RangeError(
          bound < 0
            ? `${this.#where("release")}: the value would exceed ${MAX_VALUE}`
            : `${
              this.#where("release")
            }: released too many times (value ${value} + ${n} would exceed its initial value ${bound})`,
        );
      }
      if (Atomics.compareExchange(words, VALUE, value, value + n) === value) {
        break;
      }
    }
    if (Atomics.load(words, SLEEPERS) > 0) wake(words, VALUE, n);
  }

  /**
   * Takes a permit and returns a guard for `await using`, which gives
   * the permit back at the end of the block: Python's `with semaphore:`.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns A guard that gives the permit back when disposed (at the end
   * of the block), once.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   *
   * @example Hold a permit for a block
   * ```ts
   * import { Semaphore } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(1);
   * {
   *   await using _ = await semaphore.hold();
   *   strictEqual(semaphore.value, 0);
   * }
   * strictEqual(semaphore.value, 1);
   * ```
   */
  async hold(
    options?: WaitOptions,
  ): Promise<Disposable & AsyncDisposable> {
    if (!await this.acquire(options)) {
      throw timeoutError(this.#layout().kind, options);
    }
    return guard(() => this.release());
  }

  /**
   * Takes a permit, blocking the thread, and returns a guard for
   * `using`.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns A guard that gives the permit back when disposed (at the end
   * of the block), once.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   *
   * @example Hold a permit for a block
   * ```ts
   * import { Semaphore } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new Semaphore(1);
   * {
   *   using _ = semaphore.holdSync();
   *   strictEqual(semaphore.value, 0);
   * }
   * strictEqual(semaphore.value, 1);
   * ```
   */
  holdSync(options?: WaitOptions): Disposable {
    if (!this.acquireSync(options)) {
      throw timeoutError(this.#layout().kind, options);
    }
    return guard(() => this.release());
  }

  #where(verb: string): string {
    return `Cannot ${verb} ${this.#layout().kind}`;
  }
}

/**
 * A semaphore that refuses to be released above its initial value, like
 * Python's `threading.BoundedSemaphore`: an extra release is a bug, and it
 * throws a `RangeError` instead of silently adding a permit.
 *
 * @example An extra release throws
 * ```ts
 * import { BoundedSemaphore } from "@parallel/parallel";
 * import { throws } from "node:assert/strict";
 *
 * const semaphore = new BoundedSemaphore(1);
 * semaphore.acquireSync();
 * semaphore.release();
 * throws(() => semaphore.release(), RangeError);
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /**
   * Rebuilds a bounded semaphore from its handle.
   *
   * @param handle A handle made by `boundedSemaphore.handle`.
   * @returns A BoundedSemaphore that shares the original's permits.
   * @throws {TypeError} If `handle` is not the handle of a BoundedSemaphore.
   *
   * @example Share the permits
   * ```ts
   * import { BoundedSemaphore } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const semaphore = new BoundedSemaphore(2);
   * BoundedSemaphore.from(semaphore.handle).acquireSync();
   * strictEqual(semaphore.value, 1);
   * ```
   */
  static override from(handle: Handle): BoundedSemaphore {
    return rebuild.with(
      boundedLayout.open(handle),
      () => new BoundedSemaphore(),
    );
  }
}

// A BoundedSemaphore is a Semaphore: the accessor of Semaphore serves both.
registerKind("BoundedSemaphore", BoundedSemaphore.from);

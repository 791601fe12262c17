import {
  type Handle,
  Layout,
  pinned,
  Rebuild,
  registerKind,
  track,
} from "./_handle.ts";
import {
  abandonIfHeld,
  Mutex,
  MUTEX_WORDS,
  registerMutexOwner,
} from "./_mutex.ts";
import { registerReaper } from "./_reap.ts";
import type { WaitOptions } from "../internal/options.ts";
import { guard } from "../internal/guard.ts";
import { timeoutError } from "../internal/timeout_error.ts";

const layout = new Layout("Lock", 0x4c4f434b, MUTEX_WORDS);
const rebuild = new Rebuild<Int32Array>();

/**
 * A mutual-exclusion lock shared by the main thread and any number of
 * Workers, like Python's `threading.Lock`. It is not reentrant: a second
 * acquire by the holding thread waits. Any thread may release it.
 *
 * Pass it to a Worker as `lock.handle` and rebuild it there with
 * {@linkcode Lock.from}. Times are in milliseconds.
 *
 * @example Guard a shared counter
 * ```ts
 * import { Lock } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * const lock = new Lock();
 * const counter = new Int32Array(new SharedArrayBuffer(4));
 * {
 *   await using _ = await lock.hold();
 *   counter[0]! += 1;
 * }
 * strictEqual(counter[0], 1);
 * strictEqual(lock.locked, false);
 * ```
 */
export class Lock {
  #mutex: Mutex;

  static {
    registerKind(
      "Lock",
      Lock.from,
      Lock,
      (lock: Lock) => layout.handle(lock.#mutex.words),
    );
    registerMutexOwner(Lock, (lock) => lock.#mutex);
  }

  /**
   * Creates an unlocked lock.
   *
   * @example A new lock is free
   * ```ts
   * import { Lock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Lock().locked, false);
   * ```
   */
  constructor() {
    const opened = rebuild.take();
    const words = opened ?? layout.allocate();
    track(this, words, opened !== undefined, "Lock");
    this.#mutex = new Mutex(words, "Lock", false);
  }

  /**
   * Rebuilds a lock from its {@linkcode Lock.handle}, in any thread.
   *
   * @param handle A handle made by `lock.handle`.
   * @returns A Lock that shares the original's state.
   * @throws {TypeError} If `handle` is not the handle of a Lock.
   *
   * @example Share a lock with a worker
   * ```ts
   * import { Lock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * const copy = Lock.from(structuredClone(lock.handle));
   * copy.acquireSync();
   * strictEqual(lock.locked, true);
   * lock.release();
   * ```
   */
  static from(handle: Handle): Lock {
    return rebuild.with(layout.open(handle), () => new Lock());
  }

  /**
   * A structured-cloneable handle to send to a Worker (with `postMessage`),
   * where {@linkcode Lock.from} turns it back into the same lock.
   *
   * @example Read the handle's kind
   * ```ts
   * import { Lock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Lock().handle.kind, "Lock");
   * ```
   */
  get handle(): Handle {
    return pinned(layout.handle(this.#mutex.words));
  }

  /**
   * Whether any thread holds the lock.
   *
   * @example Locked while held
   * ```ts
   * import { Lock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * lock.acquireSync();
   * strictEqual(lock.locked, true);
   * lock.release();
   * ```
   */
  get locked(): boolean {
    return this.#mutex.locked;
  }

  /**
   * Acquires the lock if it is free, without waiting: Python's
   * `acquire(blocking=False)`.
   *
   * @returns `true` if the lock is now held by the caller.
   *
   * @example A held lock cannot be taken again
   * ```ts
   * import { Lock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * strictEqual(lock.tryAcquire(), true);
   * strictEqual(lock.tryAcquire(), false);
   * lock.release();
   * ```
   */
  tryAcquire(): boolean {
    return this.#mutex.tryAcquire();
  }

  /**
   * Acquires the lock without blocking the event loop.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns `true` once acquired, `false` if the timeout passed first.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {unknown} The signal's reason, if it aborts the wait.
   *
   * @example Give up after a timeout
   * ```ts
   * import { Lock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * await lock.acquire();
   * strictEqual(await lock.acquire({ timeout: 10 }), false);
   * lock.release();
   * ```
   */
  acquire(options?: WaitOptions): Promise<boolean> {
    return this.#mutex.acquire(options);
  }

  /**
   * Acquires the lock, blocking the thread (`Atomics.wait`) while it waits.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal` that is
   * checked before the thread blocks.
   * @returns `true` once acquired, `false` if the timeout passed first.
   * @throws {RangeError} If `timeout` is negative or `NaN`.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {unknown} The signal's reason, if it is already aborted.
   *
   * @example Acquire and release
   * ```ts
   * import { Lock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * strictEqual(lock.acquireSync({ timeout: 100 }), true);
   * lock.release();
   * ```
   */
  acquireSync(options?: WaitOptions): boolean {
    return this.#mutex.acquireSync(options);
  }

  /**
   * Releases the lock. Any thread may release it, as in Python.
   *
   * @throws {NotHeldError} If the lock is not held.
   *
   * @example Releasing twice throws
   * ```ts
   * import { Lock, NotHeldError } from "@parallel/parallel";
   * import { throws } from "node:assert/strict";
   *
   * const lock = new Lock();
   * lock.acquireSync();
   * lock.release();
   * throws(() => lock.release(), NotHeldError);
   * ```
   */
  release(): void {
    this.#mutex.release();
  }

  /**
   * Acquires the lock and returns a guard for `await using`, which releases
   * it at the end of the block: Python's `with lock:`.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns A guard that releases the lock when disposed (at the end of
   * the block), once.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   *
   * @example Hold for a block
   * ```ts
   * import { Lock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * {
   *   await using _ = await lock.hold();
   *   strictEqual(lock.locked, true);
   * }
   * strictEqual(lock.locked, false);
   * ```
   */
  async hold(
    options?: WaitOptions,
  ): Promise<Disposable & AsyncDisposable> {
    if (!await this.acquire(options)) throw timeoutError("Lock", options);
    return guard(() => this.release());
  }

  /**
   * Acquires the lock, blocking the thread, and returns a guard for `using`.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns A guard that releases the lock when disposed (at the end of
   * the block), once.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   *
   * @example Hold for a block
   * ```ts
   * import { Lock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new Lock();
   * {
   *   using _ = lock.holdSync();
   *   strictEqual(lock.locked, true);
   * }
   * strictEqual(lock.locked, false);
   * ```
   */
  holdSync(options?: WaitOptions): Disposable {
    if (!this.acquireSync(options)) throw timeoutError("Lock", options);
    return guard(() => this.release());
  }
}

registerReaper(layout, abandonIfHeld);

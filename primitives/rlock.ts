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

const layout = new Layout("RLock", 0x524c434b, MUTEX_WORDS);
const rebuild = new Rebuild<Int32Array>();

/**
 * A reentrant lock shared by the main thread and any number of Workers, like
 * Python's `threading.RLock`: the thread that holds it may acquire it again,
 * and it is free again once that thread has released it as many times. Only
 * the owner may release it.
 *
 * Pass it to a Worker as `rlock.handle` and rebuild it there with
 * {@linkcode RLock.from}. Times are in milliseconds.
 *
 * @example Re-enter from the owning thread
 * ```ts
 * import { getIdent, RLock } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * const rlock = new RLock();
 * rlock.acquireSync();
 * rlock.acquireSync();
 * strictEqual(rlock.owner, getIdent());
 * rlock.release();
 * strictEqual(rlock.locked, true);
 * rlock.release();
 * strictEqual(rlock.locked, false);
 * ```
 */
export class RLock {
  #mutex: Mutex;

  static {
    registerKind(
      "RLock",
      RLock.from,
      RLock,
      (lock: RLock) => layout.handle(lock.#mutex.words),
    );
    registerMutexOwner(RLock, (lock) => lock.#mutex);
  }

  /**
   * Creates an unlocked lock.
   *
   * @example A new lock is free
   * ```ts
   * import { RLock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new RLock().locked, false);
   * ```
   */
  constructor() {
    const opened = rebuild.take();
    const words = opened ?? layout.allocate();
    track(this, words, opened !== undefined, "RLock");
    this.#mutex = new Mutex(words, "RLock", true);
  }

  /**
   * Rebuilds a lock from its {@linkcode RLock.handle}, in any thread.
   *
   * @param handle A handle made by `lock.handle`.
   * @returns An RLock that shares the original's state.
   * @throws {TypeError} If `handle` is not the handle of an RLock.
   *
   * @example Share a lock with a worker
   * ```ts
   * import { RLock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new RLock();
   * const copy = RLock.from(structuredClone(lock.handle));
   * copy.acquireSync();
   * strictEqual(lock.locked, true);
   * lock.release();
   * ```
   */
  static from(handle: Handle): RLock {
    return rebuild.with(layout.open(handle), () => new RLock());
  }

  /**
   * A structured-cloneable handle to send to a Worker (with `postMessage`),
   * where {@linkcode RLock.from} turns it back into the same lock.
   *
   * @example Read the handle's kind
   * ```ts
   * import { RLock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new RLock().handle.kind, "RLock");
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
   * import { RLock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new RLock();
   * lock.acquireSync();
   * strictEqual(lock.locked, true);
   * lock.release();
   * ```
   */
  get locked(): boolean {
    return this.#mutex.locked;
  }

  /**
   * The id of the thread that holds the lock (see {@linkcode getIdent}), or
   * `undefined` when it is free. For diagnostics.
   *
   * @example Free, then owned
   * ```ts
   * import { getIdent, RLock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const rlock = new RLock();
   * strictEqual(rlock.owner, undefined);
   * rlock.acquireSync();
   * strictEqual(rlock.owner, getIdent());
   * rlock.release();
   * ```
   */
  get owner(): number | undefined {
    return this.#mutex.owner || undefined;
  }

  /**
   * How many times the owner has acquired the lock without releasing it; 0
   * when it is free.
   *
   * @example Count the recursion
   * ```ts
   * import { RLock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const rlock = new RLock();
   * rlock.acquireSync();
   * rlock.acquireSync();
   * strictEqual(rlock.count, 2);
   * rlock.release();
   * rlock.release();
   * strictEqual(rlock.count, 0);
   * ```
   */
  get count(): number {
    return this.#mutex.locked ? this.#mutex.count : 0;
  }

  /**
   * Acquires the lock if it is free or already held by the calling thread,
   * without waiting: Python's `acquire(blocking=False)`.
   *
   * @returns `true` if the lock is now held by the caller.
   *
   * @example The owner may take it again
   * ```ts
   * import { RLock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new RLock();
   * strictEqual(lock.tryAcquire(), true);
   * strictEqual(lock.tryAcquire(), true); // the owner re-enters
   * strictEqual(lock.count, 2);
   * lock.release();
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
   * @example The owner acquires again at once
   * ```ts
   * import { RLock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new RLock();
   * await lock.acquire();
   * strictEqual(await lock.acquire({ timeout: 10 }), true);
   * strictEqual(lock.count, 2);
   * lock.release();
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
   * import { RLock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new RLock();
   * strictEqual(lock.acquireSync({ timeout: 100 }), true);
   * lock.release();
   * ```
   */
  acquireSync(options?: WaitOptions): boolean {
    return this.#mutex.acquireSync(options);
  }

  /**
   * Releases the lock once; it is free when the count returns to 0.
   *
   * @throws {NotHeldError} If the calling thread does not hold the lock.
   *
   * @example Releasing twice throws
   * ```ts
   * import { NotHeldError, RLock } from "@parallel/parallel";
   * import { throws } from "node:assert/strict";
   *
   * const lock = new RLock();
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
   * import { RLock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new RLock();
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
    if (!await this.acquire(options)) throw timeoutError("RLock", options);
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
   * import { RLock } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const lock = new RLock();
   * {
   *   using _ = lock.holdSync();
   *   strictEqual(lock.locked, true);
   * }
   * strictEqual(lock.locked, false);
   * ```
   */
  holdSync(options?: WaitOptions): Disposable {
    if (!this.acquireSync(options)) throw timeoutError("RLock", options);
    return guard(() => this.release());
  }
}

registerReaper(layout, abandonIfHeld);

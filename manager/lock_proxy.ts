import { BaseProxy } from "./_proxy.ts";
import type { WaitOptions } from "../internal/options.ts";

/**
 * A Manager's `Lock` (or `RLock`): held by the connection of the thread that
 * acquired it. Any client may release a held `Lock`, as any thread may
 * release Python's; only its holder may release an `RLock`. A client that
 * goes away holding it gives it back, and the next acquirer gets an
 * `AbandonedLockError`, once.
 *
 * @example Hold it
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const lock = await manager.Lock();
 * {
 *   await using _held = await lock.hold();
 *   strictEqual(await lock.locked(), true);
 * }
 * strictEqual(await lock.locked(), false);
 * ```
 */
export class LockProxy extends BaseProxy {
  /** Acquires it; false if the timeout passed first. */
  acquire(options?: WaitOptions): Promise<boolean> {
    return this.callWaiting("acquire", [], options) as Promise<boolean>;
  }
  /** Acquires it if it is free, without waiting. */
  tryAcquire(): Promise<boolean> {
    return this.call("tryAcquire") as Promise<boolean>;
  }
  /**
   * Releases it.
   *
   * @throws {RangeError} If it is not held, or it is an `RLock` that this
   * thread's connection does not hold.
   */
  async release(): Promise<void> {
    await this.call("release");
  }
  /** Whether anyone holds it. */
  locked(): Promise<boolean> {
    return this.call("locked") as Promise<boolean>;
  }
  /**
   * Acquires it and returns what releases it at the end of an
   * `await using` block.
   *
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   */
  async hold(options?: WaitOptions): Promise<AsyncDisposable> {
    if (!await this.acquire(options)) {
      throw new DOMException(
        `Cannot hold the Manager's ${this.kind}: the timeout passed`,
        "TimeoutError",
      );
    }
    return { [Symbol.asyncDispose]: () => this.release() };
  }
  /**
   * `hold`, blocking this thread: acquires it and returns what releases it
   * at the end of a `using` block.
   *
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   */
  holdSync(options?: WaitOptions): Disposable {
    if (!this.acquireSync(options)) {
      throw new DOMException(
        `Cannot hold the Manager's ${this.kind}: the timeout passed`,
        "TimeoutError",
      );
    }
    return { [Symbol.dispose]: () => this.releaseSync() };
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `acquire`, blocking this thread until the Manager answers. */
  acquireSync(options?: WaitOptions): boolean {
    return this.callWaitingSync("acquire", [], options) as boolean;
  }
  /** `tryAcquire`, blocking this thread until the Manager answers. */
  tryAcquireSync(): boolean {
    return this.callSync("tryAcquire") as boolean;
  }
  /** `release`, blocking this thread until the Manager answers. */
  releaseSync(): void {
    this.callSync("release");
  }
  /** `locked`, blocking this thread until the Manager answers. */
  lockedSync(): boolean {
    return this.callSync("locked") as boolean;
  }
}

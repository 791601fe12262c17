import { LockProxy } from "./lock_proxy.ts";
import { parseWait, quote, type WaitOptions } from "../internal/options.ts";

/**
 * A Manager's `Condition`, with a lock of its own held as a Manager RLock is.
 *
 * @example Notify under the lock
 * ```ts
 * import { Manager } from "@parallel/parallel";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const c = await manager.Condition();
 * await c.acquire();
 * await c.notifyAll();
 * await c.release();
 * ```
 */
export class ConditionProxy extends LockProxy {
  /** Waits to be notified (releasing the lock meanwhile); false on timeout. */
  wait(options?: WaitOptions): Promise<boolean> {
    return this.callWaiting("wait", [], options) as Promise<boolean>;
  }
  /**
   * Waits until `predicate()` is truthy, waiting to be notified in between,
   * with the lock held: Python's `wait_for`, a loop on this side as Python's
   * proxy's is. The deadline is computed once, at the call.
   *
   * @param predicate Called with the lock held, first at once, then after
   * each wake-up; it may be async (to read other proxies).
   * @returns The predicate's last value (falsy if the timeout passed).
   */
  async waitFor<T>(
    predicate: () => T | Promise<T>,
    options?: WaitOptions,
  ): Promise<T> {
    const deadline = waitDeadline("Condition.waitFor()", predicate, options);
    let result = await predicate();
    while (!result) {
      const timeout = deadline - performance.now();
      if (timeout <= 0) return result;
      await this.wait({ ...options, timeout });
      result = await predicate();
    }
    return result;
  }
  /** Wakes up to `n` waiters. */
  async notify(n = 1): Promise<void> {
    await this.call("notify", [n]);
  }
  /** Wakes every waiter. */
  async notifyAll(): Promise<void> {
    await this.call("notifyAll");
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `wait`, blocking this thread until the Manager answers. */
  waitSync(options?: WaitOptions): boolean {
    return this.callWaitingSync("wait", [], options) as boolean;
  }
  /** `waitFor`, blocking this thread; `predicate` is not async here. */
  waitForSync<T>(predicate: () => T, options?: WaitOptions): T {
    const deadline = waitDeadline(
      "Condition.waitForSync()",
      predicate,
      options,
    );
    let result = predicate();
    while (!result) {
      const timeout = deadline - performance.now();
      if (timeout <= 0) return result;
      this.waitSync({ ...options, timeout });
      result = predicate();
    }
    return result;
  }
  /** `notify`, blocking this thread until the Manager answers. */
  notifySync(n = 1): void {
    this.callSync("notify", [n]);
  }
  /** `notifyAll`, blocking this thread until the Manager answers. */
  notifyAllSync(): void {
    this.callSync("notifyAll");
  }
}

/** The deadline of a `waitFor`, having checked its arguments. */
function waitDeadline(
  where: string,
  predicate: unknown,
  options: WaitOptions | undefined,
): number {
  if (typeof predicate !== "function") {
    throw new TypeError(
      `${where}: 'predicate' must be a function, received ${quote(predicate)}`,
    );
  }
  return parseWait(where, options).deadline;
}

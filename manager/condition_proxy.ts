import { LockProxy } from "./lock_proxy.ts";
import type { WaitOptions } from "../internal/options.ts";

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
  /** `notify`, blocking this thread until the Manager answers. */
  notifySync(n = 1): void {
    this.callSync("notify", [n]);
  }
  /** `notifyAll`, blocking this thread until the Manager answers. */
  notifyAllSync(): void {
    this.callSync("notifyAll");
  }
}

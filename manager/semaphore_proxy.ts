import { BaseProxy } from "./_proxy.ts";
import type { WaitOptions } from "../internal/options.ts";

/**
 * A Manager's `Semaphore` (or `BoundedSemaphore`).
 *
 * @example Two permits
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const s = await manager.Semaphore(2);
 * await s.acquire();
 * strictEqual(await s.value(), 1);
 * await s.release();
 * ```
 */
export class SemaphoreProxy extends BaseProxy {
  /** Takes a permit; false if the timeout passed first. */
  acquire(options?: WaitOptions): Promise<boolean> {
    return this.callWaiting("acquire", [], options) as Promise<boolean>;
  }
  /** Takes a permit if one is free, without waiting. */
  tryAcquire(): Promise<boolean> {
    return this.call("tryAcquire") as Promise<boolean>;
  }
  /** Gives back `n` permits (a bounded one refuses more than it had). */
  async release(n = 1): Promise<void> {
    await this.call("release", [n]);
  }
  /** The permits free now. */
  value(): Promise<number> {
    return this.call("value") as Promise<number>;
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
  releaseSync(n = 1): void {
    this.callSync("release", [n]);
  }
  /** `value`, blocking this thread until the Manager answers. */
  valueSync(): number {
    return this.callSync("value") as number;
  }
}

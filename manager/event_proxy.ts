import { BaseProxy } from "./_proxy.ts";
import type { WaitOptions } from "../internal/options.ts";

/**
 * A Manager's `Event`.
 *
 * @example Set, then wait
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const e = await manager.Event();
 * await e.set();
 * strictEqual(await e.wait({ timeout: 1000 }), true);
 * ```
 */
export class EventProxy extends BaseProxy {
  /** Sets the flag, waking every waiter. */
  async set(): Promise<void> {
    await this.call("set");
  }
  /** Clears the flag. */
  async clear(): Promise<void> {
    await this.call("clear");
  }
  /** Whether the flag is set. */
  isSet(): Promise<boolean> {
    return this.call("isSet") as Promise<boolean>;
  }
  /** Waits for the flag; false if the timeout passed first. */
  wait(options?: WaitOptions): Promise<boolean> {
    return this.callWaiting("wait", [], options) as Promise<boolean>;
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `set`, blocking this thread until the Manager answers. */
  setSync(): void {
    this.callSync("set");
  }
  /** `clear`, blocking this thread until the Manager answers. */
  clearSync(): void {
    this.callSync("clear");
  }
  /** `isSet`, blocking this thread until the Manager answers. */
  isSetSync(): boolean {
    return this.callSync("isSet") as boolean;
  }
  /** `wait`, blocking this thread until the Manager answers. */
  waitSync(options?: WaitOptions): boolean {
    return this.callWaitingSync("wait", [], options) as boolean;
  }
}

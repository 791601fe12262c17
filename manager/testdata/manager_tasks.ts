// Tasks that manager_test.ts runs in processes and threads, on proxies.

import type {
  DictProxy,
  EventProxy,
  ListProxy,
  LockProxy,
  NamespaceProxy,
  ValueProxy,
} from "../mod.ts";

/** The tutorial's user_input: reverse, and add 1.0 to d["x"] and to n.y. */
export async function userInput(
  l: ListProxy,
  d: DictProxy<string, number>,
  n: NamespaceProxy,
): Promise<void> {
  await l.reverse();
  await d.set("x", (await d.get("x"))! + 1.0);
  await n.set("y", (await n.get("y") as number) + 1.0);
}

/** `times` read-change-write increments of a Value under a Lock. */
export async function count(
  lock: LockProxy,
  value: ValueProxy<number>,
  times: number,
): Promise<number> {
  for (let i = 0; i < times; i++) {
    await lock.acquire();
    try {
      await value.set(await value.get() + 1);
    } finally {
      await lock.release();
    }
  }
  return times;
}

/** Acquires the lock, says so, and waits to be killed. */
export async function holdForever(lock: LockProxy, held: ValueProxy<boolean>) {
  await lock.acquire();
  await held.set(true);
  await new Promise(() => {});
}

/** `userInput` with the proxies' Sync methods, which block this thread. */
export function userInputSync(
  l: ListProxy,
  d: DictProxy<string, number>,
  n: NamespaceProxy,
): void {
  l.reverseSync();
  d.setSync("x", d.getSync("x")! + 1.0);
  n.setSync("y", (n.getSync("y") as number) + 1.0);
}

/** `count` with the Sync methods. */
export function countSync(
  lock: LockProxy,
  value: ValueProxy<number>,
  times: number,
): number {
  for (let i = 0; i < times; i++) {
    using _held = lock.holdSync();
    value.setSync(value.getSync() + 1);
  }
  return times;
}

/** Acquires the lock with `acquireSync` and returns, holding it. */
export function acquireSync(lock: LockProxy): boolean {
  return lock.acquireSync();
}

/**
 * Says it has begun, acquires the lock with `acquireSync` (it may wait
 * there for good), then blocks this thread for good: only terminating it
 * stops it.
 */
export function acquireSyncForever(lock: LockProxy, begun: EventProxy): never {
  begun.setSync();
  lock.acquireSync();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  throw new Error("unreachable");
}

/**
 * Python's parallelism toolbox for Deno: locks, semaphores, events,
 * conditions, barriers, queues, shared values and pipes that work across Web
 * Workers, built on SharedArrayBuffer and Atomics; and threads, thread pools
 * and futures (also at `@parallel/parallel/pools`). The asyncio family, for
 * the tasks of one event loop, is at `@parallel/parallel/async`.
 *
 * Every blocking call has an async face that never blocks the event loop and
 * a `Sync` face that blocks the thread, and every wait takes
 * `{ timeout, signal }` with the timeout in **milliseconds**.
 *
 * @example A lock shared by two threads
 * ```ts
 * import { Lock } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * const lock = new Lock();
 * const sameLock = Lock.from(lock.handle); // what a Worker would do
 * sameLock.acquireSync();
 * strictEqual(lock.tryAcquire(), false);
 * sameLock.release();
 * ```
 *
 * @module
 */
export * from "./primitives/mod.ts";
export * from "./pools/mod.ts";
export * from "./manager/mod.ts";

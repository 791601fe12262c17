/**
 * Python's `asyncio` synchronization primitives and structured concurrency,
 * for the tasks that share one event loop: {@linkcode Lock},
 * {@linkcode Semaphore}, {@linkcode BoundedSemaphore}, {@linkcode Event},
 * {@linkcode Condition}, {@linkcode Barrier}, the queues
 * ({@linkcode Queue}, {@linkcode LifoQueue}, {@linkcode PriorityQueue}),
 * {@linkcode TaskGroup}, and {@linkcode timeout} / {@linkcode timeoutAt}.
 *
 * They are plain promises: no SharedArrayBuffer, no Atomics, so they are
 * lighter than the cross-worker primitives of `@parallel/parallel`, whose
 * methods they share (less the `Sync` faces) and whose errors they throw.
 * Waiters are served strictly in arrival order. Every wait takes
 * `{ timeout, signal }`, the timeout in **milliseconds**, and `using` /
 * `await using` release what `hold()` took.
 *
 * What JavaScript already has is not made again:
 *
 * | Python `asyncio` | Deno |
 * | --- | --- |
 * | `await asyncio.gather(*aws)` | `await Promise.all(promises)` |
 * | `gather(*aws, return_exceptions=True)` | `await Promise.allSettled(promises)` |
 * | `asyncio.wait(aws, return_when=FIRST_COMPLETED)` | `await Promise.race(promises)` |
 * | `asyncio.wait(aws, return_when=FIRST_EXCEPTION)` | a {@linkcode TaskGroup} |
 * | `asyncio.wait_for(aw, timeout)` | `await timeout(ms, (signal) => …)` |
 * | `async with asyncio.timeout(delay):` | `await timeout(ms, (signal) => …)` |
 * | `async with asyncio.TaskGroup() as tg:` | `await using tg = new TaskGroup()` |
 * | `tg.create_task(coro)` | `tg.start((signal) => …)` |
 * | `task.cancel()` | `controller.abort()` on the task's `AbortSignal` |
 * | `asyncio.sleep(seconds)` | `new Promise((r) => setTimeout(r, ms))` |
 * | `asyncio.CancelledError` | the signal's reason (an `AbortError` DOMException) |
 * | `asyncio.TimeoutError` | a `TimeoutError` DOMException |
 *
 * @example Workers share a queue under a time limit
 * ```ts
 * import { Queue, TaskGroup, timeout } from "@parallel/parallel/async";
 * import { strictEqual } from "node:assert/strict";
 *
 * const queue = new Queue<number>();
 * for (let i = 1; i <= 10; i++) queue.putNowait(i);
 * let sum = 0;
 * await timeout(1000, async (signal) => {
 *   await using tg = new TaskGroup({ signal });
 *   for (let w = 0; w < 3; w++) {
 *     tg.start(async () => {
 *       while (!queue.empty()) {
 *         const n = await queue.get();
 *         sum += n;
 *       }
 *     });
 *   }
 * });
 * strictEqual(sum, 55);
 * ```
 *
 * @module
 */
export type { WaitOptions } from "../internal/options.ts";
export {
  BrokenBarrierError,
  NotHeldError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
} from "../primitives/errors.ts";
export * from "./lock.ts";
export * from "./semaphore.ts";
export * from "./event.ts";
export * from "./condition.ts";
export * from "./barrier.ts";
export * from "./queue.ts";
export * from "./task_group.ts";
export * from "./timeout.ts";

/**
 * Synchronization primitives that work across Web Workers, on
 * SharedArrayBuffer and Atomics, with the semantics of Python's `threading`:
 * {@linkcode Lock}, {@linkcode RLock}, {@linkcode Semaphore},
 * {@linkcode BoundedSemaphore}, {@linkcode Event}, {@linkcode Condition} and
 * {@linkcode Barrier}; Python's `queue` module ({@linkcode Queue},
 * {@linkcode LifoQueue}, {@linkcode PriorityQueue}, {@linkcode SimpleQueue});
 * and `multiprocessing`'s {@linkcode Value}, {@linkcode SharedArray} and
 * {@linkcode Pipe}.
 *
 * Each is passed to a Worker as `x.handle` and rebuilt there with
 * `X.from(handle)`. Times are in milliseconds.
 *
 * @example Share an event with a worker's view of it
 * ```ts
 * import { Event } from "@parallel/parallel/primitives";
 * import { strictEqual } from "node:assert/strict";
 *
 * const ready = new Event();
 * Event.from(ready.handle).set(); // in a Worker, in real use
 * strictEqual(await ready.wait({ timeout: 10 }), true);
 * ```
 *
 * @module
 */
export type { Handle } from "./_handle.ts";
export type { MemoryRef, SegmentRef } from "./_memory.ts";
export type { WaitOptions } from "../internal/options.ts";
export { getIdent } from "./_thread.ts";
export * from "./errors.ts";
export * from "./lock.ts";
export * from "./rlock.ts";
export * from "./semaphore.ts";
export * from "./event.ts";
export * from "./condition.ts";
export * from "./barrier.ts";
export * from "./queue.ts";
export * from "./value.ts";
export * from "./shared_array.ts";
export * from "./pipe.ts";

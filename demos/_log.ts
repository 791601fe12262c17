// What the demos share: a log line as Python's logging prints one with
// "%(threadName)s : %(message)s", after the seconds since the demo began,
// and a sleep that blocks the thread, as Python's time.sleep does.

import { currentThread } from "../mod.ts";

/**
 * Prints `message` with the calling thread's name and the seconds since
 * `origin` (a `Date.now()` of the demo's start, passed to each thread: a
 * Worker's own clock starts with it).
 */
export function log(origin: number, message: unknown): void {
  const seconds = ((Date.now() - origin) / 1000).toFixed(2);
  console.log(
    `[${seconds.padStart(5)} s] ${currentThread().name} : ${message}`,
  );
}

const nap = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the calling thread for `ms` milliseconds: Python's `time.sleep`. */
export function sleep(ms: number): void {
  Atomics.wait(nap, 0, 0, ms);
}

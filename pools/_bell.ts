// The pool's doorbell: one shared word that workers bump after each
// response, so that the main thread waits on a single word for any of them.
// A waiter count lets a worker skip Atomics.notify when nobody sleeps.

import { runAsync, type Steps, wake } from "../primitives/_internals.ts";

const SEQ = 0;
const WAITERS = 1;

/** A new bell: [sequence, sleeping waiters]. */
export function createBell(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

/** Announces a response (worker side). */
export function ringBell(bell: Int32Array): void {
  Atomics.add(bell, SEQ, 1);
  if (Atomics.load(bell, WAITERS) !== 0) wake(bell, SEQ);
}

/** The bell's sequence, read before looking for responses. */
export function bellSeq(bell: Int32Array): number {
  return Atomics.load(bell, SEQ);
}

function* waitSteps(bell: Int32Array, seen: number): Steps<void> {
  Atomics.add(bell, WAITERS, 1);
  try {
    // Registered first, checked second: a worker that rings after our
    // check sees us waiting and notifies (both are sequentially consistent).
    if (Atomics.load(bell, SEQ) === seen) {
      yield { view: bell, index: SEQ, expected: seen, deadline: Infinity };
    }
  } finally {
    Atomics.sub(bell, WAITERS, 1);
  }
}

/** Waits, without blocking the event loop, until the bell rings after `seen`. */
export function waitBell(
  bell: Int32Array,
  seen: number,
  signal: AbortSignal,
): Promise<void> {
  return runAsync(waitSteps(bell, seen), signal);
}

/**
 * How long a thread that expects work soon keeps looking before it sleeps
 * (ms). Waking a sleeping thread costs about 50 µs here; a tiny task's whole
 * round trip is a few µs, so a short spin keeps a busy pool from sleeping
 * between tasks.
 */
export const SPIN_MS = 0.05;

/** Spins until `ready()` or `SPIN_MS` has passed; returns `ready()`. */
export function spinUntil(ready: () => boolean, ms = SPIN_MS): boolean {
  const end = performance.now() + ms;
  do {
    for (let i = 0; i < 64; i++) if (ready()) return true;
  } while (performance.now() < end);
  return false;
}

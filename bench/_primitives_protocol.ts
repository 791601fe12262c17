// The messages between bench/primitives_bench.ts and its Workers
// (bench/_primitives_worker.ts), and the layout of their shared words.

import type { Handle } from "../mod.ts";

/** What the main thread shares once, before any iteration. */
export interface Shared {
  ping: Handle; // Event
  pong: Handle; // Event
  pingSemaphore: Handle; // Semaphore(0)
  pongSemaphore: Handle; // Semaphore(0)
  condition: Handle; // Condition (its default RLock)
  lock: Handle; // Lock of the contended counter
  /** [turn of the Condition ping-pong, raw futex word, spin word, counter] */
  words: SharedArrayBuffer;
}

/** One message from the main thread. */
export type Request =
  | { op: "init"; shared: Shared }
  | { op: "echo" }
  | { op: "count"; n: number }
  | { op: `${Case}-${"ping" | "pong"}`; rounds: number };

/** The ping-pong cases. */
export type Case = "event" | "semaphore" | "condition" | "futex" | "spin";

export const TURN = 0;
export const FUTEX = 1;
export const SPIN = 2;
export const COUNTER = 3;
export const WORDS = 4;

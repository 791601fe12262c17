// Tasks that get primitives of this module from their parent process
// (pools/process_shared_test.ts, through shared_program.ts).

import type { Event, Lock, Queue, SharedArray, Value } from "../../mod.ts";

/** Adds 1 to `value` under `lock`, `times` times. */
export function count(lock: Lock, value: Value<"i32">, times: number): void {
  for (let i = 0; i < times; i++) {
    lock.acquireSync();
    value.value = value.value + 1;
    lock.release();
  }
}

/** The tutorial's user_input: num.value += 1.0, then doubles each element. */
export function userInput(num: Value<"f32">, arr: SharedArray<"i32">): void {
  console.log(`${num.value.toFixed(2)} [${arr.toArray().join(", ")}]`);
  num.value += 1;
  for (let i = 0; i < arr.length; i++) arr.set(i, arr.get(i) * 2);
}

/** Puts `n` numbered items from `producer` into `queue`, then sets `done`. */
export async function produce(
  queue: Queue<[number, number]>,
  done: Event,
  producer: number,
  n: number,
): Promise<number> {
  for (let i = 0; i < n; i++) await queue.put([producer, i]);
  done.set();
  return n;
}

/** Holds `lock` and never gives it back: its process is killed holding it. */
export function holdForever(lock: Lock, held: Event): void {
  lock.acquireSync();
  held.set();
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}

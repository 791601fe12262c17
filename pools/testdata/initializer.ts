// An initializer module for pools/thread_pool_test.ts: `setup` runs once per
// worker and the tasks report what it left behind.

import type { Value } from "../../mod.ts";

let setups = 0;
let greeting = "";

/** The initializer: counts its runs in this worker, and in `counter` if given. */
export function setup(prefix: string, counter?: Value<"i32">): void {
  setups++;
  greeting = prefix;
  counter?.add(1);
}

/** Greets `name` with the prefix `setup` received. */
export function greet(name: string): string {
  return `${greeting} ${name}`;
}

/** How many times `setup` ran in this worker. */
export function setupRuns(): number {
  return setups;
}

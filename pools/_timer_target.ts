// What a Timer's thread runs: it finds the Timer's own target, waits until
// the Timer's deadline unless the Timer is cancelled first, then runs the
// target once, as Python's `Timer.run()` does.

import type { Event } from "../primitives/event.ts";
import type { Value } from "../primitives/value.ts";
import { compileFunction, SCOPE_HINT } from "./_function_source.ts";

/**
 * Waits out the interval (`deadline` is on the `Date.now()` clock, set when
 * the Timer started) and runs the target, unless `cancelled` is set first.
 */
export async function fire(
  cancelled: Event,
  deadline: Value<"f64">,
  module: string | undefined,
  source: string,
  args: unknown[],
): Promise<void> {
  // The target is found first, so that it runs at the deadline, not a
  // module load later.
  const fn = module === undefined
    ? compileFunction(source)
    : (await import(module))[source];
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot run Timer: ${
        JSON.stringify(module)
      } has no function export named ${JSON.stringify(source)}`,
    );
  }
  const timeout = Math.max(0, deadline.value - Date.now());
  if (await cancelled.wait({ timeout })) return;
  try {
    await fn(...args);
  } catch (error) {
    if (error instanceof ReferenceError && module === undefined) {
      error.message += SCOPE_HINT;
    }
    throw error;
  }
}

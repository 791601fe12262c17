// Timers of any length. `setTimeout` takes at most 2^31 - 1 ms (about 24.8
// days) and fires a longer delay after about 1 ms; a timer here waits its
// whole delay, in steps. Every delay of this module that a user gives
// (task and idle timeouts, timeouts of the single-loop family and of
// futures) goes through it.

/** The longest delay one `setTimeout` honours. */
export const MAX_DELAY = 0x7fffffff;

/** A pending timer of {@linkcode setLongTimeout}. */
export interface LongTimer {
  /** Stops the timer; the callback will not run. */
  clear(): void;
}

const NEVER: LongTimer = { clear() {} };

/**
 * Runs `callback` once, `ms` milliseconds from now (never, for `Infinity`).
 * With `unref`, the timer does not keep the program alive.
 */
export function setLongTimeout(
  callback: () => void,
  ms: number,
  options: { unref?: boolean } = {},
): LongTimer {
  if (ms === Infinity) return NEVER;
  const deadline = performance.now() + ms;
  let id: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const left = deadline - performance.now();
    const timer = left > MAX_DELAY
      ? setTimeout(arm, MAX_DELAY)
      : setTimeout(() => {
        id = undefined;
        callback();
      }, Math.max(0, left));
    if (options.unref) Deno.unrefTimer(timer);
    id = timer;
  };
  arm();
  return {
    clear() {
      if (id !== undefined) clearTimeout(id);
      id = undefined;
    },
  };
}

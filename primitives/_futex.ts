// The one place that calls Atomics.wait / waitAsync / notify.
//
// Every blocking algorithm of this module is written once, as a generator
// that yields the futex waits it needs ("sleep while words[index] is
// expected, until deadline") and receives `true` when it should look again or
// `false` when the deadline passed. `runSync` drives it with Atomics.wait,
// `runAsync` with Atomics.waitAsync, so the two faces of every call share
// their logic. An abort is thrown into the generator, which may still wait
// (a Condition re-acquires its lock) before it lets the error out.
//
// There are two ways to sleep, chosen by the kind of memory: on a
// SharedArrayBuffer, Atomics.wait and waitAsync; on memory that processes
// share (`_memory.ts`), which Atomics.wait refuses, the futex system call
// through FFI (`_ffi.ts`), whose async face runs on another thread.

import { futexWait, futexWaitAsync, futexWake } from "./_ffi.ts";
import { SLEEPERS, sleepersOf } from "./_segment.ts";

/** One futex wait: sleep while `view[index] === expected`, until `deadline`. */
export interface FutexWait {
  readonly view: Int32Array;
  readonly index: number;
  readonly expected: number;
  /** On the `performance.now()` clock; `Infinity` for none. */
  readonly deadline: number;
}

/** A blocking algorithm, written once for both faces. */
export type Steps<T> = Generator<FutexWait, T, boolean>;

// Spinning before sleeping turns a 45 µs futex round trip into well under a
// microsecond when the other side answers quickly (ARCHITECTURE.md, "The
// futex driver"). The async
// face spins less: it runs on an event loop that may be the very thread the
// answer has to come from.
const SPIN_SYNC = 4000;
const SPIN_ASYNC = 200;

function spin(view: Int32Array, index: number, expected: number, n: number) {
  for (let i = 0; i < n; i++) {
    if (Atomics.load(view, index) !== expected) return true;
  }
  return false;
}

function remaining(deadline: number): number {
  return deadline === Infinity ? Infinity : deadline - performance.now();
}

/**
 * Called before each blocking wait, and at least every GUARD_SLICE_MS while
 * it lasts, when set: a pool's worker uses it to end its thread when the
 * task that blocks was stopped (a thread that blocks cannot be told so any
 * other way).
 */
let guard: (() => void) | undefined;
const GUARD_SLICE_MS = 50;

/** Sets (or clears) the check that blocking waits of this thread run. */
export function setWaitGuard(check: (() => void) | undefined): void {
  guard = check;
}

/**
 * The longest sleep of one futex call on memory that processes share: a
 * Worker terminated while it sleeps there stops only once the call returns,
 * and a call that the async face left behind (aborted) holds a thread until
 * then.
 */
const FFI_SLICE_MS = 100;

/** Blocks the thread on one wait; `false` when the deadline has passed. */
function waitSync(wait: FutexWait): boolean {
  const { view, index, expected, deadline } = wait;
  let ms = remaining(deadline);
  if (ms <= 0) return false;
  if (spin(view, index, expected, SPIN_SYNC)) return true;
  ms = remaining(deadline);
  if (ms <= 0) return false;
  if (!(view.buffer instanceof SharedArrayBuffer)) return sleepSync(wait, ms);
  if (guard === undefined) {
    return Atomics.wait(view, index, expected, ms) !== "timed-out";
  }
  for (;;) {
    guard();
    const slice = Math.min(ms, GUARD_SLICE_MS);
    if (Atomics.wait(view, index, expected, slice) !== "timed-out") {
      return true;
    }
    ms = remaining(deadline);
    if (ms <= 0) return false;
  }
}

/**
 * Counts a sleeper on memory that processes share, in its segment's header:
 * a wake that finds none skips the system call (about 3.5 µs). Sequentially
 * consistent both ways, so no wake-up is lost: a sleeper counts itself and
 * then the futex compares the word; a waker changes the word and then reads
 * the count. Either the waker sees the sleeper, or the futex sees the change.
 */
function asleep(view: Int32Array, by: 1 | -1): void {
  const sleepers = sleepersOf(view.buffer);
  if (sleepers !== undefined) Atomics.add(sleepers, SLEEPERS, by);
}

/** `waitSync`'s sleep on memory that processes share, in slices. */
function sleepSync(
  { view, index, expected, deadline }: FutexWait,
  ms: number,
): boolean {
  asleep(view, 1);
  try {
    for (;;) {
      guard?.();
      if (futexWait(view, index, expected, Math.min(ms, FFI_SLICE_MS))) {
        return true;
      }
      if (Atomics.load(view, index) !== expected) return true;
      ms = remaining(deadline);
      if (ms <= 0) return false;
    }
  } finally {
    asleep(view, -1);
  }
}

// Deno's Atomics.waitAsync does not keep the event loop alive (Deno issue
// 15358): while any async wait is pending, hold one ref'd timer.
let pendingWaits = 0;
let keepAlive: ReturnType<typeof setInterval> | undefined;

function hold(): void {
  if (pendingWaits++ === 0) keepAlive = setInterval(() => {}, 0x7fffffff);
}

function unhold(): void {
  if (--pendingWaits === 0) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

/** Waits without blocking the thread; rejects with the signal's reason. */
function waitAsync(
  { view, index, expected, deadline }: FutexWait,
  signal: AbortSignal | undefined,
): boolean | Promise<boolean> {
  let ms = remaining(deadline);
  if (ms <= 0) return false;
  if (spin(view, index, expected, SPIN_ASYNC)) return true;
  ms = remaining(deadline);
  if (ms <= 0) return false;
  if (!(view.buffer instanceof SharedArrayBuffer)) {
    return sleepAsync({ view, index, expected, deadline }, ms, signal);
  }
  const result = Atomics.waitAsync(
    view,
    index,
    expected,
    ms === Infinity ? undefined : ms,
  );
  if (!result.async) return result.value !== "timed-out";
  hold();
  return new Promise<boolean>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      unhold();
      // Our waitAsync stays queued on the word until something wakes it, and
      // a later notify(1) could wake it instead of a live waiter: wake every
      // waiter of the word, they all look again.
      Atomics.notify(view, index);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    result.value.then((outcome) => {
      if (settled) return;
      settled = true;
      unhold();
      signal?.removeEventListener("abort", onAbort);
      resolve(outcome !== "timed-out");
    });
  });
}

/**
 * `waitAsync`'s sleep on memory that processes share: a futex call on
 * another thread, in slices. An abort wakes every sleeper of the word (so
 * that the call it leaves behind takes no wake-up from a live waiter) and
 * rejects at once.
 */
function sleepAsync(
  { view, index, expected, deadline }: FutexWait,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  asleep(view, 1);
  return new Promise<boolean>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      asleep(view, -1);
      futexWake(view, index, 0x7fffffff);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const sleep = (slice: number): void => {
      futexWaitAsync(view, index, expected, slice).then((woken) => {
        if (settled) return;
        const changed = woken || Atomics.load(view, index) !== expected;
        const left = remaining(deadline);
        if (!changed && left > 0) return sleep(Math.min(left, FFI_SLICE_MS));
        settled = true;
        asleep(view, -1);
        signal?.removeEventListener("abort", onAbort);
        resolve(changed);
      });
    };
    sleep(Math.min(ms, FFI_SLICE_MS));
  });
}

/** Runs a blocking algorithm on this thread, with Atomics.wait. */
export function runSync<T>(steps: Steps<T>, signal?: AbortSignal): T {
  let step = steps.next();
  while (!step.done) {
    if (signal?.aborted) {
      const reason = signal.reason;
      signal = undefined;
      step = steps.throw(reason);
    } else {
      step = steps.next(waitSync(step.value));
    }
  }
  return step.value;
}

/** Runs a blocking algorithm without blocking the event loop. */
export async function runAsync<T>(
  steps: Steps<T>,
  signal?: AbortSignal,
): Promise<T> {
  let step = steps.next();
  while (!step.done) {
    let woke: boolean;
    try {
      if (signal?.aborted) throw signal.reason;
      woke = await waitAsync(step.value, signal);
    } catch (reason) {
      // Only an abort rejects: hand it to the algorithm, once.
      signal = undefined;
      step = steps.throw(reason);
      continue;
    }
    step = steps.next(woke);
  }
  return step.value;
}

/**
 * Wakes up to `count` threads sleeping on `view[index]` (all by default).
 *
 * @returns How many it woke.
 */
export function wake(view: Int32Array, index: number, count?: number): number {
  if (view.buffer instanceof SharedArrayBuffer) {
    return Atomics.notify(view, index, count);
  }
  // A read-modify-write, not a load: a full fence, so that even a plain
  // store the caller made to the word is seen before the count is read.
  const sleepers = sleepersOf(view.buffer);
  if (sleepers !== undefined && Atomics.add(sleepers, SLEEPERS, 0) === 0) {
    return 0; // nobody sleeps in the futex (see `asleep`)
  }
  return futexWake(view, index, count ?? 0x7fffffff);
}

// The FIFO of tasks waiting on one primitive of the single-loop family.
//
// Every primitive here hands what it releases straight to the first waiter
// (the lock stays locked, the permit never shows in `value`, a queue item is
// promised to the getter), so a task that releases and re-acquires at once
// goes to the back of the line: strict arrival order, as asyncio's tests
// expect. A waiter leaves the line in O(1)
// when its timeout passes or its signal aborts (a doubly linked list), and
// each leaving path detaches the other two, so a waiter is settled exactly
// once: either granted, or timed out, or aborted.

import { MAX_DELAY } from "../internal/timers.ts";
import { parseWait, type WaitOptions } from "../internal/options.ts";

/** A settled promise to hand back from fast paths without allocating. */
export const TRUE: Promise<boolean> = Promise.resolve(true);
/** See {@linkcode TRUE}. */
export const FALSE: Promise<boolean> = Promise.resolve(false);
/** See {@linkcode TRUE}. */
export const DONE: Promise<void> = Promise.resolve();

/**
 * The milliseconds left of a validated `timeout` option: `Infinity` for
 * none. `parseWait` has checked it; this only reads it.
 */
export function msOf(options: { timeout?: number } | undefined): number {
  return options?.timeout ?? Infinity;
}

/** One waiting task. It is its own abort listener (`handleEvent`). */
export class Waiter<T> {
  prev: Waiter<T> | undefined = undefined;
  next: Waiter<T> | undefined = undefined;
  resolve!: (value: T) => void;
  reject!: (reason: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** When its timeout passes (`performance.now()`), or `Infinity`. */
  deadline = Infinity;
  /** Its timeout (ms), for the error of a wait that times out. */
  timeout = Infinity;
  readonly list: WaiterList<T>;
  readonly signal: AbortSignal | undefined;
  /** What the waiter brings along, such as the item of a blocked `put`. */
  readonly payload: unknown;

  constructor(list: WaiterList<T>, signal?: AbortSignal, payload?: unknown) {
    this.list = list;
    this.signal = signal;
    this.payload = payload;
  }

  /** The signal aborted while the task was still in line. */
  handleEvent(): void {
    this.list.remove(this);
    this.reject(this.signal!.reason);
  }
}

/** A FIFO of waiters, each with an optional timeout and abort signal. */
export class WaiterList<T> {
  #head: Waiter<T> | undefined = undefined;
  #tail: Waiter<T> | undefined = undefined;
  #size = 0;
  /** What a timed-out wait resolves with; it may throw instead. */
  readonly #timedOut: (timeout: number) => T;
  // One function for every timer of the list: the waiter travels as the
  // timer's argument, so no closure is made per wait.
  readonly #onTimer = (waiter: Waiter<T>): void => {
    waiter.timer = undefined;
    const left = waiter.deadline - performance.now();
    if (left > 0) {
      // A timeout longer than one `setTimeout` takes: wait the rest.
      waiter.timer = setTimeout(
        this.#onTimer,
        Math.min(left, MAX_DELAY),
        waiter,
      );
      return;
    }
    this.remove(waiter);
    let outcome: T;
    try {
      outcome = this.#timedOut(waiter.timeout);
    } catch (error) {
      waiter.reject(error);
      return;
    }
    waiter.resolve(outcome);
  };

  /**
   * @param timedOut Called with a wait's timeout (ms) when it passes, for
   * the value the wait resolves with, or an error to reject with (thrown).
   */
  constructor(timedOut: (timeout: number) => T) {
    this.#timedOut = timedOut;
  }

  /** How many tasks wait (aborted and timed-out ones have left). */
  get size(): number {
    return this.#size;
  }

  /**
   * Puts a task at the back of the line.
   *
   * @param ms Its timeout in milliseconds, `Infinity` for none.
   * @param signal Aborts the wait: the promise rejects with its reason.
   * @param payload Kept on the waiter for whoever grants it.
   * @returns What the waiter is granted, or the timeout's outcome.
   */
  add(ms: number, signal?: AbortSignal, payload?: unknown): Promise<T> {
    const waiter = new Waiter(this, signal, payload);
    const promise = new Promise<T>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    const tail = this.#tail;
    if (tail === undefined) this.#head = waiter;
    else {
      tail.next = waiter;
      waiter.prev = tail;
    }
    this.#tail = waiter;
    this.#size++;
    if (ms !== Infinity) {
      waiter.deadline = performance.now() + ms;
      waiter.timeout = ms;
      waiter.timer = setTimeout(
        this.#onTimer,
        Math.min(ms, MAX_DELAY),
        waiter,
      );
    }
    signal?.addEventListener("abort", waiter);
    return promise;
  }

  /**
   * Takes a waiter out of the line and stops its timer and its abort
   * listener. Does nothing to a waiter that is no longer in line.
   */
  remove(waiter: Waiter<T>): void {
    const { prev, next } = waiter;
    if (prev === undefined) {
      if (this.#head !== waiter) return; // already out of line
      this.#head = next;
    } else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    waiter.prev = waiter.next = undefined;
    this.#size--;
    if (waiter.timer !== undefined) {
      clearTimeout(waiter.timer);
      waiter.timer = undefined;
    }
    waiter.signal?.removeEventListener("abort", waiter);
  }

  /** Takes the first waiter out of the line, or `undefined`. */
  shift(): Waiter<T> | undefined {
    const waiter = this.#head;
    if (waiter !== undefined) this.remove(waiter);
    return waiter;
  }

  /** Grants `value` to the first waiter; `false` if nobody waits. */
  grant(value: T): boolean {
    const waiter = this.shift();
    if (waiter === undefined) return false;
    waiter.resolve(value);
    return true;
  }

  /** Grants `value` to every waiter, in order. */
  grantAll(value: T): void {
    for (let waiter = this.shift(); waiter; waiter = this.shift()) {
      waiter.resolve(value);
    }
  }

  /** Rejects every waiter, in order, each with a fresh error. */
  rejectAll(error: () => unknown): void {
    for (let waiter = this.shift(); waiter; waiter = this.shift()) {
      waiter.reject(error());
    }
  }
}

/**
 * Acquires, with options, what a primitive hands out one at a time (a lock,
 * a permit): checks the options, takes it if `take()` can, or else waits in
 * `waiters`. A grant and an abort can land in the same tick (it was handed
 * over, then the signal aborted before the waiter could run): such a waiter
 * hands it on (`handOn`) instead of keeping it.
 */
export function acquireWaiting(
  where: string,
  options: WaitOptions | undefined,
  take: () => boolean,
  waiters: WaiterList<boolean>,
  handOn: () => void,
): Promise<boolean> {
  let signal: AbortSignal | undefined;
  try {
    ({ signal } = parseWait(where, options));
    signal?.throwIfAborted();
  } catch (error) {
    return Promise.reject(error);
  }
  if (take()) return TRUE;
  const ms = msOf(options);
  if (ms <= 0) return FALSE;
  const granted = waiters.add(ms, signal);
  return signal === undefined
    ? granted
    : unlessAborted(granted, signal, handOn);
}

async function unlessAborted(
  granted: Promise<boolean>,
  signal: AbortSignal,
  handOn: () => void,
): Promise<boolean> {
  if (!await granted) return false;
  if (signal.aborted) {
    handOn();
    throw signal.reason;
  }
  return true;
}

// The condition-variable core shared by Condition and Barrier.
//
// Words: [magic, capacity, ticket, highWater, waiting, then per slot:
// state, ticket].
// Each waiter sleeps on a slot of its own, so that notify(n) wakes exactly n
// of them (Python's tests count them) and no wake-up is spurious or lost.
// Slots change only while the condition's lock is held.

import { NotHeldError } from "./errors.ts";
import { type Steps, wake } from "./_futex.ts";
import { Layout } from "./_handle.ts";
import type { Mutex } from "./_mutex.ts";
import { checkInteger, checkObject } from "./_options.ts";

const CAPACITY = 1;
const TICKET = 2;
const HIGH_WATER = 3;
export const WAITING_COUNT = 4; // slots in the WAITING state: notify skips the scan at 0
const HEADER = 5;
const FREE = 0;
const WAITING = 1;
const NOTIFIED = 2;
const DEFAULT_MAX_WAITERS = 128;

export const conditionLayout = new Layout("Condition", 0x434f4e44, HEADER);

export class CondVar {
  readonly words: Int32Array;
  readonly mutex: Mutex;

  constructor(words: Int32Array, mutex: Mutex) {
    this.words = words;
    this.mutex = mutex;
  }

  /** Whether opened words have the size their capacity says. */
  static fits(words: Int32Array): boolean {
    return words.length === HEADER + 2 * Atomics.load(words, CAPACITY);
  }

  checkOwned(verb: string): void {
    if (!this.mutex.isOwned()) {
      throw new NotHeldError(
        `Cannot ${verb} Condition: this thread does not hold its lock`,
      );
    }
  }

  /** Takes a free slot and a ticket that orders it among the waiters. */
  #claim(): number {
    const words = this.words;
    const capacity = Atomics.load(words, CAPACITY);
    for (let i = 0; i < capacity; i++) {
      const at = HEADER + 2 * i;
      if (Atomics.compareExchange(words, at, FREE, WAITING) === FREE) {
        Atomics.store(words, at + 1, Atomics.add(words, TICKET, 1));
        Atomics.add(words, WAITING_COUNT, 1);
        if (i >= Atomics.load(words, HIGH_WATER)) {
          Atomics.store(words, HIGH_WATER, i + 1);
        }
        return at;
      }
    }
    throw new RangeError(
      `Cannot wait on Condition: all ${capacity} waiter slots are taken (raise 'maxWaiters')`,
    );
  }

  *waitSteps(deadline: number): Steps<boolean> {
    this.checkOwned("wait on");
    const words = this.words;
    const at = this.#claim();
    const saved = this.mutex.saveAndRelease();
    let failure: { reason: unknown } | undefined;
    try {
      for (;;) {
        const woke = yield {
          view: words,
          index: at,
          expected: WAITING,
          deadline,
        };
        if (!woke || Atomics.load(words, at) !== WAITING) break;
      }
    } catch (reason) {
      failure = { reason };
    }
    // Python re-acquires the lock before returning, even on a timeout. An
    // abort may also arrive while we re-acquire (after a notify): keep it for
    // later and acquire again, or we would leave without the lock, our slot
    // taken and the wake-up lost. The driver throws an abort only once.
    for (;;) {
      try {
        yield* this.mutex.restoreSteps(saved);
        break;
      } catch (reason) {
        failure ??= { reason };
      }
    }
    const notified = Atomics.exchange(words, at, FREE) === NOTIFIED;
    if (!notified) Atomics.sub(words, WAITING_COUNT, 1);
    if (failure) {
      // An aborted waiter that was also notified passes the wake-up on.
      if (notified) this.notify(1);
      throw failure.reason;
    }
    return notified;
  }

  *waitForSteps<T>(predicate: () => T, deadline: number): Steps<T> {
    // Check before the first call too: the predicate reads shared state that
    // only the lock protects, and it may be true (or the timeout 0) at once.
    this.checkOwned("wait on");
    let result = predicate();
    while (!result && performance.now() < deadline) {
      yield* this.waitSteps(deadline);
      result = predicate();
    }
    return result;
  }

  /** Wakes up to n waiters, oldest first; the caller holds the lock. */
  notify(n: number): void {
    const words = this.words;
    if (Atomics.load(words, WAITING_COUNT) === 0) return;
    const high = Atomics.load(words, HIGH_WATER);
    for (; n > 0; n--) {
      let oldest = -1;
      let oldestTicket = 0;
      for (let at = HEADER; at < HEADER + 2 * high; at += 2) {
        if (Atomics.load(words, at) !== WAITING) continue;
        const ticket = Atomics.load(words, at + 1);
        // Tickets wrap around; compare them by their difference.
        if (oldest < 0 || ((ticket - oldestTicket) | 0) < 0) {
          oldest = at;
          oldestTicket = ticket;
        }
      }
      if (oldest < 0) return;
      Atomics.store(words, oldest, NOTIFIED);
      Atomics.sub(words, WAITING_COUNT, 1);
      wake(words, oldest, 1);
    }
  }
}

export function allocateCondVar(
  options: { maxWaiters?: number } | undefined,
): Int32Array {
  checkObject("Cannot create Condition", "options", options);
  const capacity = checkInteger(
    "Cannot create Condition",
    "maxWaiters",
    options?.maxWaiters ?? DEFAULT_MAX_WAITERS,
    1,
    0x100000,
  );
  const words = conditionLayout.allocate(HEADER + 2 * capacity);
  words[CAPACITY] = capacity;
  return words;
}

/** The core behind each Condition, for Barrier to find. */
export const condVarOf: WeakMap<object, CondVar> = new WeakMap();

// The condition-variable core shared by Condition and Barrier (and so by
// every queue's conditions).
//
// Words: [magic, capacity, ticket, highWater, waiting, then per slot:
// state, ticket, owner].
// Each waiter sleeps on a slot of its own, so that notify(n) wakes exactly n
// of them (Python's tests count them) and no wake-up is spurious or lost.
// A slot is claimed with the condition's lock held; it leaves the WAITING
// state by compare-and-swap, so that a notifier and the reaper of a dead
// thread (which holds no lock) never both take it. `owner` is the waiting
// thread's id: the slots of a thread that is gone are freed by
// `releaseWaiters`, and a wake-up it was given but could not take is passed
// on.

import { NotHeldError } from "./errors.ts";
import { type Steps, wake } from "./_futex.ts";
import { type AnyClass, Layout } from "./_handle.ts";
import { registerReaper } from "./_reap.ts";
import type { Mutex } from "./_mutex.ts";
import { checkInteger, checkObject } from "../internal/options.ts";
import { getIdent } from "./_thread.ts";

const CAPACITY = 1;
const TICKET = 2;
const HIGH_WATER = 3;
export const WAITING_COUNT = 4; // slots in the WAITING state: notify skips the scan at 0
const HEADER = 5;
/** Words per waiter slot: state, ticket, owner. */
const SLOT = 3;
const FREE = 0;
const WAITING = 1;
const NOTIFIED = 2;
const DEFAULT_MAX_WAITERS = 128;

export const conditionLayout = new Layout("Condition", 0x434f4e44, HEADER, {
  variable: true,
});

export class CondVar {
  readonly words: Int32Array;
  readonly mutex: Mutex;

  constructor(words: Int32Array, mutex: Mutex) {
    this.words = words;
    this.mutex = mutex;
  }

  /** Whether opened words have the size their capacity says. */
  static fits(words: Int32Array): boolean {
    return words.length === HEADER + SLOT * Atomics.load(words, CAPACITY);
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
      const at = HEADER + SLOT * i;
      if (Atomics.compareExchange(words, at, FREE, WAITING) === FREE) {
        Atomics.store(words, at + 1, Atomics.add(words, TICKET, 1));
        Atomics.store(words, at + 2, getIdent());
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

  /**
   * Wakes up to n waiters, oldest first; the caller holds the lock (or is
   * the reaper passing on a dead thread's wake-up).
   */
  notify(n: number): void {
    notifySlots(this.words, n);
  }
}

function notifySlots(words: Int32Array, n: number): void {
  while (n > 0 && Atomics.load(words, WAITING_COUNT) > 0) {
    const high = Atomics.load(words, HIGH_WATER);
    let oldest = -1;
    let oldestTicket = 0;
    for (let at = HEADER; at < HEADER + SLOT * high; at += SLOT) {
      if (Atomics.load(words, at) !== WAITING) continue;
      const ticket = Atomics.load(words, at + 1);
      // Tickets wrap around; compare them by their difference.
      if (oldest < 0 || ((ticket - oldestTicket) | 0) < 0) {
        oldest = at;
        oldestTicket = ticket;
      }
    }
    if (oldest < 0) return;
    // Lost only to the reaper of a dead thread: look again.
    if (
      Atomics.compareExchange(words, oldest, WAITING, NOTIFIED) !== WAITING
    ) continue;
    Atomics.sub(words, WAITING_COUNT, 1);
    wake(words, oldest, 1);
    n--;
  }
}

/**
 * Frees the waiter slots of thread `ident` in the condition whose words
 * are `all[base..end)`; a wake-up it was given and did not take goes to the
 * next waiter. For the reaper of a thread that has ended (`_reap.ts`).
 */
export function releaseWaiters(
  all: Int32Array,
  base: number,
  end: number,
  ident: number,
): void {
  // Plain looks first, as the reaper walks many conditions: a slot's owner
  // is written before the slot can be a dead thread's.
  const high = all[base + HIGH_WATER]!;
  for (let i = 0; i < high; i++) {
    const at = base + HEADER + SLOT * i;
    if (all[at + 2] !== ident) continue;
    if (Atomics.compareExchange(all, at, WAITING, FREE) === WAITING) {
      Atomics.sub(all, base + WAITING_COUNT, 1);
    } else if (
      Atomics.compareExchange(all, at, NOTIFIED, FREE) === NOTIFIED
    ) {
      notifySlots(all.subarray(base, end), 1);
    }
  }
}

/** The words of a new condition over the lock whose words are `lock`. */
export function allocateCondVar(
  options: { maxWaiters?: number } | undefined,
  lock: Int32Array,
): Int32Array {
  checkObject("Cannot create Condition", "options", options);
  const capacity = checkInteger(
    "Cannot create Condition",
    "maxWaiters",
    options?.maxWaiters ?? DEFAULT_MAX_WAITERS,
    1,
    0x100000,
  );
  const words = conditionLayout.allocate(HEADER + SLOT * capacity, [lock]);
  Atomics.store(words, CAPACITY, capacity);
  return words;
}

registerReaper(conditionLayout, releaseWaiters);

let owner: [AnyClass, (value: object) => CondVar] | undefined;

/** Records that instances of `cls` (Condition) have a core, read by `read`. */
export function registerCondVarOwner<C extends object>(
  cls: AnyClass<C>,
  read: (value: C) => CondVar,
): void {
  owner = [cls, read as (value: object) => CondVar];
}

/**
 * The core behind each Condition, for Barrier and the queues to find (read
 * from the instance's own field: no table entry per condition).
 */
export const condVarOf = {
  get(value: unknown): CondVar | undefined {
    return owner !== undefined && value instanceof owner[0]
      ? owner[1](value)
      : undefined;
  },
};

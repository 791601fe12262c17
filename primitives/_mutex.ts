// The mutex core shared by Lock and RLock (and, through them, Condition).
//
// One word holds both the state and the owner: 0 is free, otherwise
// `ownerId << 1 | contended`. This is the three-state futex of Drepper's
// "Futexes Are Tricky" (free, locked, locked with waiters), with the owner's
// thread id folded in, so that an uncontended acquire is a single
// compareExchange and the owner of a lock is always known (for RLock, for
// Condition's ownership check, and to find a lock held by a dead worker).

import { AbandonedLockError, NotHeldError } from "./errors.ts";
import type { AnyClass } from "./_handle.ts";
import { runAsync, runSync, type Steps, wake } from "./_futex.ts";
import { parseWait, type WaitOptions } from "../internal/options.ts";
import { getIdent, MAX_THREAD_ID } from "./_thread.ts";

/** Word indices of a mutex layout: [magic, state, count]. */
export const STATE = 1;
export const COUNT = 2;
export const MUTEX_WORDS = 3;

const CONTENDED = 1;
/**
 * The owner id that marks a lock whose owner died holding it: above every
 * thread id, so no live thread can own a lock that looks abandoned.
 */
const ABANDONED = MAX_THREAD_ID + 1;
/**
 * How many times an acquirer looks for a free lock before it marks the lock
 * contended and sleeps. Critical sections are often far shorter than a
 * futex wake-up (a queue's is a few hundred ns): if the holder releases
 * while we look, it had nobody to wake, and skips Atomics.notify.
 */
const SPIN_ACQUIRE = 1000;

export class Mutex {
  readonly words: Int32Array;
  readonly kind: string;
  readonly reentrant: boolean;

  constructor(words: Int32Array, kind: string, reentrant: boolean) {
    this.words = words;
    this.kind = kind;
    this.reentrant = reentrant;
  }

  /** This thread's id as it appears in the state word. */
  #me(): number {
    return getIdent() << 1;
  }

  get locked(): boolean {
    return Atomics.load(this.words, STATE) !== 0;
  }

  /** The id of the owning thread, or 0 when free. */
  get owner(): number {
    return Atomics.load(this.words, STATE) >>> 1;
  }

  /** The recursion count of an RLock. */
  get count(): number {
    return Atomics.load(this.words, COUNT);
  }

  isOwned(): boolean {
    return (Atomics.load(this.words, STATE) & ~CONTENDED) === this.#me();
  }

  /** Re-entry for an RLock's owner: bumps the count. */
  #reenter(): boolean {
    if (!this.reentrant || !this.isOwned()) return false;
    Atomics.add(this.words, COUNT, 1);
    return true;
  }

  tryAcquire(): boolean {
    const seen = Atomics.compareExchange(this.words, STATE, 0, this.#me());
    if (seen === 0) {
      if (this.reentrant) Atomics.store(this.words, COUNT, 1);
      return true;
    }
    if (seen >>> 1 === ABANDONED) this.#recover(seen);
    return this.#reenter();
  }

  /**
   * The first thread to find the lock abandoned frees it and throws: it
   * learns that what the lock guarded may be half-changed, and the lock
   * works again for everyone after it.
   */
  #recover(seen: number): void {
    if (Atomics.compareExchange(this.words, STATE, seen, 0) !== seen) return;
    Atomics.store(this.words, COUNT, 0);
    wake(this.words, STATE);
    throw new AbandonedLockError(
      `Cannot acquire ${this.kind}: its owner died holding it, so what it guards may be inconsistent; the lock is free again`,
    );
  }

  /** Acquires, waiting until `deadline`; the caller tried `tryAcquire` first. */
  *acquireSteps(deadline: number): Steps<boolean> {
    const words = this.words;
    const me = this.#me();
    const mine = me | CONTENDED;
    const spins = deadline <= performance.now() ? 0 : SPIN_ACQUIRE;
    for (let i = 0; i < spins; i++) {
      const state = Atomics.load(words, STATE);
      if (state === 0) {
        if (Atomics.compareExchange(words, STATE, 0, me) === 0) {
          if (this.reentrant) Atomics.store(words, COUNT, 1);
          return true;
        }
      } else if (state & CONTENDED) {
        break; // others sleep already: queue up behind them
      }
    }
    for (;;) {
      let state = Atomics.load(words, STATE);
      if (state >>> 1 === ABANDONED) {
        this.#recover(state);
        continue;
      }
      if (state === 0) {
        // Someone may still sleep behind us: take it as contended, so that
        // our release wakes them (Drepper's mutex2).
        if (Atomics.compareExchange(words, STATE, 0, mine) === 0) break;
        continue;
      }
      if ((state & CONTENDED) === 0) {
        const seen = Atomics.compareExchange(words, STATE, state, state | 1);
        if (seen !== state) continue;
        state |= CONTENDED;
      }
      const woke = yield {
        view: words,
        index: STATE,
        expected: state,
        deadline,
      };
      if (!woke) {
        if (Atomics.compareExchange(words, STATE, 0, mine) === 0) break;
        return false;
      }
    }
    if (this.reentrant) Atomics.store(words, COUNT, 1);
    return true;
  }

  /** The sync face of `acquire`, as every lock-like class exposes it. */
  acquireSync(options: WaitOptions | undefined): boolean {
    if (options === undefined && this.tryAcquire()) return true;
    const { deadline, signal } = parseWait(
      `Cannot acquire ${this.kind}`,
      options,
    );
    signal?.throwIfAborted();
    return this.tryAcquire() || runSync(this.acquireSteps(deadline), signal);
  }

  /** The async face of `acquire`. */
  acquire(options: WaitOptions | undefined): Promise<boolean> {
    try {
      if (options === undefined && this.tryAcquire()) {
        return Promise.resolve(true);
      }
      const { deadline, signal } = parseWait(
        `Cannot acquire ${this.kind}`,
        options,
      );
      signal?.throwIfAborted();
      if (this.tryAcquire()) return Promise.resolve(true);
      return runAsync(this.acquireSteps(deadline), signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Releases once; a Lock may be released by any thread, an RLock not. */
  release(): void {
    const words = this.words;
    if (this.reentrant) {
      if (!this.isOwned()) {
        throw new NotHeldError(
          this.locked
            ? `Cannot release ${this.kind}: it is held by thread ${this.owner}, not by this thread (${getIdent()})`
            : `Cannot release ${this.kind}: it is not held`,
        );
      }
      if (Atomics.sub(words, COUNT, 1) > 1) return;
    } else if (
      Atomics.compareExchange(words, STATE, this.#me(), 0) === this.#me()
    ) {
      return; // the uncontended fast path
    }
    for (;;) {
      const state = Atomics.load(words, STATE);
      if (state === 0) {
        throw new NotHeldError(`Cannot release ${this.kind}: it is not held`);
      }
      if (Atomics.compareExchange(words, STATE, state, 0) === state) {
        if (state & CONTENDED) wake(words, STATE, 1);
        return;
      }
    }
  }

  /** Releases completely for Condition.wait; returns what restore needs. */
  saveAndRelease(): number {
    const count = this.reentrant ? Atomics.exchange(this.words, COUNT, 1) : 1;
    this.release();
    return count;
  }

  /** Re-acquires after Condition.wait, with no deadline, as Python does. */
  *restoreSteps(count: number): Steps<void> {
    if (!this.tryAcquire()) yield* this.acquireSteps(Infinity);
    if (this.reentrant) Atomics.store(this.words, COUNT, count);
  }
}

/**
 * Marks the lock whose words start at `all[base]` abandoned if thread
 * `ident` holds it, and wakes its waiters: the next acquirer gets an
 * AbandonedLockError instead of waiting forever. For the reaper of a thread
 * that has ended (`_reap.ts`).
 */
export function abandonIfHeld(
  all: Int32Array,
  base: number,
  _end: number,
  ident: number,
): void {
  const at = base + STATE;
  // A plain look first (the reaper walks many locks): it cannot miss a lock
  // the dead thread holds, whose word nobody but a releaser writes.
  if (all[at]! >>> 1 !== ident) return;
  for (;;) {
    const state = Atomics.load(all, at);
    if (state >>> 1 !== ident) return;
    const abandoned = ABANDONED << 1 | (state & CONTENDED);
    if (Atomics.compareExchange(all, at, state, abandoned) === state) {
      wake(all, at);
      return;
    }
  }
}

/**
 * The classes whose instances have a mutex (Lock, RLock), and how to read
 * it: from the instance's own field, so that making a lock adds no entry to
 * a table (a WeakMap entry costs more than the rest of a new Lock).
 */
const owners: [AnyClass, (value: object) => Mutex][] = [];

/** Records that instances of `cls` have a mutex, which `read` returns. */
export function registerMutexOwner<C extends object>(
  cls: AnyClass<C>,
  read: (value: C) => Mutex,
): void {
  owners.push([cls, read as (value: object) => Mutex]);
}

/** The mutex behind each Lock and RLock, for Condition to find. */
export const mutexOf = {
  get(value: unknown): Mutex | undefined {
    for (const [cls, read] of owners) {
      if (value instanceof cls) return read(value);
    }
    return undefined;
  },
  has(value: unknown): boolean {
    return mutexOf.get(value) !== undefined;
  },
};

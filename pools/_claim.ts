// Claim words: how a pool and a worker thread agree, in shared memory, on
// whether a task runs. Each place in a worker's line has one word; the
// worker's n-th request (STOP aside) uses word `claimIndex(n)` on both sides,
// counted the same way, so a request carries no index of its own and can be
// encoded once, at submit. Reusing a word is safe: the pool never has more
// than CLAIM_WORDS requests of one worker unanswered (MAX_DEPTH, `_lane.ts`).
//
// The pool sends a task QUEUED; the worker takes it (QUEUED -> CLAIMED) or
// finds that the pool took it back first (QUEUED -> CANCELLED), each with a
// compare-and-swap, so that a task runs at most once. A running task whose
// future is aborted or times out is marked so (CLAIMED -> ABORTED or
// TIMED_OUT): its code can see it (`taskSignal()`), and its worker leaves as
// soon as the task's code gives control back. A Thread's target has a claim
// word too (INFO_TASK of its info block), CLAIMED while it runs.

import { ABORTED, MAX_DEPTH, TIMED_OUT } from "./_lane.ts";

export const QUEUED = 0;
export const CLAIMED = 1;
export const CANCELLED = 2;
/** A stopped task's word holds the reason its lane was given. */
export { ABORTED, TIMED_OUT };

/** The words of one worker's line. */
export const CLAIM_WORDS = MAX_DEPTH;

/** The word of a worker's n-th request (counted from 0). */
export function claimIndex(n: number): number {
  return n % CLAIM_WORDS;
}

/** A new set of claim words for one worker. */
export function createClaims(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * CLAIM_WORDS));
}

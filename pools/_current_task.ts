// Which task this thread runs now, as the word that says whether its future
// was aborted or timed out (a claim word, `_claim.ts`): set by a pool's
// worker around each task and by a Thread's worker for its target, read by
// `taskSignal()` and by the worker when it decides whether to leave.

import { ABORTED } from "./_claim.ts";

/** A claim word: a view and the index of the word in it. */
export interface TaskWord {
  readonly view: Int32Array;
  readonly index: number;
}

let current: TaskWord | undefined;

/** Marks the start (a word) or the end (undefined) of a task here. */
export function setCurrentTask(word: TaskWord | undefined): void {
  current = word;
}

/** The word of the task this thread runs, if any. */
export function currentTask(): TaskWord | undefined {
  return current;
}

/** Whether a claim word says that its task's future was aborted or timed out. */
export function isStopped(word: TaskWord): boolean {
  return Atomics.load(word.view, word.index) >= ABORTED;
}

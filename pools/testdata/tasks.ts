// Task module for pools/thread_pool_test.ts and pools/thread_test.ts: the
// exports are the named tasks of a ThreadPool (typed end to end) and the
// module targets of a Thread.

import {
  type Event,
  getIdent as threadIdent,
  type Lock,
  type Queue,
  type RLock,
  taskSignal,
  type Value,
} from "../../mod.ts";

/** Adds two numbers. */
export function add(a: number, b: number): number {
  return a + b;
}

/** Doubles a number. */
export function double(n: number): number {
  return n * 2;
}

/** The n-th Fibonacci number, slowly: CPU work. */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** Resolves with `ms` after `ms` milliseconds: an async task. */
export function sleep(ms: number): Promise<number> {
  return new Promise((resolve) => setTimeout(() => resolve(ms), ms));
}

/** An error class of the task module, with a data field of its own. */
export class CustomError extends Error {
  /** Data that travels with the error. */
  data: number;
  /** A string field. */
  code: string;

  /**
   * Creates the error.
   *
   * @param message The message.
   * @param data The data field.
   */
  constructor(message: string, data: number) {
    super(message);
    this.name = "CustomError";
    this.data = data;
    this.code = "E_CUSTOM";
  }
}

/** Throws a CustomError carrying `data`. */
export function throwCustom(message: string, data: number): never {
  throw new CustomError(message, data);
}

/** Throws a built-in RangeError. */
export function throwRange(message: string): never {
  throw new RangeError(message);
}

/** Acquires `lock` (twice for an RLock) and ends its thread with code 3. */
export function holdLock(lock: Lock | RLock, times = 1): never {
  for (let i = 0; i < times; i++) lock.acquireSync();
  Deno.exit(3);
}

/**
 * Acquires `lock`, then computes until the task is stopped, and returns
 * without releasing it.
 */
export function holdLockAndSpin(lock: Lock, started: Event): void {
  lock.acquireSync();
  started.set();
  while (!taskSignal().aborted) {
    // Busy, looking at its signal.
  }
}

/** Returns a function, which cannot be sent back. */
export function returnsFunction(): () => number {
  return () => 1;
}

/** Returns a symbol, which cannot be sent back. */
export function returnsSymbol(): symbol {
  return Symbol("nope");
}

/** The id of the thread that runs the task. */
export function getIdent(): number {
  return threadIdent();
}

/** Stores the running thread's id in `into`. */
export function storeIdent(into: Value<"i32">): void {
  into.value = threadIdent();
}

/** Ends the running worker with `code`. */
export function crash(code: number): never {
  Deno.exit(code);
}

/** Ends the running worker with `globalThis.close()`. */
export function closeSelf(): void {
  (globalThis as unknown as { close(): void }).close();
}

/** Allocates without bound: the worker runs out of memory. */
export function exhaustMemory(): never {
  const kept: number[][] = [];
  for (;;) kept.push(new Array(100_000).fill(1.5));
}

/** Computes until the task is stopped; returns why it was stopped. */
export function spin(): string {
  while (!taskSignal().aborted) {
    // Busy, looking at its signal.
  }
  return taskSignal().reason!.name;
}

/**
 * Computes for `ms` without looking at its signal (nothing can stop it
 * sooner), then sets `done` (if given) and returns `ms`.
 */
export function spinFor(ms: number, done?: Value<"i32">): number {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Busy.
  }
  if (done !== undefined) done.value = 1;
  return ms;
}

let queues: [from: Queue<number>, to: Queue<number>] | undefined;

/**
 * An initializer: the queues that `moveOne` works on, for every task of
 * the worker (so that the tasks' own arguments are plain data).
 */
export function useQueues(from: Queue<number>, to: Queue<number>): void {
  queues = [from, to];
}

/**
 * Takes one item from the worker's `from` queue (without waiting) and puts
 * it into its `to` queue; returns it.
 */
export function moveOne(): number {
  const [from, to] = queues!;
  const item = from.getNowait();
  to.putNowait(item);
  return item;
}

/** The `n`-th item of `produce`, `size` characters long or more. */
export function producedItem(
  n: number,
  size: number,
): { n: number; text: string } {
  const unit = `item ${n} `;
  return { n, text: unit.repeat(Math.ceil(size / unit.length)) };
}

/** Puts `count` numbered items into `queue`, as fast as it can. */
export function produce(
  queue: Queue<{ n: number; text: string }>,
  count: number,
  size: number,
): number {
  for (let n = 0; n < count; n++) queue.putSync(producedItem(n, size));
  return count;
}

/** Counts a call in `counter`, then returns `n`. */
export function count(counter: Value<"i32">, n: number): number {
  counter.add(1);
  return n;
}

/** Sets `started`, then waits until `gate` is set; returns `n`. */
export function gated(started: Event, gate: Event, n: number): number {
  started.set();
  gate.waitSync();
  return n;
}

/** The sum of the bytes of `buffer`. */
export function byteSum(buffer: ArrayBuffer): number {
  return new Uint8Array(buffer).reduce((sum, byte) => sum + byte, 0);
}

let initialized = 0;
let initTag = "";

/** An initializer: counts its runs here, and in `counter` if given. */
export function init(tag: string, counter?: Value<"i32">): void {
  initialized++;
  initTag = tag;
  counter?.add(1);
}

/** What `init` left in this worker: its run count and its tag. */
export function initState(): [runs: number, tag: string] {
  return [initialized, initTag];
}

/** An initializer that fails. */
export function failInit(): never {
  throw new Error("initializer failed on purpose");
}

/** Not a function: not a task. */
export const notATask = 42;

/**
 * Sets `started`, computes until the task is stopped, and puts why into
 * `why` (its future is rejected by then). It awaits nothing: a stopped task
 * that awaits may end its thread before it looks at its signal.
 */
export function watchSignal(why: Queue<string>, started: Event): void {
  const signal = taskSignal();
  started.set();
  while (!signal.aborted) {
    // Busy until told.
  }
  why.putSync(signal.reason!.name);
}

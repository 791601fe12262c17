// Task module for pools/thread_pool_test.ts and pools/thread_test.ts: the
// exports are the named tasks of a ThreadPool (typed end to end) and the
// module targets of a Thread.

import {
  type Event,
  getIdent as threadIdent,
  type Lock,
  type RLock,
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

/** Acquires `lock`, then loops forever (until the pool terminates it). */
export function holdLockAndSpin(lock: Lock, started: Event): never {
  lock.acquireSync();
  started.set();
  for (;;) {
    // Busy: only terminating the worker stops it.
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

/** Loops forever. */
export function spin(): never {
  for (;;) {
    // Busy: only terminating the worker stops it.
  }
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

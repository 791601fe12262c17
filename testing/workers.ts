// Test helpers: real Workers that run functions sent as source.

import type * as parallel from "../mod.ts";
import { type MemoryRef, openMemory } from "../primitives/_memory.ts";

/** The module, as the function sent to a Worker receives it. */
export type Parallel = typeof parallel;

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { name: string; message: string; stack: string };
}

/** A Worker that runs self-contained functions and returns their results. */
export class TestWorker implements AsyncDisposable {
  #worker = new Worker(new URL("./_worker.ts", import.meta.url), {
    type: "module",
  });
  #calls = new Map<number, PromiseWithResolvers<unknown>>();
  #next = 0;

  constructor() {
    this.#worker.onmessage = ({ data }: MessageEvent<Reply>) => {
      const call = this.#calls.get(data.id)!;
      this.#calls.delete(data.id);
      if (data.ok) call.resolve(data.result);
      else {
        const error = new Error(data.error!.message);
        error.name = data.error!.name;
        error.stack = `${data.error!.stack}\n    (in a Worker)`;
        call.reject(error);
      }
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      for (const call of this.#calls.values()) call.reject(event.error);
      this.#calls.clear();
    };
  }

  /**
   * Runs `fn(parallel, ...args)` in the Worker. `fn` must not use anything
   * from its scope; primitive handles among `args` arrive as the primitives.
   */
  run<T>(
    // deno-lint-ignore no-explicit-any
    fn: (p: Parallel, ...args: any[]) => T | Promise<T>,
    ...args: unknown[]
  ): Promise<T> {
    const id = this.#next++;
    const call = Promise.withResolvers<unknown>();
    this.#calls.set(id, call);
    this.#worker.postMessage({ id, source: fn.toString(), args });
    return call.promise as Promise<T>;
  }

  terminate(): void {
    this.#worker.terminate();
    for (const call of this.#calls.values()) {
      call.reject(new Error("The test Worker was terminated"));
    }
    this.#calls.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.terminate();
    return Promise.resolve();
  }
}

/** Starts `n` test Workers; dispose the result to terminate them all. */
export function startWorkers(n: number): TestWorker[] & AsyncDisposable {
  const workers = Array.from({ length: n }, () => new TestWorker());
  return Object.assign(workers, {
    [Symbol.asyncDispose]() {
      for (const worker of workers) worker.terminate();
      return Promise.resolve();
    },
  });
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How long a test lets a buggy primitive misbehave before checking it did not. */
export const SETTLE_MS = 50;

/** Polls until `predicate` holds; gives up after 10 s (a bound, not a timing). */
export async function waitFor(
  what: string,
  predicate: () => boolean,
): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!predicate()) {
    if (performance.now() > deadline) {
      throw new Error(`Gave up waiting until ${what}`);
    }
    await delay(1);
  }
}

/**
 * Awaits `promise`, failing after `ms` (10 s by default) if a bug never
 * settles it: a bound, not a timing.
 */
export async function within<T>(
  promise: Promise<T>,
  what: string,
  ms = 10_000,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Gave up waiting until ${what}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How long a pool or Thread test may take before it fails: the first worker
 * of a run may wait for Deno to type-check its modules.
 */
export const TEST_BOUND_MS = 30_000;

/** Awaits `promise`, bounded like a whole pool or Thread test. */
export function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  return within(promise, what, TEST_BOUND_MS);
}

/** A test whose body is bounded: a hang fails it instead of the whole run. */
export function boundedTest(
  name: string,
  fn: () => Promise<void>,
  options: { ignore?: boolean } = {},
): void {
  Deno.test({
    name,
    ignore: options.ignore ?? false,
    fn: () => within(fn(), `the test "${name}" ends`, TEST_BOUND_MS),
  });
}

/** Marks `promise` handled: a test failing before it awaits it reports its own error. */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** An Int32Array of `length` zeros over a new SharedArrayBuffer. */
export function int32s(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

/** The words of a primitive, from its handle (for tests that count sleepers). */
export function wordsOf(
  handle: { buffer: MemoryRef; byteOffset: number; length: number },
): Int32Array {
  return new Int32Array(
    openMemory(handle.buffer)!,
    handle.byteOffset,
    handle.length,
  );
}

/**
 * Wakes every thread asleep on `words[index]`, in this process or another,
 * and says how many there were.
 */
export { wake as wakeAll } from "../primitives/_futex.ts";

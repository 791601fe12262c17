/**
 * Threads and thread pools with futures, like Python's `threading.Thread`,
 * `concurrent.futures` and `multiprocessing.Pool`: {@linkcode Thread},
 * {@linkcode ThreadPool} (`submit`, `map`, `imap`, `imapUnordered`,
 * `starmap`, `apply`, `shutdown`), {@linkcode Future},
 * {@linkcode asCompleted} and {@linkcode wait}.
 *
 * Workers are truly parallel (JavaScript has no GIL), so a pool is the
 * answer for CPU-bound work. Tasks are exports of a module, typed end to
 * end, or self-contained functions; the primitives of this module (locks,
 * events, queues, shared values) passed as arguments arrive as the same
 * working objects. Every task settles, whatever happens to its worker; a
 * lock held by a worker that died is marked abandoned. Times are in
 * milliseconds.
 *
 * | Python | Deno |
 * | --- | --- |
 * | `ThreadPoolExecutor(max_workers=4)` | `new ThreadPool({ maxWorkers: 4 })` |
 * | `with ThreadPoolExecutor() as ex:` | `await using pool = new ThreadPool()` |
 * | `ex.submit(fn, *args)` | `pool.submit(fn, ...args)` |
 * | `future.result(timeout=1)` | `await future` / `await future.result({ timeout: 1000 })` |
 * | `as_completed(fs)` / `wait(fs)` | `asCompleted(fs)` / `await wait(fs)` |
 * | `pool.map(f, xs)` / `pool.imap_unordered(f, xs)` | `await pool.map(f, xs)` / `pool.imapUnordered(f, xs)` |
 * | `Thread(target=f, args=(1,)).start()` | `new Thread({ target: f, args: [1] }).start()` |
 * | `thread.join()` | `await thread.join()` / `thread.joinSync()` |
 * | `Timer(0.5, f, args=(1,)).start()`, `timer.cancel()` | `new Timer(500, f, { args: [1] }).start()`, `timer.cancel()` |
 * | `threading.enumerate()`, `active_count()`, `main_thread()` | `enumerateThreads()`, `activeThreadCount()`, `mainThread()` |
 *
 * @example Map a function over two workers
 * ```ts
 * import { ThreadPool } from "@parallel/parallel/pools";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * await using pool = new ThreadPool({ maxWorkers: 2 });
 * const lengths = await pool.map((s: string) => s.length, ["a", "bb", "ccc"]);
 * deepStrictEqual(lengths, [1, 2, 3]);
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./future.ts";
export * from "./thread.ts";
export * from "./executor.ts";
export * from "./thread_pool.ts";
export * from "./process_pool.ts";
export * from "./process.ts";
export * from "./current.ts";
export * from "./enumerate.ts";
export * from "./timer.ts";
export * from "./task_signal.ts";

// Tests of ThreadPool with real workers. Ported from CPython's
// Lib/test/test_concurrent_futures (executor.py, test_thread_pool.py,
// test_shutdown.py, test_deadlock.py) where they apply, plus every rule of
// this module's pools: how each way a task or a worker can end settles its
// future, typed module tasks, abandoned locks, primitives as arguments,
// transfers, the options, and how a program that uses a pool ends.
//
// Tests assert behaviour, not timings. Waits that a bug could turn into a
// hang are bounded (`within`, 30 s), and the preload fails a test that leaves
// a worker alive.

import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import {
  AbandonedLockError,
  Barrier,
  BoundedSemaphore,
  Event,
  Lock,
  Queue,
  QueueFull,
  RLock,
  Semaphore,
  Value,
} from "../mod.ts";
import {
  ALL_COMPLETED,
  asCompleted,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type Future,
  wait,
} from "./future.ts";
import {
  BrokenPoolError,
  CancelledError,
  InvalidStateError,
  WorkerCrashedError,
} from "./errors.ts";
import { ThreadPool, type ThreadPoolOptions } from "./thread_pool.ts";
import { liveWorkers } from "./_transport.ts";
import {
  bounded,
  boundedTest,
  delay,
  SETTLE_MS,
  waitFor,
} from "../testing/workers.ts";
import { runProgram } from "./testdata/run_program.ts";
import { isCollected, nextWeakly } from "../testing/gc.ts";
import type * as Tasks from "./testdata/tasks.ts";
import type * as Init from "./testdata/initializer.ts";

const TASKS = new URL("./testdata/tasks.ts", import.meta.url);
const INIT = new URL("./testdata/initializer.ts", import.meta.url);
const BAD_MODULE = new URL("./testdata/bad_module.ts", import.meta.url);

/** A pool whose tasks are the exports of testdata/tasks.ts. */
function tasksPool(options?: ThreadPoolOptions): ThreadPool<typeof Tasks> {
  return new ThreadPool<typeof Tasks>(TASKS, options);
}

/** Waits (bounded) until `event` is set. */
async function until(event: Event, what: string): Promise<void> {
  ok(await bounded(event.wait(), what), what);
}

/** The outcome of a future, for assertions: never throws. */
async function outcome(
  future: PromiseLike<unknown>,
): Promise<{ value?: unknown; error?: unknown }> {
  try {
    return { value: await future };
  } catch (error) {
    return { error };
  }
}

/** A pool's submit without its types, to send what the types forbid. */
function untyped(pool: ThreadPool<never> | ThreadPool<typeof Tasks>): {
  submit(target: unknown, ...args: unknown[]): Future<unknown>;
} {
  return pool as never;
}

/** A task that counts its run in `counter` and returns `n`. */
const counted = (counter: Value<"i32">, n: number) => {
  counter.add(1);
  return n;
};

/** A task that says it started, then waits for `gate`; returns `n`. */
const gated = (started: Event, gate: Event, n: number) => {
  started.set();
  gate.waitSync();
  return n;
};

// ------------------------------------------------------------ running tasks

boundedTest(
  "ThreadPool: submit runs an export of the module and resolves with its result",
  async () => {
    await using pool = tasksPool({ maxWorkers: 2 });
    const future = pool.submit("add", 2, 40);
    strictEqual(await future, 42);
    strictEqual(future.done, true);
    strictEqual(future.running, false);
    strictEqual(future.cancelled, false);
    strictEqual(await pool.submit("fib", 20), 6765);
    strictEqual(await pool.submit("sleep", 1), 1); // an async export
  },
);

boundedTest(
  "ThreadPool: submit runs a self-contained function sent as source",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 2 });
    strictEqual(await pool.submit((a: number, b: number) => a ** b, 2, 8), 256);
    strictEqual(
      await pool.submit(function named(s: string) {
        return s.toUpperCase();
      }, "hi"),
      "HI",
    );
    strictEqual(
      await pool.submit(async (ms: number) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return "slept";
      }, 1),
      "slept",
    );
    deepStrictEqual(
      await pool.submit(
        (o: { a: number[] }) => ({ b: o.a.map((x) => x * 2) }),
        {
          a: [1, 2],
        },
      ),
      { b: [2, 4] },
    );
  },
);

boundedTest(
  "ThreadPool: module tasks and function tasks are typed end to end",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    const sum: number = await pool.submit("add", 1, 2);
    const slept: number = await pool.apply("sleep", [1]);
    const doubled: number[] = await pool.map("double", [1, 2]);
    const product: number = await pool.submit(
      (a: number, b: number) => a * b,
      6,
      7,
    );
    deepStrictEqual([sum, slept, doubled, product], [3, 1, [2, 4], 42]);
    // Compile-time checks only: this function is never called.
    const _typeErrors = () => {
      // @ts-expect-error: "add" takes numbers
      pool.submit("add", "1", 2);
      // @ts-expect-error: "add" takes two arguments
      pool.submit("add", 1);
      // @ts-expect-error: the module has no export "nope"
      pool.submit("nope");
      // @ts-expect-error: "notATask" is not a function
      pool.submit("notATask");
      // @ts-expect-error: the result of "add" is a number
      const _wrong: Future<string> = pool.submit("add", 1, 2);
      // @ts-expect-error: the items of map are the task's first argument
      pool.map("double", ["1"]);
      // @ts-expect-error: apply takes the arguments as a list of the right types
      pool.apply("add", [1, "2"]);
      // @ts-expect-error: a function task's arguments are checked too
      pool.submit((n: number) => n, "x");
      const functions = new ThreadPool();
      // @ts-expect-error: a pool without a module has no named tasks
      functions.submit("add", 1, 2);
    };
  },
);

boundedTest("ThreadPool: apply passes an argument list", async () => {
  await using pool = tasksPool({ maxWorkers: 1 });
  strictEqual(await pool.apply("add", [20, 22]), 42);
  strictEqual(await pool.apply((...xs: number[]) => xs.length, [1, 2, 3]), 3);
  strictEqual(await pool.apply(() => "none", []), "none");
});

boundedTest(
  "ThreadPool: an idle worker is reused (Python's test_idle_thread_reuse)",
  async () => {
    await using pool = tasksPool();
    const idents = new Set<number>();
    for (let i = 0; i < 3; i++) idents.add(await pool.submit("getIdent"));
    strictEqual(idents.size, 1);
    strictEqual(liveWorkers().size, 1);
  },
);

boundedTest(
  "ThreadPool: it never runs more than maxWorkers workers (Python's test_saturation)",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 3 });
    const sem = new Semaphore(0);
    const futures = Array.from(
      { length: 30 },
      () => pool.submit((s: Semaphore) => s.acquireSync(), sem),
    );
    strictEqual(liveWorkers().size, 3);
    sem.release(30);
    await Promise.all(futures);
    strictEqual(liveWorkers().size, 3);
  },
);

boundedTest(
  "ThreadPool: thousands of tiny tasks all settle with their own results",
  async () => {
    await using pool = tasksPool({ maxWorkers: 2 });
    const futures = Array.from(
      { length: 5_000 },
      (_, i) => pool.submit("add", i, 1),
    );
    const results = await Promise.all(futures);
    deepStrictEqual(results, Array.from({ length: 5_000 }, (_, i) => i + 1));
  },
);

// ---------------------------------------------------------------------- map

boundedTest(
  "ThreadPool: map of 5,000 items returns every result in order",
  async () => {
    await using pool = tasksPool({ maxWorkers: 2 });
    const items = Array.from({ length: 5_000 }, (_, i) => i);
    const expected = items.map((i) => i * 2);
    deepStrictEqual(await pool.map("double", items), expected);
    deepStrictEqual(await pool.map((n: number) => n * 2, items), expected);
    deepStrictEqual(
      await pool.map("double", items, { chunksize: 1 }),
      expected,
    );
    deepStrictEqual(
      await pool.map("double", items, { chunksize: 7 }),
      expected,
    );
  },
);

boundedTest(
  "ThreadPool: map takes any iterable, and an empty one gives []",
  async () => {
    await using pool = tasksPool({ maxWorkers: 2 });
    deepStrictEqual(await pool.map("double", []), []);
    deepStrictEqual(await pool.map("double", new Set([1, 2, 3])), [2, 4, 6]);
    function* three() {
      yield 1;
      yield 2;
      yield 3;
    }
    deepStrictEqual(await pool.map("double", three(), { chunksize: 2 }), [
      2,
      4,
      6,
    ]);
  },
);

boundedTest(
  "ThreadPool: map keeps the order of items that finish out of order",
  async () => {
    await using pool = tasksPool({ maxWorkers: 4 });
    const delays = [40, 0, 30, 10, 20, 0];
    deepStrictEqual(
      await pool.map("sleep", delays, { chunksize: 1 }),
      delays,
    );
  },
);

boundedTest(
  "ThreadPool: map rejects with the first error and cancels what has not started (Python's test_map_exception)",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const counter = new Value("i32", 0);
    const gate = new Event();
    type Item = { fail: boolean; counter: Value<"i32">; gate: Event };
    const items: Item[] = Array.from({ length: 20 }, (_, i) => ({
      fail: i === 0,
      counter,
      gate,
    }));
    await rejects(
      pool.map(
        (item: Item) => {
          if (item.fail) throw new RangeError("item 0 is bad");
          item.counter.add(1);
          item.gate.waitSync();
          return 1;
        },
        items,
        { chunksize: 1 },
      ),
      (error) =>
        error instanceof RangeError && error.message === "item 0 is bad",
    );
    gate.set();
    await pool.shutdown();
    // At most the task that was already running when the error came.
    ok(counter.value <= 1, `${counter.value} tasks ran after the error`);
  },
);

boundedTest(
  "ThreadPool: map submits every task at once, without being awaited (Python's test_map_submits_without_iteration)",
  async () => {
    const pool = new ThreadPool({ maxWorkers: 2 });
    const counter = new Value("i32", 0);
    const all = pool.map(
      (c: Value<"i32">) => c.add(1),
      Array.from({ length: 10 }, () => counter),
    );
    await pool.shutdown();
    strictEqual(counter.value, 10);
    strictEqual((await all).length, 10);
  },
);

boundedTest("ThreadPool: starmap spreads each argument list", async () => {
  await using pool = tasksPool({ maxWorkers: 2 });
  deepStrictEqual(await pool.starmap("add", [[1, 2], [3, 4], [5, 6]]), [
    3,
    7,
    11,
  ]);
  const pairs = Array.from(
    { length: 1_000 },
    (_, i) => [i, i] as [number, number],
  );
  deepStrictEqual(
    await pool.starmap((a: number, b: number) => a * b, pairs, {
      chunksize: 9,
    }),
    pairs.map(([a, b]) => a * b),
  );
  deepStrictEqual(await pool.starmap("add", []), []);
  await rejects(
    pool.starmap("add", [[1, 2], 3 as unknown as [number, number]]),
    (error) => error instanceof TypeError && error.message.includes("3"),
  );
});

boundedTest(
  "ThreadPool: imap yields every result in the order of the items",
  async () => {
    await using pool = tasksPool({ maxWorkers: 4 });
    const delays = [40, 0, 30, 10, 20, 0];
    const seen: number[] = [];
    for await (const value of pool.imap("sleep", delays)) seen.push(value);
    deepStrictEqual(seen, delays);
    const doubled: number[] = [];
    const items = Array.from({ length: 500 }, (_, i) => i);
    for await (const value of pool.imap("double", items, { chunksize: 8 })) {
      doubled.push(value);
    }
    deepStrictEqual(doubled, items.map((i) => i * 2));
  },
);

boundedTest(
  "ThreadPool: imapUnordered yields every result exactly once",
  async () => {
    await using pool = tasksPool({ maxWorkers: 3 });
    const items = Array.from({ length: 500 }, (_, i) => i);
    const seen: number[] = [];
    for await (const value of pool.imapUnordered("double", items)) {
      seen.push(value);
    }
    deepStrictEqual(seen.sort((a, b) => a - b), items.map((i) => i * 2));
    const chunked: number[] = [];
    for await (
      const value of pool.imapUnordered("double", items, { chunksize: 16 })
    ) {
      chunked.push(value);
    }
    deepStrictEqual(chunked.sort((a, b) => a - b), items.map((i) => i * 2));
  },
);

boundedTest(
  "ThreadPool: imapUnordered yields a fast result before a slow one",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 2 });
    const gate = new Event();
    type Item = { gate: Event; slow: boolean; n: number };
    const items: Item[] = [
      { gate, slow: true, n: 1 },
      { gate, slow: false, n: 2 },
    ];
    const seen: number[] = [];
    for await (
      const n of pool.imapUnordered((item: Item) => {
        if (item.slow) item.gate.waitSync();
        return item.n;
      }, items)
    ) {
      seen.push(n);
      gate.set(); // the slow one can only finish after the fast one came
    }
    deepStrictEqual(seen, [2, 1]);
  },
);

boundedTest(
  "ThreadPool: imap and imapUnordered send their tasks at the call, as Python's do",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 2 });
    const started = new Event();
    const ordered = pool.imap((event: Event) => event.set(), [started]);
    await until(started, "the imap task to start before any next()");
    const done = new Event();
    const unordered = pool.imapUnordered((event: Event) => event.set(), [done]);
    await until(done, "the imapUnordered task to start before any next()");
    deepStrictEqual(await Array.fromAsync(ordered), [undefined]);
    deepStrictEqual(await Array.fromAsync(unordered), [undefined]);
  },
);

boundedTest(
  "ThreadPool: leaving an imap loop early cancels the tasks not started",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const counter = new Value("i32", 0);
    const gate = new Event();
    type Item = { i: number; counter: Value<"i32">; gate: Event };
    const items: Item[] = Array.from({ length: 20 }, (_, i) => ({
      i,
      counter,
      gate,
    }));
    for await (
      const i of pool.imap((item: Item) => {
        item.counter.add(1);
        if (item.i > 0) item.gate.waitSync();
        return item.i;
      }, items)
    ) {
      strictEqual(i, 0);
      break;
    }
    gate.set();
    await pool.shutdown();
    // The first, and at most the one the worker had already taken.
    ok(counter.value >= 1 && counter.value <= 2, `${counter.value} tasks ran`);
  },
);

// ------------------------------------------------------------------- errors

boundedTest(
  "ThreadPool: a custom Error subclass comes back with its name, message, stack and data",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    const future = pool.submit("throwCustom", "it broke", 42);
    const error = await future.exception() as Error & {
      data: number;
      code: string;
    };
    ok(error instanceof Error);
    strictEqual(error.name, "CustomError");
    strictEqual(error.message, "it broke");
    strictEqual(error.data, 42);
    strictEqual(error.code, "E_CUSTOM");
    ok(error.stack?.includes("throwCustom"), error.stack);
    ok(error.stack?.includes("tasks.ts"), error.stack);
    ok(error.stack?.includes("it broke"), error.stack);
    await rejects(future.result(), {
      name: "CustomError",
      message: "it broke",
    });
    // The worker goes on.
    strictEqual(await pool.submit("add", 1, 1), 2);
  },
);

boundedTest(
  "ThreadPool: built-in errors come back as their own classes, with their cause",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    await rejects(
      pool.submit("throwRange", "out of range"),
      (error) =>
        error instanceof RangeError && error.message === "out of range",
    );
    await rejects(
      pool.submit(() => {
        (null as unknown as string).toString();
      }),
      TypeError,
    );
    const error = await pool.submit(() => {
      throw new Error("outer", { cause: new SyntaxError("inner") });
    }).exception() as Error;
    strictEqual(error.message, "outer");
    ok(error.cause instanceof SyntaxError);
    strictEqual((error.cause as Error).message, "inner");
  },
);

boundedTest(
  "ThreadPool: an async task that rejects, and a thrown non-error, reject the future as they are",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    await rejects(
      pool.submit(async () => {
        await null;
        throw new URIError("async");
      }),
      (error) => error instanceof URIError && error.message === "async",
    );
    strictEqual(
      await pool.submit(() => {
        throw "a string";
      }).exception(),
      "a string",
    );
    deepStrictEqual(
      await pool.submit(() => {
        throw { code: 7 };
      }).exception(),
      { code: 7 },
    );
  },
);

boundedTest(
  "ThreadPool: an unknown export or one that is not a function rejects that task with a TypeError",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    await rejects(untyped(pool).submit("nope"), TypeError);
    await rejects(untyped(pool).submit("notATask"), TypeError);
    strictEqual(await pool.submit("add", 1, 2), 3);
  },
);

boundedTest(
  "ThreadPool: a task that cannot be sent is a TypeError at submit",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    throws(() => pool.submit(Math.max, 1, 2), TypeError);
    throws(() => pool.submit(((n: number) => n).bind(null), 1), TypeError);
    throws(
      () => untyped(pool).submit(42),
      (error) => error instanceof TypeError && error.message.includes("42"),
    );
    throws(
      () => untyped(pool).submit("add"),
      (error) => error instanceof TypeError && error.message.includes('"add"'),
    );
    strictEqual(liveWorkers().size, 0);
  },
);

boundedTest(
  "ThreadPool: an argument that cannot be sent is a TypeError at submit, and nothing is queued",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const counter = new Value("i32", 0);
    const bad = [() => 1, Symbol("s"), { nested: () => 1 }];
    // With a worker free to take it.
    for (const arg of bad) {
      throws(() => untyped(pool).submit(counted, counter, 1, arg), TypeError);
    }
    // With the worker busy, so that it would wait in the pool.
    const started = new Event();
    const gate = new Event();
    const blocker = pool.submit(gated, started, gate, 0);
    const behind = pool.submit(counted, counter, 2);
    await until(started, "the blocker runs");
    for (const arg of bad) {
      throws(() => untyped(pool).submit(counted, counter, 3, arg), TypeError);
    }
    gate.set();
    deepStrictEqual(await Promise.all([blocker, behind]), [0, 2]);
    await pool.shutdown();
    strictEqual(counter.value, 1); // `behind` only
  },
);

boundedTest(
  "ThreadPool: a result that cannot be sent rejects that task with a TypeError, and the worker goes on",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    const ident = await pool.submit("getIdent");
    await rejects(pool.submit("returnsFunction"), TypeError);
    await rejects(pool.submit("returnsSymbol"), TypeError);
    await rejects(pool.submit(() => ({ f: () => 1 })), TypeError);
    strictEqual(await pool.submit("getIdent"), ident);
    strictEqual(await pool.submit("add", 2, 2), 4);
  },
);

boundedTest(
  "ThreadPool: what cannot travel back is named, with its task, in the error",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    const result = await pool.submit("returnsSymbol").exception();
    ok(result instanceof TypeError);
    strictEqual(
      result.message,
      'Cannot send the result of task "returnsSymbol": Symbol(nope) cannot be sent to another thread',
    );
    const thrown = await pool.submit(function throwsFunction() {
      throw () => 1;
    }).exception();
    ok(thrown instanceof TypeError);
    strictEqual(
      thrown.message,
      "Cannot send what was thrown by task function throwsFunction: function (anonymous) cannot be sent to another thread",
    );
    ok(!/SimpleQueue/.test(thrown.message));
  },
);

boundedTest(
  "ThreadPool: an error whose cause leads back to itself comes back as it is",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const self = await pool.submit(() => {
      const error = new Error("loop");
      (error as { cause?: unknown }).cause = error;
      throw error;
    }).exception() as Error;
    strictEqual(self.message, "loop");
    strictEqual(self.cause, self);
    const pair = await pool.submit(() => {
      const a = new RangeError("a");
      const b = new TypeError("b", { cause: a });
      (a as { cause?: unknown }).cause = b;
      throw a;
    }).exception() as Error;
    ok(pair instanceof RangeError);
    const b = pair.cause as Error;
    ok(b instanceof TypeError);
    strictEqual(b.message, "b");
    strictEqual(b.cause, pair);
    // A cyclic plain cause too.
    const cyclic = await pool.submit(() => {
      const cause: Record<string, unknown> = { n: 1 };
      cause.self = cause;
      throw new Error("cyclic", { cause });
    }).exception() as Error;
    const cause = cyclic.cause as Record<string, unknown>;
    strictEqual(cause.n, 1);
    strictEqual(cause.self, cause);
    strictEqual(await pool.submit(() => 42), 42); // the worker lived
  },
);

// ------------------------------------------------------------ worker deaths

boundedTest(
  "ThreadPool: Deno.exit in a task rejects it with WorkerCrashedError, and a new worker takes over",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    const before = await pool.submit("getIdent");
    const future = pool.submit("crash", 7);
    const error = await future.exception();
    ok(error instanceof WorkerCrashedError, String(error));
    strictEqual(error.exitCode, 7);
    ok(error.message.includes("7"), error.message);
    strictEqual(future.cancelled, false);
    const after = await pool.submit("getIdent");
    notStrictEqual(after, before);
    strictEqual(await pool.submit("add", 1, 2), 3);
  },
);

boundedTest(
  "ThreadPool: globalThis.close() in a task rejects it with WorkerCrashedError",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    await rejects(pool.submit("closeSelf"), WorkerCrashedError);
    await rejects(
      pool.submit(() => {
        (globalThis as unknown as { close(): void }).close();
        return "after close";
      }),
      WorkerCrashedError,
    );
    strictEqual(await pool.submit("add", 1, 2), 3);
  },
);

boundedTest(
  "ThreadPool: a task that runs out of memory fails with WorkerCrashedError, and the pool and program go on",
  async () => {
    await using pool = tasksPool({
      maxWorkers: 1,
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    const behind = pool.submit("add", 1, 2);
    const first = pool.submit("exhaustMemory");
    const error = await first.exception();
    ok(error instanceof WorkerCrashedError, String(error));
    strictEqual(error.exitCode, 1);
    ok(/memory/.test(error.message), error.message);
    strictEqual(await behind, 3);
    strictEqual(await pool.submit("add", 2, 2), 4);
  },
);

boundedTest(
  "ThreadPool: by default a worker's memory limit ends the worker, not the program",
  async () => {
    // The program's own small heap limit applies to its workers, which run
    // out of memory in well under a second.
    const { code, stdout, stderr } = await runProgram("out-of-memory", {
      flags: ["--v8-flags=--max-old-space-size=64"],
    });
    strictEqual(code, 0, stderr);
    deepStrictEqual(stdout.trim().split("\n"), [
      "pool: WorkerCrashedError",
      "pool goes on: 3",
      "thread joined, alive: false",
      "done",
    ]);
  },
);

boundedTest(
  "ThreadPool: a program whose pool and Thread cannot start their workers (no --allow-read) says so and ends",
  async () => {
    // Racy before its fix (the program hung in about 1 run in 15): run it
    // a few times.
    const runs = await Promise.all(
      Array.from(
        { length: 6 },
        () => runProgram("cannot-start", { read: false }),
      ),
    );
    for (const { code, stdout, stderr } of runs) {
      strictEqual(code, 0, stderr);
      deepStrictEqual(stdout.trim().split("\n"), [
        "pool: BrokenPoolError",
        "thread: true",
        "done",
      ]);
    }
  },
);

boundedTest(
  "ThreadPool: map and its relatives refuse what is not an iterable, quoting it",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const double = (n: number) => 2 * n;
    for (const bad of [5, {}, true, null]) {
      const quoted = (error: Error) =>
        error instanceof TypeError && error.message.includes("an iterable") &&
        error.message.includes(
          bad === null
            ? "null"
            : bad === 5
            ? "5"
            : bad === true
            ? "true"
            : "an object",
        );
      await rejects(pool.map(double, bad as never), quoted);
      await rejects(pool.starmap(double, bad as never), quoted);
      // At the call, as Python's imap: not at the first next().
      throws(() => pool.imap(double, bad as never), quoted);
      throws(() => pool.imapUnordered(double, bad as never), quoted);
    }
    deepStrictEqual(await pool.map(double, new Set([1, 2])), [2, 4]);
  },
);

boundedTest(
  "ThreadPool: method shorthand runs as a function; getters, classes and bound functions are a TypeError at submit",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const key = "computed";
    const methods = {
      double(x: number) {
        return 2 * x;
      },
      async twice(x: number) {
        return await Promise.resolve(2 * x);
      },
      [key](x: number) {
        return x + 1;
      },
      "quoted name"(x: number) {
        return x - 1;
      },
      delete(x: number) {
        return -x;
      },
    };
    strictEqual(await pool.submit(methods.double, 21), 42);
    strictEqual(await pool.submit(methods.twice, 21), 42);
    strictEqual(await pool.submit(methods[key], 41), 42);
    strictEqual(await pool.submit(methods["quoted name"], 43), 42);
    strictEqual(await pool.submit(methods.delete, -42), 42);
    class Doubler {
      double(x: number) {
        return 2 * x;
      }
    }
    strictEqual(await pool.submit(new Doubler().double, 21), 42);
    const refused = (what: RegExp) => (error: Error) =>
      error instanceof TypeError && what.test(error.message);
    const getter = Object.getOwnPropertyDescriptor(
      {
        get answer() {
          return 42;
        },
      },
      "answer",
    )!.get!;
    throws(() => untyped(pool).submit(getter), refused(/a getter or a setter/));
    throws(() => untyped(pool).submit(Doubler), refused(/is a class/));
    throws(
      () => untyped(pool).submit(methods.double.bind(methods), 1),
      refused(
        /a built-in or bound function\): write it as a function expression/,
      ),
    );
    class Base {
      value() {
        return 1;
      }
    }
    class Derived extends Base {
      override value() {
        return super.value() + 1;
      }
    }
    throws(
      () => untyped(pool).submit(new Derived().value),
      refused(/it uses super/),
    );
  },
);

boundedTest(
  "ThreadPool: a function task's stack names the task and the file that sent it; a ReferenceError says why",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const error = await pool.submit(function failing() {
      throw new Error("from the task");
    }).exception() as Error;
    ok(
      error.stack!.includes(`at failing (${import.meta.url}#task:failing`),
      error.stack,
    );
    ok(!error.stack!.includes("eval at"), error.stack);
    const outside = 41;
    const reference = await pool.submit(() => outside + 1)
      .exception() as Error;
    ok(reference instanceof ReferenceError, String(reference));
    ok(
      reference.message.includes(
        "cannot see the variables of the scope it was written in",
      ),
      reference.message,
    );
    // A module task's ReferenceError is its own business.
    await using tasks = tasksPool({ maxWorkers: 1 });
    strictEqual(await tasks.submit("add", 1, 2), 3);
  },
);

boundedTest(
  "ThreadPool: a worker has the globals of a Deno Worker (self)",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    strictEqual(
      await pool.submit(() => typeof self === "object" && self === globalThis),
      true,
    );
  },
);

boundedTest(
  "ThreadPool: resourceLimits is checked",
  () => {
    for (
      const [limits, error] of [
        [5, TypeError],
        [{ maxOldGenerationSizeMb: "64" }, TypeError],
        [{ maxOldGenrationSizeMb: 64 }, TypeError],
        [{ maxOldGenerationSizeMb: 0 }, RangeError],
        [{ stackSizeMb: -1 }, RangeError],
        [{ codeRangeSizeMb: NaN }, RangeError],
      ] as const
    ) {
      throws(
        () => new ThreadPool({ resourceLimits: limits as never }),
        (thrown) =>
          thrown instanceof error && /resourceLimits/.test(thrown.message),
      );
    }
    return Promise.resolve();
  },
);

boundedTest(
  "ThreadPool: when a worker dies, every task queued behind it still runs",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    const crash = pool.submit("crash", 1);
    const others = Array.from(
      { length: 6 },
      (_, i) => pool.submit("add", i, i),
    );
    await rejects(crash, WorkerCrashedError);
    deepStrictEqual(await Promise.all(others), [0, 2, 4, 6, 8, 10]);
  },
);

boundedTest(
  "ThreadPool: every task settles when many workers crash at once",
  async () => {
    await using pool = tasksPool({ maxWorkers: 2 });
    const futures = Array.from(
      { length: 12 },
      (_, i) =>
        i % 3 === 0 ? pool.submit("crash", 2) : pool.submit("add", i, 0),
    );
    const outcomes = await Promise.all(futures.map(outcome));
    outcomes.forEach(({ value, error }, i) => {
      if (i % 3 === 0) ok(error instanceof WorkerCrashedError, `task ${i}`);
      else strictEqual(value, i);
    });
    strictEqual(await pool.submit("add", 1, 2), 3);
  },
);

boundedTest(
  "ThreadPool: a worker crash inside map rejects the map (Python's test_crash_big_data)",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 2 });
    const data = "a".repeat(100_000);
    await rejects(
      pool.map((_: string) => Deno.exit(1), Array(10).fill(data)),
      WorkerCrashedError,
    );
    strictEqual(await pool.submit(() => 1), 1);
  },
);

boundedTest(
  "ThreadPool: shutdown does not hang when a worker dies after it (Python's test_shutdown_deadlock)",
  async () => {
    const pool = new ThreadPool({ maxWorkers: 2 });
    const future = pool.submit(async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      Deno.exit(1);
    }, 50);
    await pool.shutdown();
    await rejects(future, WorkerCrashedError);
    strictEqual(liveWorkers().size, 0);
  },
);

// ------------------------------------------------------ timeouts and aborts

boundedTest(
  "ThreadPool: taskTimeout rejects a long task with a TimeoutError, and the pool goes on with a new worker",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1, taskTimeout: 200 });
    const before = await pool.submit("getIdent");
    const error = await pool.submit("spin").exception();
    ok(error instanceof DOMException, String(error));
    strictEqual(error.name, "TimeoutError");
    const after = await pool.submit("getIdent");
    notStrictEqual(after, before);
    strictEqual(await pool.submit("add", 1, 2), 3);
  },
);

boundedTest(
  "ThreadPool: a per-task timeout rejects a long task, instead of the pool's",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    await rejects(pool.apply("spin", [], { timeout: 100 }), {
      name: "TimeoutError",
    });
    await rejects(
      pool.apply(
        (ms: number) => {
          // It does not look at its signal: it runs on for `ms`.
          const end = performance.now() + ms;
          while (performance.now() < end) {
            // Busy.
          }
        },
        [500],
        { timeout: 0 },
      ),
      { name: "TimeoutError" },
    );
    strictEqual(await pool.apply("add", [1, 2], { timeout: 10_000 }), 3);
    // A per-task timeout overrides a shorter taskTimeout too.
    await using strict = tasksPool({ maxWorkers: 1, taskTimeout: 1 });
    strictEqual(await strict.apply("sleep", [50], { timeout: 10_000 }), 50);
  },
);

boundedTest(
  "ThreadPool: timeouts of 2^31 ms and more wait (setTimeout would fire them at once)",
  async () => {
    const long = 2 ** 31 + 1_000;
    await using pool = tasksPool({
      maxWorkers: 1,
      taskTimeout: long,
      idleTimeout: long,
    });
    strictEqual(await pool.submit("sleep", 50), 50);
    strictEqual(await pool.apply("sleep", [50], { timeout: 2 ** 31 }), 50);
    strictEqual(await pool.apply("sleep", [50], { timeout: 2 ** 40 }), 50);
    await delay(50);
    strictEqual(liveWorkers().size, 1); // not ended as idle
  },
);

boundedTest(
  "ThreadPool: the tasks queued behind a task that times out still run",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    const spin = pool.apply("spin", [], { timeout: 100 });
    const others = Array.from(
      { length: 5 },
      (_, i) => pool.submit("add", i, 1),
    );
    await rejects(spin, { name: "TimeoutError" });
    deepStrictEqual(await Promise.all(others), [1, 2, 3, 4, 5]);
  },
);

boundedTest(
  "ThreadPool: a task's time limit counts from its start, not from submit",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    const started = new Event();
    const gate = new Event();
    const blocker = pool.submit("gated", started, gate, 0);
    const behind = pool.apply("add", [1, 2], { timeout: 500 });
    const later = pool.apply("add", [3, 4], { timeout: 500 });
    await until(started, "the blocker runs");
    await delay(700); // both wait longer than their limit, before they start
    gate.set();
    deepStrictEqual(await Promise.all([blocker, behind, later]), [0, 3, 7]);
  },
);

boundedTest(
  "ThreadPool: a task's time limit does not count its worker's start-up",
  async () => {
    await using pool = new ThreadPool({
      maxWorkers: 1,
      initializer: (ms: number) => {
        const end = performance.now() + ms;
        while (performance.now() < end) {
          // A slow start: loading, connecting, warming caches.
        }
      },
      initargs: [300],
    });
    strictEqual(
      await pool.apply((a: number, b: number) => a + b, [1, 2], {
        timeout: 100,
      }),
      3,
    );
  },
);

boundedTest(
  "ThreadPool: an already aborted signal rejects at once with its reason, and nothing runs",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const counter = new Value("i32", 0);
    const reason = new Error("no thanks");
    const future = pool.apply(counted, [counter, 1], {
      signal: AbortSignal.abort(reason),
    });
    strictEqual(await future.exception(), reason);
    await pool.shutdown();
    strictEqual(counter.value, 0);
  },
);

boundedTest(
  "ThreadPool: aborting a queued task rejects it with the reason, and it never runs",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const counter = new Value("i32", 0);
    const started = new Event();
    const gate = new Event();
    const blocker = pool.submit(gated, started, gate, 0);
    const controllers = [new AbortController(), new AbortController()];
    // One sits in the worker's line, the other waits in the pool.
    const aborted = controllers.map((controller, i) =>
      pool.apply(counted, [counter, i], { signal: controller.signal })
    );
    const last = pool.submit(counted, counter, 9);
    await until(started, "the blocker runs");
    const reasons = controllers.map((controller, i) => {
      const reason = new Error(`abort ${i}`);
      controller.abort(reason);
      return reason;
    });
    for (const [i, future] of aborted.entries()) {
      strictEqual(await future.exception(), reasons[i]);
    }
    gate.set();
    deepStrictEqual(await Promise.all([blocker, last]), [0, 9]);
    await pool.shutdown();
    strictEqual(counter.value, 1); // `last` only
  },
);

boundedTest(
  "ThreadPool: aborting a running task rejects it with the reason and replaces its worker",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    const before = await pool.submit("getIdent");
    const started = new Event();
    const controller = new AbortController();
    const future = pool.apply(
      (s: Event, ms: number) => {
        s.set();
        const end = performance.now() + ms;
        while (performance.now() < end) {
          // Busy, without looking at its signal.
        }
      },
      [started, 500],
      { signal: controller.signal },
    );
    const behind = pool.submit("add", 1, 2);
    await until(started, "the task runs");
    strictEqual(future.running, true);
    const reason = new DOMException("stop", "AbortError");
    controller.abort(reason);
    strictEqual(await future.exception(), reason);
    strictEqual(await behind, 3);
    notStrictEqual(await pool.submit("getIdent"), before);
  },
);

boundedTest(
  "ThreadPool: imap and imapUnordered keep no result they have handed out (Python's test_free_reference)",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 2 });
    const make = (n: number) => ({ n });
    const items = Array.from({ length: 10 }, (_, i) => i);
    for (
      const iterate of [
        pool.imap(make, items),
        pool.imap(make, items, { chunksize: 3 }),
        pool.imapUnordered(make, items),
        pool.imapUnordered(make, items, { chunksize: 3 }),
      ]
    ) {
      for (let i = 0; i < items.length; i++) {
        const ref = await nextWeakly(iterate);
        ok(ref !== undefined);
        ok(await isCollected(ref), `result ${i} is still reachable`);
      }
      strictEqual(await nextWeakly(iterate), undefined);
    }
  },
);

// --------------------------------------------------------------- cancelling

boundedTest(
  "ThreadPool: cancel() of a queued task returns true and the task never runs",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const counter = new Value("i32", 0);
    const started = new Event();
    const gate = new Event();
    const blocker = pool.submit(gated, started, gate, 0);
    const inLine = pool.submit(counted, counter, 1); // in the worker's line
    const waiting = pool.submit(counted, counter, 2); // waits in the pool
    await until(started, "the blocker runs");
    strictEqual(inLine.cancel(), true);
    strictEqual(waiting.cancel(), true);
    strictEqual(inLine.cancel(), true); // again: still cancelled
    strictEqual(inLine.cancelled, true);
    strictEqual(waiting.done, true);
    await rejects(inLine.result(), CancelledError);
    await rejects(Promise.resolve(waiting), CancelledError);
    gate.set();
    strictEqual(await blocker, 0);
    strictEqual(await pool.submit(counted, counter, 3), 3);
    await pool.shutdown();
    strictEqual(counter.value, 1); // the last task only
  },
);

boundedTest(
  "ThreadPool: cancel() of a running or finished task returns false",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const started = new Event();
    const gate = new Event();
    const future = pool.submit(gated, started, gate, 5);
    await until(started, "the task runs");
    strictEqual(future.running, true);
    strictEqual(future.cancel(), false);
    strictEqual(future.cancelled, false);
    gate.set();
    strictEqual(await future, 5);
    strictEqual(future.cancel(), false);
    strictEqual(future.cancelled, false);
  },
);

// ------------------------------------------------------------- abandoned locks

boundedTest(
  "ThreadPool: a Lock held by a worker that dies is abandoned: the next acquire throws AbandonedLockError once",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    const lock = new Lock();
    const error = await pool.submit("holdLock", lock).exception();
    ok(error instanceof WorkerCrashedError);
    strictEqual(error.exitCode, 3);
    await rejects(lock.acquire(), AbandonedLockError);
    strictEqual(await lock.acquire({ timeout: 10_000 }), true);
    lock.release();
    strictEqual(lock.tryAcquire(), true);
    lock.release();
    // The pool's next worker can use it too.
    strictEqual(
      await pool.submit((l: Lock) => {
        const got = l.tryAcquire();
        if (got) l.release();
        return got;
      }, lock),
      true,
    );
  },
);

boundedTest(
  "ThreadPool: an RLock held (twice) by a worker that dies is abandoned once, then works",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    const lock = new RLock();
    await rejects(pool.submit("holdLock", lock, 2), WorkerCrashedError);
    throws(() => lock.acquireSync(), AbandonedLockError);
    strictEqual(lock.acquireSync({ timeout: 10_000 }), true);
    strictEqual(lock.acquireSync({ timeout: 10_000 }), true);
    strictEqual(lock.count, 2);
    lock.release();
    lock.release();
    strictEqual(lock.count, 0);
  },
);

boundedTest(
  "ThreadPool: a waiter blocked on a lock is woken with AbandonedLockError when the holder's worker dies",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const lock = new Lock();
    const started = new Event();
    const go = new Event();
    const future = pool.submit(
      (l: Lock, s: Event, g: Event) => {
        l.acquireSync();
        s.set();
        g.waitSync();
        Deno.exit(3);
      },
      lock,
      started,
      go,
    );
    await until(started, "the worker holds the lock");
    const waiting = lock.acquire();
    go.set();
    await rejects(future, WorkerCrashedError);
    await rejects(waiting, AbandonedLockError);
    strictEqual(await lock.acquire({ timeout: 10_000 }), true);
    lock.release();
  },
);

boundedTest(
  "ThreadPool: a lock held by a task that times out is abandoned once its code returns and its worker has left",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    strictEqual(await pool.submit("add", 0, 0), 0); // the worker has started
    const lock = new Lock();
    const started = new Event();
    const future = pool.apply("holdLockAndSpin", [lock, started], {
      timeout: 100,
    });
    await rejects(future, { name: "TimeoutError" });
    ok(started.isSet);
    // The task saw its signal and returned holding the lock; its worker
    // then left, and only then is the lock abandoned.
    await rejects(
      bounded(lock.acquire(), "the lock is abandoned"),
      AbandonedLockError,
    );
    strictEqual(await lock.acquire({ timeout: 10_000 }), true);
    lock.release();
  },
);

// -------------------------------------------------- primitives and transfer

boundedTest(
  "ThreadPool: primitives passed as arguments arrive as working objects",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1 });
    const lock = new Lock();
    const event = new Event();
    const queue = new Queue<number>();
    const value = new Value("i32", 5);
    const sem = new BoundedSemaphore(2);
    lock.acquireSync();
    const seen = await pool.submit(
      (l: Lock, e: Event, q: Queue<number>, v: Value<"i32">, s: Semaphore) => {
        const got = l.tryAcquire(); // held by the main thread
        e.set();
        q.putSync(1);
        q.putSync(2);
        v.add(10);
        s.acquireSync();
        return [
          l.constructor.name,
          e.constructor.name,
          q.constructor.name,
          v.constructor.name,
          s.constructor.name,
          got,
        ];
      },
      lock,
      event,
      queue,
      value,
      sem,
    );
    deepStrictEqual(seen, [
      "Lock",
      "Event",
      "Queue",
      "Value",
      "BoundedSemaphore",
      false,
    ]);
    strictEqual(event.isSet, true);
    strictEqual(queue.getNowait(), 1);
    strictEqual(queue.getNowait(), 2);
    strictEqual(value.value, 15);
    strictEqual(sem.value, 1);
    lock.release();
    // Primitives inside objects and arrays travel too.
    const total = await pool.submit(
      (o: { values: Value<"i32">[]; event: Event }) => {
        for (const v of o.values) v.add(1);
        o.event.clear();
        return o.values.reduce((sum, v) => sum + v.value, 0);
      },
      { values: [value, value], event },
    );
    strictEqual(total, 34);
    strictEqual(event.isSet, false);
  },
);

boundedTest(
  "ThreadPool: a counter under a Lock is exact across concurrent tasks",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 2 });
    const lock = new Lock();
    const counter = new Value("i32", 0, { lock: false });
    const add = (l: Lock, v: Value<"i32">, times: number) => {
      for (let i = 0; i < times; i++) {
        l.acquireSync();
        v.value = v.value + 1;
        l.release();
      }
    };
    await Promise.all(
      Array.from({ length: 4 }, () => pool.submit(add, lock, counter, 5_000)),
    );
    strictEqual(counter.value, 20_000);
  },
);

boundedTest(
  "ThreadPool: transfer detaches the ArrayBuffer in the caller, and the worker receives its bytes",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    strictEqual(await pool.submit("add", 0, 0), 0); // a worker is running
    const buffer = new Uint8Array([1, 2, 3, 250]).buffer;
    const future = pool.apply("byteSum", [buffer], { transfer: [buffer] });
    strictEqual(buffer.byteLength, 0);
    strictEqual(buffer.detached, true);
    strictEqual(await future, 256);
    throws(
      () => pool.apply("byteSum", [buffer], { transfer: [1 as never] }),
      TypeError,
    );
  },
);

boundedTest(
  "ThreadPool: transfer detaches the ArrayBuffer at once, even before the task can be sent",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    // No worker yet: the first task starts one.
    const first = new Uint8Array([1, 2, 3]).buffer;
    const future = pool.apply("byteSum", [first], { transfer: [first] });
    strictEqual(first.byteLength, 0);
    strictEqual(await future, 6);
    // The worker busy and its line full: the task waits in the pool.
    const started = new Event();
    const gate = new Event();
    const blocker = pool.submit("gated", started, gate, 0);
    const inLine = pool.submit("add", 1, 1);
    const waiting = new Uint8Array([10, 20, 30]).buffer;
    const later = pool.apply("byteSum", [waiting], { transfer: [waiting] });
    const detached = waiting.byteLength === 0;
    await until(started, "the blocker runs");
    gate.set();
    deepStrictEqual(await Promise.all([blocker, inLine, later]), [0, 2, 60]);
    ok(detached, "the buffer was detached by apply");
  },
);

// ----------------------------------------------------------- worker options

boundedTest(
  "ThreadPool: maxTasksPerWorker replaces a worker after that many tasks",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1, maxTasksPerWorker: 2 });
    const idents: number[] = [];
    for (let i = 0; i < 6; i++) idents.push(await pool.submit("getIdent"));
    strictEqual(new Set(idents).size, 3);
    for (let i = 0; i < 6; i += 2) strictEqual(idents[i], idents[i + 1]);
  },
);

boundedTest(
  "ThreadPool: maxTasksPerWorker holds for tasks submitted at once",
  async () => {
    await using pool = tasksPool({ maxWorkers: 2, maxTasksPerWorker: 1 });
    const idents = await Promise.all(
      Array.from({ length: 6 }, () => pool.submit("getIdent")),
    );
    strictEqual(new Set(idents).size, 6);
  },
);

boundedTest(
  "ThreadPool: the initializer runs once in each worker, before its tasks",
  async () => {
    await using pool = tasksPool({
      maxWorkers: 2,
      initializer: "init",
      initargs: ["ready"],
    });
    // One worker, several tasks: it ran once.
    for (let i = 0; i < 4; i++) {
      deepStrictEqual(await pool.submit("initState"), [1, "ready"]);
    }
    // Two workers at once (each task waits for the other): once in each.
    const barrier = new Barrier(2);
    const both = await Promise.all(
      [0, 1].map(() =>
        pool.submit((b: Barrier) => {
          b.waitSync();
        }, barrier)
      ),
    );
    deepStrictEqual(both, [undefined, undefined]);
    const states = await Promise.all(
      [0, 1].map(() => pool.submit("initState")),
    );
    deepStrictEqual(states, [[1, "ready"], [1, "ready"]]);
  },
);

boundedTest(
  "ThreadPool: an initializer from its own module prepares the module's tasks",
  async () => {
    await using pool = new ThreadPool<typeof Init>(INIT, {
      maxWorkers: 1,
      initializer: "setup",
      initargs: ["Hello"],
    });
    strictEqual(await pool.submit("greet", "Ada"), "Hello Ada");
    strictEqual(await pool.submit("greet", "Alan"), "Hello Alan");
    strictEqual(await pool.submit("setupRuns"), 1);
  },
);

boundedTest("ThreadPool: an initializer can be a function", async () => {
  await using pool = new ThreadPool({
    maxWorkers: 1,
    initializer: (n: number) => {
      (globalThis as unknown as { seed: number }).seed = n;
    },
    initargs: [5],
  });
  const seed = () => (globalThis as unknown as { seed: number }).seed;
  strictEqual(await pool.submit(seed), 5);
  strictEqual(await pool.submit(seed), 5);
});

boundedTest(
  "ThreadPool: primitives among initargs arrive as working objects",
  async () => {
    const counter = new Value("i32", 0);
    {
      await using pool = tasksPool({
        maxWorkers: 1,
        initializer: "init",
        initargs: ["ready", counter],
      });
      strictEqual(await pool.submit("add", 1, 2), 3);
      strictEqual(await pool.submit("add", 3, 4), 7);
    }
    {
      await using pool = new ThreadPool<typeof Init>(INIT, {
        maxWorkers: 1,
        initializer: "setup",
        initargs: ["Hi", counter],
      });
      strictEqual(await pool.submit("greet", "Ada"), "Hi Ada");
    }
    strictEqual(counter.value, 2); // once per worker
  },
);

boundedTest(
  "ThreadPool: a failing initializer breaks the pool: pending tasks and later submits get BrokenPoolError",
  async () => {
    for (
      const initializer of [
        "failInit",
        "noSuchExport",
        () => {
          throw new Error("failed");
        },
      ]
    ) {
      const pool = tasksPool({ maxWorkers: 2, initializer });
      const futures = Array.from(
        { length: 5 },
        (_, i) => pool.submit("add", i, i),
      );
      for (const future of futures) {
        await rejects(future, BrokenPoolError);
      }
      throws(() => pool.submit("add", 1, 2), BrokenPoolError);
      throws(() => pool.apply("add", [1, 2]), BrokenPoolError);
      await rejects(pool.map("double", [1]), BrokenPoolError);
      await pool.shutdown();
      strictEqual(liveWorkers().size, 0);
    }
  },
);

boundedTest(
  "ThreadPool: a module that fails to load breaks the pool",
  async () => {
    for (
      const module of [
        BAD_MODULE,
        new URL("./testdata/no_such_module.ts", import.meta.url),
      ]
    ) {
      const pool = new ThreadPool<typeof Tasks>(module, { maxWorkers: 1 });
      const futures = Array.from({ length: 3 }, () => pool.submit("add", 1, 2));
      for (const future of futures) {
        const error = await future.exception();
        ok(error instanceof BrokenPoolError, String(error));
      }
      throws(() => pool.submit("add", 1, 2), BrokenPoolError);
      await pool.shutdown();
      strictEqual(liveWorkers().size, 0);
    }
  },
);

boundedTest(
  "ThreadPool: maxQueue bounds the tasks that wait: one more is QueueFull, and nothing is lost",
  async () => {
    await using pool = new ThreadPool({ maxWorkers: 1, maxQueue: 2 });
    const counter = new Value("i32", 0);
    const started = new Event();
    const gate = new Event();
    const futures = [pool.submit(gated, started, gate, 0)];
    await until(started, "the blocker runs");
    let full: unknown;
    for (let i = 1; i < 10; i++) {
      try {
        futures.push(pool.submit(counted, counter, i));
      } catch (error) {
        full = error;
        break;
      }
    }
    ok(full instanceof QueueFull, String(full));
    // One running, maxQueue waiting, and at most one in the worker's line.
    const accepted = futures.length;
    ok(accepted >= 3 && accepted <= 4, `${accepted} tasks accepted`);
    gate.set();
    deepStrictEqual(
      await Promise.all(futures),
      Array.from({ length: accepted }, (_, i) => i),
    );
    strictEqual(counter.value, accepted - 1);
    // Room again.
    strictEqual(await pool.submit(counted, counter, 42), 42);
  },
);

boundedTest(
  "ThreadPool: minWorkers start at once and stay; idleTimeout ends the others",
  async () => {
    await using pool = new ThreadPool({
      maxWorkers: 3,
      minWorkers: 1,
      idleTimeout: 50,
    });
    strictEqual(liveWorkers().size, 1);
    const started = new Semaphore(0);
    const gate = new Event();
    const futures = Array.from(
      { length: 3 },
      (_, i) =>
        pool.submit(
          (s: Semaphore, g: Event, n: number) => {
            s.release();
            g.waitSync();
            return n;
          },
          started,
          gate,
          i,
        ),
    );
    for (let i = 0; i < 3; i++) {
      ok(await bounded(started.acquire(), "the tasks run"));
    }
    strictEqual(liveWorkers().size, 3);
    gate.set();
    deepStrictEqual(await Promise.all(futures), [0, 1, 2]);
    await waitFor("idle workers end", () => liveWorkers().size === 1);
    await delay(SETTLE_MS * 4);
    strictEqual(liveWorkers().size, 1); // minWorkers stays
    strictEqual(await pool.submit(() => "still works"), "still works");
  },
);

boundedTest(
  "ThreadPool: with idleTimeout and no minWorkers, an idle pool ends its workers and starts new ones",
  async () => {
    await using pool = tasksPool({ maxWorkers: 2, idleTimeout: 0 });
    strictEqual(liveWorkers().size, 0);
    strictEqual(await pool.submit("add", 1, 2), 3);
    await waitFor("the idle worker ends", () => liveWorkers().size === 0);
    strictEqual(await pool.submit("add", 3, 4), 7);
  },
);

// ------------------------------------------------------- futures of a pool

boundedTest(
  "ThreadPool: wait() over pool futures, for each returnWhen",
  async () => {
    await using pool = tasksPool({ maxWorkers: 3 });
    const quick = [pool.submit("add", 1, 1), pool.submit("add", 2, 2)];
    const all = await wait(quick, { returnWhen: ALL_COMPLETED });
    strictEqual(all.done.size, 2);
    strictEqual(all.notDone.size, 0);

    const started = new Event();
    const gate = new Event();
    const slow = pool.submit("gated", started, gate, 0);
    const fast = pool.submit("add", 3, 3);
    const first = await wait([slow, fast], { returnWhen: FIRST_COMPLETED });
    ok(first.done.has(fast));
    ok(first.notDone.has(slow));

    // A Future<never> mixes with a Future<number> (Future is covariant).
    const failing = pool.submit("throwRange", "bad");
    const exception = await wait([slow, failing], {
      returnWhen: FIRST_EXCEPTION,
    });
    deepStrictEqual(exception.done, new Set([failing]));
    deepStrictEqual(exception.notDone, new Set([slow]));

    const timedOut = await wait([slow], { timeout: 10 });
    deepStrictEqual(timedOut.notDone, new Set([slow]));
    gate.set();
    strictEqual(await slow, 0);
  },
);

boundedTest(
  "ThreadPool: asCompleted() over pool futures yields each once, fastest first",
  async () => {
    await using pool = tasksPool({ maxWorkers: 3 });
    const started = new Event();
    const gate = new Event();
    const slow = pool.submit("gated", started, gate, 0);
    const others = [pool.submit("add", 1, 0), pool.submit("add", 2, 0)];
    const order: number[] = [];
    for await (const future of asCompleted([slow, ...others])) {
      order.push(await future);
      if (order.length === 2) gate.set();
    }
    strictEqual(order.length, 3);
    strictEqual(order[2], 0);
    deepStrictEqual(order.slice(0, 2).sort(), [1, 2]);
  },
);

boundedTest(
  "ThreadPool: done callbacks run with the pool's future",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    const future = pool.submit("add", 1, 2);
    // Wrapped: a promise resolved with a future would adopt its result.
    const seen = Promise.withResolvers<[Future<number>]>();
    future.addDoneCallback((f) => seen.resolve([f]));
    strictEqual((await seen.promise)[0], future);
    strictEqual(await future.result({ timeout: 10_000 }), 3);
  },
);

// ----------------------------------------------------------------- shutdown

boundedTest(
  "ThreadPool: submit after shutdown throws InvalidStateError (Python's test_run_after_shutdown)",
  async () => {
    const pool = tasksPool({ maxWorkers: 1 });
    strictEqual(pool.isShutDown, false);
    await pool.shutdown();
    strictEqual(pool.isShutDown, true);
    throws(() => pool.submit("add", 2, 5), InvalidStateError);
    throws(() => pool.apply("add", [2, 5]), InvalidStateError);
    await rejects(pool.map("double", [1]), InvalidStateError);
    await rejects(pool.starmap("add", [[1, 2]]), InvalidStateError);
    throws(() => pool.imap("double", [1]), InvalidStateError);
    throws(() => pool.imapUnordered("double", [1]), InvalidStateError);
    await pool.shutdown(); // again: harmless
  },
);

boundedTest(
  "ThreadPool: shutdown() waits for every task and ends every worker (Python's test_hang_issue12364)",
  async () => {
    const pool = tasksPool({ maxWorkers: 3 });
    const futures = Array.from(
      { length: 20 },
      (_, i) => pool.submit("sleep", i),
    );
    await pool.shutdown();
    ok(futures.every((future) => future.done));
    deepStrictEqual(
      await Promise.all(futures),
      Array.from({ length: 20 }, (_, i) => i),
    );
    strictEqual(liveWorkers().size, 0);
  },
);

boundedTest(
  "ThreadPool: shutdown({ wait: false }) returns at once, and the tasks still finish",
  async () => {
    const pool = new ThreadPool({ maxWorkers: 1 });
    const started = new Event();
    const gate = new Event();
    const running = pool.submit(gated, started, gate, 1);
    const queued = pool.submit((n: number) => n, 2);
    await until(started, "the task runs");
    await pool.shutdown({ wait: false });
    strictEqual(running.done, false);
    strictEqual(pool.isShutDown, true);
    throws(() => pool.submit(() => 3), InvalidStateError);
    gate.set();
    deepStrictEqual(await Promise.all([running, queued]), [1, 2]);
    await pool.shutdown();
    strictEqual(liveWorkers().size, 0);
  },
);

boundedTest(
  "ThreadPool: shutdown({ cancelFutures: true }) cancels every task not started, and the running one finishes",
  async () => {
    const pool = new ThreadPool({ maxWorkers: 1 });
    const counter = new Value("i32", 0);
    const started = new Event();
    const gate = new Event();
    const running = pool.submit(gated, started, gate, 1);
    const rest = Array.from(
      { length: 10 },
      (_, i) => pool.submit(counted, counter, i),
    );
    await until(started, "the task runs");
    const closing = pool.shutdown({ cancelFutures: true });
    ok(rest.every((future) => future.cancelled));
    strictEqual(running.cancelled, false);
    gate.set();
    await closing;
    strictEqual(await running, 1);
    strictEqual(counter.value, 0);
    strictEqual(liveWorkers().size, 0);
  },
);

boundedTest(
  "ThreadPool: shutdown does not hang on a task cancelled just before it (Python's test_hang_gh94440)",
  async () => {
    const pool = new ThreadPool({ maxWorkers: 1 });
    strictEqual(await pool.submit(() => 0), 0);
    pool.submit(() => 1).cancel();
    await pool.shutdown({ wait: true });
    strictEqual(liveWorkers().size, 0);
  },
);

boundedTest(
  "ThreadPool: shutdown right after map with more items than workers (Python's test_shutdown_race_issue12456)",
  async () => {
    const pool = new ThreadPool({ maxWorkers: 2 });
    const all = pool.map((n: number) => String(n), [2, 2, 2]);
    await pool.shutdown();
    deepStrictEqual(await all, ["2", "2", "2"]);
  },
);

boundedTest(
  "ThreadPool: await using shuts the pool down and ends its workers (Python's test_context_manager_shutdown)",
  async () => {
    {
      await using pool = new ThreadPool({ maxWorkers: 5 });
      deepStrictEqual(
        await pool.map((n: number) => Math.abs(n), [
          -5,
          -4,
          -3,
          -2,
          -1,
          0,
          1,
          2,
          3,
          4,
        ]),
        [5, 4, 3, 2, 1, 0, 1, 2, 3, 4],
      );
      ok(liveWorkers().size > 0);
    }
    strictEqual(liveWorkers().size, 0);
  },
);

// ------------------------------------------------------------- validation

boundedTest(
  "ThreadPool: bad options are TypeError or RangeError, with the value quoted",
  async () => {
    const cases: [ThreadPoolOptions | number, typeof TypeError, string][] = [
      [{ maxWorkers: 0 }, RangeError, "0"],
      [{ maxWorkers: -1 }, RangeError, "-1"],
      [{ maxWorkers: 1.5 }, RangeError, "1.5"],
      [{ maxWorkers: "2" as never }, TypeError, '"2"'],
      [{ minWorkers: -1 }, RangeError, "-1"],
      [{ maxWorkers: 2, minWorkers: 3 }, RangeError, "3"],
      [{ idleTimeout: -1 }, RangeError, "-1"],
      [{ idleTimeout: NaN }, RangeError, "NaN"],
      [{ idleTimeout: "1" as never }, TypeError, '"1"'],
      [{ taskTimeout: -5 }, RangeError, "-5"],
      [{ taskTimeout: "5" as never }, TypeError, '"5"'],
      [{ maxTasksPerWorker: 0 }, RangeError, "0"],
      [{ maxTasksPerWorker: 2.5 }, RangeError, "2.5"],
      [{ maxQueue: -1 }, RangeError, "-1"],
      [{ maxQueue: "x" as never }, TypeError, '"x"'],
      [{ initargs: 5 as never }, TypeError, "5"],
      [{ initializer: 5 as never }, TypeError, "5"],
      [{ initializer: () => {}, initargs: [() => 1] }, TypeError, ""],
      [5, TypeError, "5"],
    ];
    for (const [options, Class, quoted] of cases) {
      throws(
        () => new ThreadPool(options as ThreadPoolOptions),
        (error) =>
          error instanceof Class && error.message.includes(quoted) &&
          error.message.startsWith("Cannot create ThreadPool"),
        `${JSON.stringify(options)} should throw ${Class.name}`,
      );
    }
    throws(
      () => new ThreadPool("not a url", {}),
      (error) =>
        error instanceof TypeError && error.message.includes('"not a url"'),
    );
    throws(
      () => new ThreadPool({ initializer: "init" }),
      (error) => error instanceof TypeError && error.message.includes('"init"'),
    );
    strictEqual(liveWorkers().size, 0);
    await Promise.resolve();
  },
);

boundedTest(
  "ThreadPool: bad task options are TypeError or RangeError, and nothing is queued",
  async () => {
    await using pool = tasksPool({ maxWorkers: 1 });
    throws(
      () => pool.apply("add", 1 as never),
      (error) => error instanceof TypeError && error.message.includes("1"),
    );
    throws(
      () => pool.apply("add", [1, 2], { timeout: -1 }),
      (error) => error instanceof RangeError && error.message.includes("-1"),
    );
    throws(
      () => pool.apply("add", [1, 2], { timeout: "5" as never }),
      (error) => error instanceof TypeError && error.message.includes('"5"'),
    );
    throws(
      () => pool.apply("add", [1, 2], { signal: "abort" as never }),
      (error) =>
        error instanceof TypeError && error.message.includes('"abort"'),
    );
    throws(() => pool.apply("add", [1, 2], 5 as never), TypeError);
    await rejects(
      pool.map("double", [1], { chunksize: 0 }),
      (error) => error instanceof RangeError && error.message.includes("0"),
    );
    await rejects(
      pool.map("double", [1], { chunksize: "2" as never }),
      (error) => error instanceof TypeError && error.message.includes('"2"'),
    );
    throws(() => pool.shutdown(5 as never), TypeError);
    strictEqual(pool.maxWorkers, 1);
    strictEqual(liveWorkers().size, 0);
  },
);

boundedTest(
  "ThreadPool: maxWorkers defaults to navigator.hardwareConcurrency",
  async () => {
    await using pool = new ThreadPool();
    strictEqual(pool.maxWorkers, navigator.hardwareConcurrency);
    strictEqual(liveWorkers().size, 0); // started on demand
  },
);

// --------------------------------------------------------- program endings

boundedTest(
  "ThreadPool: a program exits cleanly after shutdown, and after await using",
  async () => {
    const shutdown = await runProgram("shutdown");
    strictEqual(shutdown.code, 0, shutdown.stderr);
    deepStrictEqual(shutdown.stdout.trim().split("\n"), ["42", "done"]);
    strictEqual(shutdown.stderr, "");
    const disposed = await runProgram("dispose");
    strictEqual(disposed.code, 0, disposed.stderr);
    strictEqual(disposed.stdout.trim(), "42");
  },
);

boundedTest(
  "ThreadPool: a program that never shuts its pool down still finishes its work and exits",
  async () => {
    const { code, stdout, stderr } = await runProgram("no-shutdown");
    strictEqual(code, 0, stderr);
    // Whatever order they finish in.
    deepStrictEqual(stdout.trim().split("\n").sort(), [
      "slept 30",
      "slept 60",
      "slept 90",
    ], stdout);
    strictEqual(stderr, "");
  },
);

boundedTest(
  "ThreadPool: an idle pool, even with minWorkers, does not keep a program alive",
  async () => {
    const { code, stdout, stderr } = await runProgram("idle");
    strictEqual(code, 0, stderr);
    strictEqual(stdout.trim(), "idle");
  },
);

boundedTest(
  "ThreadPool: shutdown({ wait: false }) lets a program end after its running task (Python's test_hang_gh83386)",
  async () => {
    const { code, stdout, stderr } = await runProgram("shutdown-no-wait");
    strictEqual(code, 0, stderr);
    strictEqual(stdout.trim(), "apple");
    strictEqual(stderr, "");
  },
);

boundedTest(
  "ThreadPool: shutdown({ wait: false, cancelFutures: true }) lets a program end (Python's test_cancel_futures_wait_false)",
  async () => {
    const { code, stdout, stderr } = await runProgram("cancel-no-wait");
    strictEqual(code, 0, stderr);
    ok(["apple", "CancelledError"].includes(stdout.trim()), stdout);
    strictEqual(stderr, "");
  },
);

Deno.test("ThreadPool: an idle worker takes a task that waits in another's line behind a blocked one, as Python's threads take the next task from one queue", async () => {
  await using pool = new ThreadPool({ maxWorkers: 2 });
  const event = new Event();
  // The first worker blocks until the third task runs; the third goes in
  // the first worker's line (both lines are as long), behind it.
  const waits = pool.submit(
    (e: Event) => e.waitSync({ timeout: 20_000 }),
    event,
  );
  const sleeps = pool.submit(
    (ms: number) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)),
    100,
  );
  const sets = pool.submit((e: Event) => {
    e.set();
    return true;
  }, event);
  strictEqual(await sets, true);
  strictEqual(await waits, true);
  strictEqual(await sleeps, 100);
});

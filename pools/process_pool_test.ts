// Tests of ProcessPool with real child processes. The rules every pool
// shares are tested on the core (`_core_test.ts`) and on ThreadPool; these
// are the ones a process changes, ported from CPython's
// test_concurrent_futures (test_process_pool.py, test_deadlock.py) and
// _test_multiprocessing.py's pool tests where they apply: each task in a
// process of its own, how each way a process can die settles its task, that
// a stopped task is really stopped, the initializer, recycling, output,
// permissions, what cannot cross, and that no process outlives its pool.
//
// Waits that a bug could turn into a hang are bounded; the preload fails a
// test that leaves a process alive.

import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { Lock } from "../primitives/mod.ts";
import { runScript } from "./testdata/run_program.ts";
import { bounded } from "../testing/workers.ts";
import { liveProcesses } from "./_children.ts";
import {
  BrokenPoolError,
  Process,
  ProcessPool,
  type ProcessPoolOptions,
  WorkerCrashedError,
} from "./mod.ts";
import type * as Tasks from "./testdata/process_tasks.ts";
import type * as Init from "./testdata/initializer.ts";

const TASKS = new URL("./testdata/process_tasks.ts", import.meta.url);
const INIT = new URL("./testdata/initializer.ts", import.meta.url);
const BAD_MODULE = new URL("./testdata/bad_module.ts", import.meta.url);

function tasksPool(options?: ProcessPoolOptions): ProcessPool<typeof Tasks> {
  return new ProcessPool<typeof Tasks>(TASKS, options);
}

function crashed(exitCode: number) {
  return (error: unknown) => {
    ok(error instanceof WorkerCrashedError, String(error));
    strictEqual(error.exitCode, exitCode);
    return true;
  };
}

Deno.test("ProcessPool: runs functions and exports in other processes", async () => {
  await using pool = tasksPool({ maxWorkers: 2 });
  strictEqual(await pool.submit("add", 2, 3), 5);
  strictEqual(await pool.submit((a: number, b: number) => a * b, 6, 7), 42);
  const pids = await pool.map((_: number) => Deno.pid, [1, 2, 3, 4]);
  for (const pid of pids) notStrictEqual(pid, Deno.pid);
  deepStrictEqual(await pool.map("double", [1, 2, 3]), [2, 4, 6]);
  deepStrictEqual(await pool.starmap("add", [[1, 2], [3, 4]]), [3, 7]);
  strictEqual(await pool.apply("add", [20, 22]), 42);
  const ordered = [];
  for await (const n of pool.imap("double", [5, 6, 7])) ordered.push(n);
  deepStrictEqual(ordered, [10, 12, 14]);
  const unordered = [];
  for await (const n of pool.imapUnordered("sleep", [30, 1, 10])) {
    unordered.push(n);
  }
  deepStrictEqual(unordered.sort((a, b) => a - b), [1, 10, 30]);
});

Deno.test("ProcessPool: 2,000 tasks on 2 processes, each result once", async () => {
  await using pool = new ProcessPool({ maxWorkers: 2 });
  const inc = (n: number) => n + 1;
  const futures = Array.from({ length: 2000 }, (_, i) => pool.submit(inc, i));
  const results = await bounded(Promise.all(futures), "every result");
  deepStrictEqual(results, Array.from({ length: 2000 }, (_, i) => i + 1));
  deepStrictEqual(
    await pool.map(inc, Array.from({ length: 10_000 }, (_, i) => i), {
      chunksize: 500,
    }),
    Array.from({ length: 10_000 }, (_, i) => i + 1),
  );
});

Deno.test("ProcessPool: errors cross with their class name, message and fields", async () => {
  await using pool = tasksPool({ maxWorkers: 1 });
  await rejects(pool.submit("throwCustom", "bad", 7), (error: unknown) => {
    ok(error instanceof Error);
    strictEqual(error.name, "CustomError");
    strictEqual(error.message, "bad");
    strictEqual((error as Tasks.CustomError).data, 7);
    ok(
      error.stack?.includes("process_tasks.ts") ||
        error.stack?.includes("tasks.ts"),
    );
    return true;
  });
  await rejects(pool.submit("throwRange", "out"), RangeError);
  await rejects(pool.submit("returnsFunction"), {
    name: "TypeError",
    message: /Cannot send the result of task "returnsFunction"/,
  });
  await rejects(
    pool.submit("readText", "/no/such/file"),
    { name: "NotFound" },
  );
  // The process is still there for the next task.
  strictEqual(await pool.submit("add", 1, 1), 2);
});

Deno.test("ProcessPool: a process that exits fails its task with its exit code; the pool goes on", async () => {
  await using pool = tasksPool({ maxWorkers: 1 });
  const first = await pool.submit("pid");
  await rejects(pool.submit("crash", 3), crashed(3));
  const second = await pool.submit("pid");
  notStrictEqual(second, first);
});

Deno.test("ProcessPool: a process killed by a signal fails its task with minus the signal", async () => {
  await using pool = tasksPool({ maxWorkers: 1 });
  const pid = await pool.submit("pid");
  const running = pool.submit("sleep", 60_000);
  const behind = pool.submit("add", 1, 2);
  await bounded(new Promise((resolve) => setTimeout(resolve, 50)), "a moment");
  Deno.kill(pid, "SIGKILL");
  await rejects(running, crashed(-9));
  // Never started by the dead process: sent to the next one.
  strictEqual(await behind, 3);
});

Deno.test("ProcessPool: a process that runs out of memory fails its task; the pool goes on", async () => {
  await using pool = tasksPool({
    maxWorkers: 1,
    resourceLimits: { maxOldGenerationSizeMb: 32 },
  });
  await rejects(pool.submit("exhaustMemory"), (error: unknown) => {
    ok(error instanceof WorkerCrashedError, String(error));
    ok(/out of memory/.test(error.message), error.message);
    return true;
  });
  strictEqual(await pool.submit("add", 2, 2), 4);
});

Deno.test("ProcessPool: a running task that times out is stopped: its process is killed and replaced", async () => {
  await using pool = tasksPool({ maxWorkers: 1 });
  const pid = await pool.submit("pid");
  const start = performance.now();
  await rejects(
    pool.apply("spinForever", [], { timeout: 100 }),
    { name: "TimeoutError" },
  );
  ok(performance.now() - start < 10_000);
  const next = await pool.submit("pid");
  notStrictEqual(next, pid);
  throws(() => Deno.kill(pid, "SIGCONT"), Deno.errors.NotFound);
});

Deno.test("ProcessPool: abort stops a running task and drops a waiting one", async () => {
  await using pool = tasksPool({ maxWorkers: 1 });
  const controller = new AbortController();
  const running = pool.apply("spinForever", [], { signal: controller.signal });
  const waiting = pool.apply("pid", [], { signal: controller.signal });
  const after = pool.submit("add", 2, 5);
  await bounded(new Promise((resolve) => setTimeout(resolve, 100)), "a moment");
  controller.abort(new Error("enough"));
  await rejects(running, { message: "enough" });
  await rejects(waiting, { message: "enough" });
  strictEqual(await after, 7);
});

Deno.test("ProcessPool: a task aborted while the pool has not yet read that its process is ready is stopped", async () => {
  await using pool = tasksPool({ maxWorkers: 1 });
  const controller = new AbortController();
  const running = pool.apply("spinForever", [], { signal: controller.signal });
  const after = pool.submit("add", 2, 5);
  await new Promise((resolve) => setTimeout(resolve, 30)); // the writes go out
  // This thread is busy while the process starts and says it is ready: the
  // pool reads that only afterwards, and aborts first. (A child that ran
  // its task as soon as it was ready was then spinning, and never read the
  // order to skip it.)
  const busyUntil = Date.now() + 3_000;
  while (Date.now() < busyUntil) { /* busy */ }
  controller.abort(new Error("enough"));
  await rejects(running, { message: "enough" });
  strictEqual(await bounded(after, "the task behind it runs"), 7);
});

Deno.test("ProcessPool: a task aborted before its process is ready is skipped there, not killed", async () => {
  await using pool = tasksPool({
    maxWorkers: 1,
    initializer: "slowInit",
    initargs: [300],
  });
  const controller = new AbortController();
  const aborted = pool.apply("mark", [], { signal: controller.signal });
  const after = pool.submit("marked");
  controller.abort(new Error("not wanted"));
  await rejects(aborted, { message: "not wanted" });
  // Same process, which never ran the aborted task.
  strictEqual(await after, 0);
  strictEqual(await pool.submit("marked"), 0);
});

Deno.test("ProcessPool: the initializer runs once in each process before its tasks", async () => {
  await using pool = new ProcessPool<typeof Init>(INIT, {
    maxWorkers: 2,
    initializer: "setup",
    initargs: ["Hello"],
  });
  deepStrictEqual(await pool.map("greet", ["a", "b"]), ["Hello a", "Hello b"]);
  deepStrictEqual(await pool.starmap("setupRuns", [[], [], [], []]), [
    1,
    1,
    1,
    1,
  ]);
});

Deno.test("ProcessPool: an initializer or a module that fails breaks the pool", async () => {
  {
    await using pool = tasksPool({ maxWorkers: 2, initializer: "failInit" });
    await rejects(pool.submit("add", 1, 2), (error: unknown) => {
      ok(error instanceof BrokenPoolError, String(error));
      ok(/failed to start/.test(error.message), error.message);
      return true;
    });
    throws(() => pool.submit("add", 1, 2), BrokenPoolError);
  }
  {
    await using pool = new ProcessPool(BAD_MODULE, { maxWorkers: 1 });
    await rejects(pool.submit(() => 1), (error: unknown) => {
      ok(error instanceof BrokenPoolError, String(error));
      ok(error.cause instanceof Error);
      return true;
    });
  }
});

Deno.test("ProcessPool: a process is replaced after maxTasksPerWorker tasks", async () => {
  await using pool = tasksPool({ maxWorkers: 1, maxTasksPerWorker: 2 });
  const pids = [];
  for (let i = 0; i < 6; i++) pids.push(await pool.submit("pid"));
  strictEqual(new Set(pids).size, 3);
  strictEqual(pids[0], pids[1]);
  notStrictEqual(pids[1], pids[2]);
});

Deno.test("ProcessPool: a task cannot read the pool's messages from stdin", async () => {
  await using pool = tasksPool({ maxWorkers: 1 });
  strictEqual(await pool.submit("stdinEnded"), true);
  strictEqual(await pool.submit("add", 1, 2), 3);
});

Deno.test("ProcessPool: permissions narrow what a process may do", async () => {
  {
    await using pool = new ProcessPool({ maxWorkers: 1, permissions: "none" });
    strictEqual(await pool.submit((a: number) => a + 1, 1), 2);
    await rejects(
      pool.submit(() => Deno.readTextFileSync("/etc/hostname")),
      { name: "NotCapable" },
    );
  }
  {
    // The files its module imports, and nothing else.
    const root = new URL("..", import.meta.url).pathname;
    await using pool = tasksPool({
      maxWorkers: 1,
      permissions: { read: [root] },
    });
    strictEqual(await pool.submit("add", 1, 2), 3);
    await rejects(
      pool.submit("readText", "/etc/hostname"),
      { name: "NotCapable" },
    );
  }
  throws(
    () => tasksPool({ permissions: { write: true } }),
    Deno.errors.NotCapable,
  );
  throws(
    () => tasksPool({ permissions: { disk: true } as never }),
    TypeError,
  );
  throws(
    () => tasksPool({ permissions: { read: "yes" } as never }),
    TypeError,
  );
  throws(() => tasksPool({ permissions: 3 as never }), TypeError);
});

Deno.test("ProcessPool: what the codec carries crosses both ways", async () => {
  await using pool = new ProcessPool({ maxWorkers: 1 });
  const value = {
    map: new Map<unknown, unknown>([["a", 1], [2, [3n]]]),
    set: new Set(["x", 1.5]),
    date: new Date(86_400_000),
    big: 2n ** 70n,
    bytes: new Uint8Array([1, 2, 255]),
    floats: new Float64Array([0.5, -0]),
    nested: { list: [null, undefined, true, "é"], n: NaN },
  };
  deepStrictEqual(await pool.submit((v: typeof value) => v, value), value);
  const made = await pool.submit(() => ({
    error: new RangeError("made there"),
    when: new Date(0),
  }));
  ok(made.error instanceof RangeError);
  strictEqual(made.error.message, "made there");
  deepStrictEqual(made.when, new Date(0));
});

Deno.test("ProcessPool: a process's first value that is not plain data crosses, either way", async () => {
  // A child loads node:v8 only when it first meets such a value.
  {
    await using pool = new ProcessPool({ maxWorkers: 1 });
    strictEqual(await pool.submit((n: number) => n + 1, 1), 2);
    deepStrictEqual(
      await pool.submit(() => new Map([[1, new Set([2])]])),
      new Map([[1, new Set([2])]]),
    );
  }
  {
    await using pool = new ProcessPool({ maxWorkers: 1 });
    strictEqual(
      await pool.submit(
        (m: Map<string, bigint>) => m.get("a")! + 1n,
        new Map([["a", 41n]]),
      ),
      42n,
    );
  }
  {
    const process = new Process({
      target: (d: Date) => Deno.exit(d.getTime() === 7 ? 7 : 1),
      args: [new Date(7)],
    });
    process.start();
    await process.join();
    strictEqual(process.exitCode, 7);
  }
});

Deno.test("ProcessPool: a process without a permission it needs says which option to pass", async () => {
  {
    // Its module imports files outside its folder, which it may not read.
    await using pool = tasksPool({ maxWorkers: 1, permissions: "none" });
    await rejects(pool.submit("add", 1, 2), (error: unknown) => {
      ok(error instanceof BrokenPoolError, String(error));
      ok(/Requires read access/.test(error.message), error.message);
      ok(/`permissions` option/.test(error.message), error.message);
      return true;
    });
  }
  {
    // Denied write access: Deno's own error, with the hint.
    const root = new URL("..", import.meta.url).pathname;
    await using pool = tasksPool({
      maxWorkers: 1,
      permissions: { read: [root] },
    });
    await rejects(
      pool.submit("writeText", "/tmp/parallel-never-written", "x"),
      (error: unknown) => {
        ok(error instanceof Error);
        strictEqual(error.name, "NotCapable");
        ok(/Requires write access/.test(error.message), error.message);
        ok(/`permissions` option/.test(error.message), error.message);
        return true;
      },
    );
  }
});

Deno.test("ProcessPool: bad options are TypeErrors and RangeErrors that quote the value", () => {
  throws(() => tasksPool({ maxWorkers: 0 }), {
    name: "RangeError",
    message: /0/,
  });
  throws(
    () => tasksPool({ resourceLimits: { codeRangeSizeMb: 16 } }),
    { name: "RangeError", message: /codeRangeSizeMb.*16/ },
  );
  throws(
    () =>
      tasksPool({ resourceLimits: { maxOldGenerationSizeMb: "big" } as never }),
    { name: "TypeError", message: /"big"/ },
  );
  throws(
    () => tasksPool({ permissions: "all" as never }),
    { name: "TypeError", message: /"all"/ },
  );
  throws(
    () => new ProcessPool("not a url"),
    { name: "TypeError", message: /"not a url"/ },
  );
});

Deno.test("ProcessPool: what cannot travel to a process is refused at submit", async () => {
  await using pool = tasksPool({ maxWorkers: 1 });
  throws(
    () =>
      pool.apply("byteSum", [new ArrayBuffer(8)], {
        transfer: [new ArrayBuffer(8)],
      }),
    {
      name: "TypeError",
      message: /'transfer' cannot hand buffers to another process/,
    },
  );
  // This test runs without --allow-ffi: the error says how to share it.
  throws(
    () => pool.submit("add", new Lock() as never, 1),
    {
      name: "TypeError",
      message:
        /^Cannot submit task: Lock lives in memory only the threads of this process share; run the program with --allow-ffi.*, or share data through a Manager$/,
    },
  );
  throws(
    () => pool.submit("add", (() => 1) as never, 1),
    TypeError,
  );
  throws(
    () => tasksPool({ initializer: "init", initargs: [Symbol("x")] }),
    TypeError,
  );
  // Buffers are copied, not moved.
  const buffer = new Uint8Array([1, 2, 3]).buffer;
  strictEqual(await pool.submit("byteSum", buffer), 6);
  strictEqual(buffer.byteLength, 3);
});

Deno.test("ProcessPool: shutdown ends every process; no submit after it", async () => {
  const pool = tasksPool({ maxWorkers: 2, minWorkers: 2 });
  deepStrictEqual(await pool.map("add", [1, 2], { chunksize: 1 }), [NaN, NaN]);
  ok(liveProcesses().size >= 2);
  await pool.shutdown();
  strictEqual(liveProcesses().size, 0);
  throws(() => pool.submit("add", 1, 2), { name: "InvalidStateError" });
});

Deno.test("ProcessPool: shutdown with cancelFutures cancels what has not started", async () => {
  const pool = tasksPool({ maxWorkers: 1 });
  const running = pool.submit("sleep", 100);
  const futures = Array.from({ length: 10 }, () => pool.submit("sleep", 100));
  await bounded(new Promise((resolve) => setTimeout(resolve, 50)), "a moment");
  await pool.shutdown({ cancelFutures: true });
  strictEqual(await running, 100);
  ok(futures.some((future) => future.cancelled));
  strictEqual(liveProcesses().size, 0);
});

/** Runs a scenario of testdata/process_program.ts, bounded. */
function runScenario(scenario: string) {
  return runScript(
    new URL("./testdata/process_program.ts", import.meta.url),
    [scenario],
  );
}

/**
 * The pids a scenario printed last, which must all be gone (a killed
 * process lingers until its new parent reaps it: bounded, not timed).
 */
async function assertAllGone(stdout: string): Promise<void> {
  const lines = stdout.trim().split("\n");
  const pids = JSON.parse(lines[lines.length - 1]!) as number[];
  strictEqual(pids.length, 2);
  const alive = (pid: number) => {
    try {
      Deno.kill(pid, "SIGCONT");
      return true;
    } catch (error) {
      ok(error instanceof Deno.errors.NotFound, String(error));
      return false;
    }
  };
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  deepStrictEqual(pids.filter(alive), []);
}

Deno.test("ProcessPool: an idle pool does not keep the program alive, and its processes end with it", async () => {
  const { code, stdout, stderr } = await runScenario("idle");
  strictEqual(code, 0, stderr);
  ok(stdout.startsWith("idle\n"), stdout);
  await assertAllGone(stdout);
});

Deno.test("ProcessPool: tasks in flight keep the program alive until they are done", async () => {
  const { code, stdout, stderr } = await runScenario("no-shutdown");
  strictEqual(code, 0, stderr);
  // Each line comes when its task ends: their order is a matter of timing.
  deepStrictEqual(stdout.trimEnd().split("\n").sort(), [
    "slept 30",
    "slept 60",
    "slept 90",
  ]);
});

Deno.test("ProcessPool: what a task prints goes to the program's stdout and stderr", async () => {
  const { code, stdout, stderr } = await runScenario("output");
  strictEqual(code, 0, stderr);
  strictEqual(stdout, "to stdout\nparent done\n");
  strictEqual(stderr, "to stderr\n");
});

Deno.test("ProcessPool: a program that exits or throws while its processes compute kills them", async () => {
  const exited = await runScenario("exit-while-busy");
  strictEqual(exited.code, 0, exited.stderr);
  await assertAllGone(exited.stdout);
  const thrown = await runScenario("throw-while-busy");
  strictEqual(thrown.code, 1);
  ok(thrown.stderr.includes("the program failed"), thrown.stderr);
  await assertAllGone(thrown.stdout);
});

Deno.test("ProcessPool: the tutorial's Pool(5) with apply, map and imap in a loop (multi-process-pool.py, multi-process-pool-map.py)", async () => {
  await using pool = tasksPool({ maxWorkers: 5 });
  // Python's worker_thread_1 sleeps 3 s and returns its argument.
  const work = (n: number) =>
    new Promise<number>((resolve) => setTimeout(() => resolve(n), 3));
  for (let round = 0; round < 10; round++) {
    strictEqual(await pool.apply(work, [100]), 100);
    strictEqual(await pool.apply(work, [100]), 100);
    deepStrictEqual(await pool.map(work, [100, 100, 100]), [100, 100, 100]);
    const seen = [];
    for await (const n of pool.imap(work, [100, 100, 100])) seen.push(n);
    deepStrictEqual(seen, [100, 100, 100]);
  }
});

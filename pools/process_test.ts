// Tests of Process with real child processes, ported from CPython's
// _test_multiprocessing.py (test_process, test_terminate, test_kill,
// test_exitcode, test_daemon, test_current) where they apply, plus the
// names `currentProcess()` and `currentThread()` give everywhere.
//
// Waits that a bug could turn into a hang are bounded; the preload fails a
// test that leaves a process alive.

import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { runScript } from "./testdata/run_program.ts";
import { bounded } from "../testing/workers.ts";
import {
  currentProcess,
  currentThread,
  InvalidStateError,
  Process,
  ProcessPool,
  Thread,
  ThreadPool,
} from "./mod.ts";
import type * as Tasks from "./testdata/process_tasks.ts";

const TASKS = new URL("./testdata/process_tasks.ts", import.meta.url);

async function ended(process: Process): Promise<number | null> {
  ok(await bounded(process.join(), `${process.name} ends`));
  return process.exitCode;
}

Deno.test("Process: exit codes as Python's: 0, 1, its own, minus the signal", async () => {
  const returns = new Process({ target: (n: number) => n + 1, args: [1] });
  strictEqual(returns.exitCode, null);
  strictEqual(returns.isAlive, false);
  strictEqual(returns.pid, undefined);
  returns.start();
  ok(returns.pid! > 0 && returns.pid !== Deno.pid);
  strictEqual(await ended(returns), 0);
  strictEqual(returns.isAlive, false);

  const throwsError = new Process({
    target: () => {
      throw new Error("expected in this test");
    },
  });
  throwsError.start();
  strictEqual(await ended(throwsError), 1);

  const exits = new Process({ target: () => Deno.exit(3) });
  exits.start();
  strictEqual(await ended(exits), 3);

  const forever = () => new Promise(() => setInterval(() => {}, 1000));
  const killed = new Process({ target: forever });
  killed.start();
  ok(killed.isAlive);
  killed.kill();
  strictEqual(await ended(killed), -9);
  const terminated = new Process({ target: forever });
  terminated.start();
  terminated.terminate();
  strictEqual(await ended(terminated), -15);
});

Deno.test("Process: join and joinSync with a timeout", async () => {
  const sleeper = new Process({
    target: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
    args: [300],
  });
  sleeper.start();
  strictEqual(await sleeper.join({ timeout: 10 }), false);
  strictEqual(sleeper.joinSync({ timeout: 10 }), false);
  ok(sleeper.isAlive);
  strictEqual(sleeper.joinSync({ timeout: 20_000 }), true);
  strictEqual(sleeper.exitCode, 0);
  await sleeper.join();
});

Deno.test("Process: joinSync right after start sees the exit code, as the child's zombie shows it", async () => {
  const exits = new Process({ target: () => Deno.exit(5) });
  exits.start();
  strictEqual(exits.joinSync({ timeout: 20_000 }), true);
  strictEqual(exits.exitCode, 5);
  strictEqual(exits.isAlive, false);
  await exits.join();
  strictEqual(exits.exitCode, 5);
});

Deno.test("Process: a target and arguments too large for a command line are a RangeError at start", () => {
  const big = new Process({
    target: (s: string) => s.length,
    args: ["x".repeat(2 * 1024 * 1024)],
  });
  throws(() => big.start(), { name: "RangeError", message: /bytes encoded/ });
  strictEqual(big.isAlive, false);
});

Deno.test("Process: a module's export as target, and currentProcess() inside", async () => {
  const byName = new Process<[string]>({
    module: TASKS,
    target: "exitIfNamed",
    args: ["worker-7"],
    name: "worker-7",
  });
  byName.start();
  strictEqual(await ended(byName), 7);
  const asThread = new Process<[string]>({
    target: { module: TASKS, name: "exitIfNamed" },
    args: ["Process-other"],
  });
  asThread.start();
  strictEqual(await ended(asThread), 1);
  strictEqual(currentProcess().name, "MainProcess");
  strictEqual(currentProcess().pid, Deno.pid);
});

Deno.test("Process: names and state errors", () => {
  const p = new Process({ target: () => {} });
  ok(/^Process-\d+$/.test(p.name));
  p.name = "renamed";
  strictEqual(p.name, "renamed");
  p.daemon = true;
  strictEqual(p.daemon, true);
  throws(() => p.joinSync(), InvalidStateError);
  throws(() => p.kill(), InvalidStateError);
  p.start();
  throws(() => p.start(), InvalidStateError);
  throws(() => (p.daemon = false), InvalidStateError);
  strictEqual(p.joinSync({ timeout: 20_000 }), true);
  return p.join().then(() => {});
});

Deno.test("Process: bad options are TypeErrors that quote the value", () => {
  throws(() => new Process(null as never), TypeError);
  throws(() => new Process({ target: 42 as never }), /received 42/);
  throws(() => new Process({ target: "work" }), /no 'module'/);
  throws(
    () => new Process({ target: "not a name", module: TASKS }),
    TypeError,
  );
  throws(
    () => new Process({ target: "add", module: "relative.ts" }),
    /absolute URL/,
  );
  throws(() => new Process({ target: () => {}, args: 1 as never }), TypeError);
  throws(() => new Process({ target: () => {}, name: 1 as never }), TypeError);
  throws(
    () => new Process({ target: () => {}, daemon: "yes" as never }),
    TypeError,
  );
  const p = new Process({ target: (_: symbol) => {}, args: [Symbol("x")] });
  throws(() => p.start(), TypeError);
});

Deno.test("currentThread() and currentProcess() name every thread and process", async () => {
  strictEqual(currentThread().name, "MainThread");
  {
    await using pool = new ThreadPool<typeof Tasks>(TASKS, { maxWorkers: 1 });
    const [process, thread] = await pool.submit("names");
    strictEqual(process, "MainProcess");
    ok(/^ThreadPool-\d+_0$/.test(thread), thread);
  }
  {
    await using pool = new ProcessPool<typeof Tasks>(TASKS, { maxWorkers: 1 });
    const [process, thread] = await pool.submit("names");
    ok(/^ProcessPool-\d+_0$/.test(process), process);
    strictEqual(thread, "MainThread");
  }
  const thread = new Thread({
    target: { module: TASKS, name: "names" },
    name: "named-thread",
  });
  thread.start();
  await thread.join();
  deepStrictEqual(thread.name, "named-thread");
});

async function runExitProgram(kind: string, ms: number) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-run",
      new URL("./testdata/process_exit_program.ts", import.meta.url).pathname,
      kind,
      String(ms),
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
    signal: AbortSignal.timeout(20_000),
  }).output();
  const pid = Number(new TextDecoder().decode(output.stdout).trim());
  return { code: output.code, pid };
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return !alive(pid);
}

Deno.test("Process: a non-daemon keeps the program alive; a daemon is killed when it ends", async () => {
  // The program waits for its non-daemon child: the child is gone when it ends.
  const waited = await runExitProgram("non-daemon", 300);
  strictEqual(waited.code, 0);
  ok(!alive(waited.pid));
  // A daemon that would sleep for a minute is killed at the program's end.
  const daemon = await runExitProgram("daemon", 60_000);
  strictEqual(daemon.code, 0);
  ok(await gone(daemon.pid));
  // So is any child when the program dies of an uncaught error.
  const thrown = await runExitProgram("throw", 60_000);
  strictEqual(thrown.code, 1);
  ok(await gone(thrown.pid));
});

function runTutorial(name: string) {
  return runScript(new URL("./testdata/tutorial.ts", import.meta.url), [name]);
}

Deno.test("the tutorial's multi-process.py: two processes run one after another, named as Python names them", async () => {
  const { code, stdout, stderr } = await runTutorial("multi-process");
  strictEqual(code, 0, stderr);
  strictEqual(stdout, "10\n10\n");
  strictEqual(
    stderr,
    "Process-1 >> start\nProcess-1 >> end\nunknown_process >> start\nunknown_process >> end\n",
  );
});

Deno.test("the tutorial's concurrent.py: submit to a ThreadPool, results logged by thread name", async () => {
  const { code, stdout, stderr } = await runTutorial("concurrent");
  strictEqual(code, 0, stderr);
  strictEqual(stdout, "");
  const lines = stderr.trim().split("\n");
  strictEqual(lines.length, 12);
  for (let n = 0; n < 3; n++) {
    const [start, product, end, main] = lines.slice(4 * n, 4 * n + 4);
    const worker = /^(ThreadPool-\d+_\d+) >> start$/.exec(start!)?.[1];
    ok(worker !== undefined, start);
    strictEqual(product, `${worker} >> 10`);
    strictEqual(end, `${worker} >> end`);
    strictEqual(main, "MainThread >> 10");
  }
});

// The primitives passed to real processes (testdata/shared_program.ts, run
// with --allow-ffi so that its primitives live in memory that processes
// share): a Lock-protected counter of 4 processes, the tutorial's
// process-value_array.py, a Queue fed by ProcessPool tasks, a process killed
// holding a Lock, and the error of a program without the flag. No entry is
// left in /dev/shm or the temp directory.
import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { runScript } from "./testdata/run_program.ts";

const PROGRAM = new URL("./testdata/shared_program.ts", import.meta.url)
  .pathname;

/** Runs a scenario of shared_program.ts, with --allow-ffi if `ffi`. */
function run(scenario: string, ffi = true) {
  return runScript(
    new URL("./testdata/shared_program.ts", import.meta.url),
    [scenario],
    ["--allow-read", "--allow-run", ...(ffi ? ["--allow-ffi"] : [])],
  );
}

/** Whether process `pid` still runs (a zombie counts as gone). */
/** Whether `pid` runs (reading /proc here directly needs --allow-all). */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid: ${pid}`);
  const { success, stdout } = new Deno.Command("cat", {
    args: [`/proc/${pid}/stat`],
    stderr: "null",
  }).outputSync();
  return success && !/\) Z /.test(new TextDecoder().decode(stdout));
}

/** The names in /dev/shm and the temp directory. */
function shmAndTemp(): string[] {
  const names: string[] = [];
  for (const dir of ["/dev/shm", "/tmp"]) {
    try {
      for (const entry of Deno.readDirSync(dir)) {
        names.push(`${dir}/${entry.name}`);
      }
    } catch {
      // No such directory here.
    }
  }
  return names.filter((name) => /parallel|memfd/i.test(name)).sort();
}

Deno.test("Lock and Value across 4 processes: 4 x 50,000 locked increments end exact", async () => {
  const before = shmAndTemp();
  const { code, stdout, stderr } = await run("counter");
  strictEqual(code, 0, stderr);
  strictEqual(stdout, "0,0,0,0 200000\n");
  deepStrictEqual(shmAndTemp(), before);
});

Deno.test("the tutorial's process-value_array.py: Value and SharedArray changed by two processes in turn", async () => {
  const { code, stdout, stderr } = await run("value_array");
  strictEqual(code, 0, stderr);
  strictEqual(
    stdout,
    [
      "3.14 [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]",
      "4.14 [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]",
      "5.14 [0, 4, 8, 12, 16, 20, 24, 28, 32, 36]",
      "",
    ].join("\n"),
  );
});

Deno.test("a Queue and Events given to ProcessPool tasks: 2 x 5,000 items, exact and in order per producer", async () => {
  const { code, stdout, stderr } = await run("queue");
  strictEqual(code, 0, stderr);
  strictEqual(stdout, "5000,5000 5000,5000 true 0\n");
});

Deno.test("a process killed while it holds a Lock abandons it: the next acquirer gets AbandonedLockError", async () => {
  const { code, stdout, stderr } = await run("killed");
  strictEqual(code, 0, stderr);
  strictEqual(stdout, "abandoned\n");
});

Deno.test("a process killed while a Worker of its own holds a Lock abandons it too: the next acquirer gets AbandonedLockError", async () => {
  const { code, stdout, stderr } = await run("killed-in-thread");
  strictEqual(code, 0, stderr);
  strictEqual(stdout, "abandoned\n");
});

Deno.test("without --allow-ffi, start() refuses a primitive at once, naming the flag and the Manager", async () => {
  const { code, stdout, stderr } = await run("no-ffi", false);
  strictEqual(code, 0, stderr);
  match(
    stdout,
    /^TypeError: Cannot start Process: Lock lives in memory only the threads of this process share; run the program with --allow-ffi, .*, or share data through a Manager\n$/,
  );
});

Deno.test("a parent killed with SIGKILL while its daemon child holds its Lock leaves no process and nothing in /dev/shm or the temp directory", async () => {
  const before = shmAndTemp();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-run",
      "--allow-ffi",
      PROGRAM,
      "hang",
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  // The first line is the pid of its daemon child, which holds the lock.
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const pid = Number(text.trim());
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
  // The daemon sees its stdin end and exits; then nothing maps the memory.
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  strictEqual(isAlive(pid), false, `process ${pid} outlived its parent`);
  deepStrictEqual(shmAndTemp(), before);
});

// The scenarios of testdata/shared_scenarios.ts: each primitive used by
// several real processes at once, and the tutorial's programs that pass a
// Lock, a Pipe and a Queue to processes.

/** Runs a scenario of shared_scenarios.ts with --allow-ffi. */
function runScenario(args: string[], bound?: number) {
  return runScript(
    new URL("./testdata/shared_scenarios.ts", import.meta.url),
    args,
    ["--allow-read", "--allow-run", "--allow-ffi"],
    bound,
  );
}

Deno.test("BoundedSemaphore(2) across 4 processes x 200 entries: at most 2 inside, 2 reached, 800 entries", async () => {
  const { code, stdout, stderr } = await runScenario(["semaphore"]);
  strictEqual(code, 0, stderr);
  // Exit codes, most inside at once, entries, inside at the end, value.
  strictEqual(stdout, "0,0,0,0 2 800 0 2\n");
});

Deno.test("Barrier(3) across 3 processes for 200 rounds: every party arrived before any passed, each index once per round", async () => {
  const { code, stdout, stderr } = await runScenario(["barrier"]);
  strictEqual(code, 0, stderr);
  // Exit codes, rounds all 3 arrived in, (round, index) pairs seen once,
  // passes before all arrived, broken.
  strictEqual(stdout, "0,0,0 200 600 0 false\n");
});

Deno.test("Condition across 3 processes: 1 producer, 2 consumers, 20,000 items through 8 slots, none lost or taken twice", async () => {
  const { code, stdout, stderr } = await runScenario(["condition"]);
  strictEqual(code, 0, stderr);
  // Exit codes, items taken, their sum (1 + ... + 20,000), items taken
  // exactly once, times 0 (the stop) was counted, both consumers took some.
  strictEqual(stdout, "0,0,0 20000 200010000 20000 0 true\n");
});

Deno.test("Queue across 4 producer and 4 consumer processes: 100,000 items up to 64 KiB, whole, each once, in order per producer and consumer", async () => {
  const { code, stdout, stderr } = await runScenario(
    ["queue-big", "100000"],
    90_000,
  );
  strictEqual(code, 0, stderr);
  // Exit codes of producers and consumers, seqs never taken, taken twice,
  // taken out of order, payloads not whole, items left.
  strictEqual(stdout, "0,0,0,0 0,0,0,0 0 0 0 0 0\n");
});

Deno.test("Event ping-pong between 2 processes: 1,000 round trips, each side in step", async () => {
  const { code, stdout, stderr } = await runScenario(["event"]);
  strictEqual(code, 0, stderr);
  // Exit codes; pongs seen, pings seen, turns out of step.
  strictEqual(stdout, "0,0 1000,1000,0\n");
});

Deno.test("Pipe: a child sends 1,000 messages and closes its end; the parent receives them in order, then EOFError, and cannot send", async () => {
  const { code, stdout, stderr } = await runScenario(["pipe"]);
  strictEqual(code, 0, stderr);
  strictEqual(
    stdout,
    "0 1000 EOFError EOFError ConnectionClosedError true\n",
  );
});

Deno.test("a child killed with SIGKILL while it puts: what it put is whole and in order, qsize is what is taken, and the queue goes on for 2 processes", async () => {
  const { code, stdout, stderr } = await runScenario(["killed-put"]);
  strictEqual(code, 0, stderr);
  // Per round: exit codes (killed, other), it put 200 or more, taken =
  // qsize, all whole and in order, a get then times out, 100 items each way
  // between the other process and this one, items left.
  strictEqual(
    stdout,
    "-9,0 true true true QueueEmpty 100 100 0\n".repeat(3),
  );
  // A kill may catch the child inside the queue's lock: the next call then
  // throws AbandonedLockError once (retried), and the queue is whole.
  match(stderr, /^abandoned [0-3]\n$/);
});

Deno.test("the tutorial's communication-process.py: each process changes its own copy of a plain object under a shared Lock, the parent's stays unchanged", async () => {
  const { code, stdout, stderr } = await runScenario(["communication"]);
  strictEqual(code, 0, stderr);
  strictEqual(stdout, "");
  strictEqual(
    stderr,
    [
      "Process-1 >> {'x': 10}",
      "Process-2 >> {'x': 20}",
      "MainProcess >> {'x': 0}",
      "",
    ].join("\n"),
  );
});

Deno.test("the tutorial's process-pipe.py: a child sends on a Pipe and closes it; the parent receives, then EOFError", async () => {
  const { code, stdout, stderr } = await runScenario(["process-pipe"]);
  strictEqual(code, 0, stderr);
  strictEqual(stdout, "");
  strictEqual(
    stderr,
    "MainProcess >> child_process >> ['test']\nMainProcess >> EOFError\n",
  );
});

Deno.test("the tutorial's queue_thread.py with processes: 3 workers take 100 items from a Queue until None; join waits for every taskDone", async () => {
  const { code, stdout, stderr } = await runScenario(["process-queue"]);
  strictEqual(code, 0, stderr);
  strictEqual(stdout, "0,0,0\n");
  const lines = stderr.trimEnd().split("\n");
  // The parent's lines, in order: join returned only once all were done.
  deepStrictEqual(
    lines.filter((line) => line.startsWith("MainProcess")),
    ["MainProcess >> tasks are not done!!", "MainProcess >> tasks are done"],
  );
  // Each worker logs start, its items in increasing order, end.
  const items: number[] = [];
  for (const name of ["Process-1", "Process-2", "Process-3"]) {
    const own = lines.filter((line) => line.startsWith(`${name} >> `))
      .map((line) => line.slice(name.length + 4));
    strictEqual(own[0], "start", name);
    strictEqual(own.at(-1), "end", name);
    const taken = own.slice(1, -1).map(Number);
    deepStrictEqual(taken, [...taken].sort((a, b) => a - b), name);
    items.push(...taken);
  }
  strictEqual(lines.length, 2 + 6 + 100);
  deepStrictEqual(
    items.sort((a, b) => a - b),
    Array.from({ length: 100 }, (_, i) => i),
  );
});

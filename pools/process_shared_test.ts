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
function isAlive(pid: number): boolean {
  try {
    return !/\) Z /.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false;
  }
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

// Small programs that pools/process_pool_test.ts runs as subprocesses
// (`deno run --allow-read --allow-run process_program.ts SCENARIO`), to see
// how a program that uses a ProcessPool ends, and where its tasks' output
// goes. Each prints what it saw; the pids of its pool's processes go on the
// last line, for the test to check that none is left.

import { ProcessPool } from "../mod.ts";
import type * as Tasks from "./process_tasks.ts";

const tasks = new URL("./process_tasks.ts", import.meta.url);
const scenario = Deno.args[0];
const pool = new ProcessPool<typeof Tasks>(tasks, {
  maxWorkers: 2,
  minWorkers: scenario === "no-shutdown" || scenario === "output" ? 0 : 2,
});
const pids = new Set<number>();
/** Prints the pids of the pool's processes: the last line of the output. */
function printPids(): void {
  console.log(JSON.stringify([...pids]));
}

switch (scenario) {
  case "idle": {
    // Done and idle, never shut down: the program ends, and so do they.
    // Sent at once, one to each process.
    for (const pid of await pool.map("pidAfter", [10, 10], { chunksize: 1 })) {
      pids.add(pid);
    }
    console.log("idle");
    printPids();
    break;
  }
  case "no-shutdown": {
    // Work handed out and never awaited, no shutdown: the work finishes and
    // the program ends.
    for (const ms of [30, 60, 90]) {
      pool.submit("sleep", ms).then((value) => console.log(`slept ${value}`));
    }
    break;
  }
  case "output": {
    // What a task prints goes to the program's stdout and stderr.
    await pool.submit("print", "to stdout", "to stderr");
    await pool.shutdown();
    console.log("parent done");
    break;
  }
  case "exit-while-busy":
  case "throw-while-busy": {
    // The program ends while its processes compute: they are killed.
    for (const pid of await pool.map("pidAfter", [10, 10], { chunksize: 1 })) {
      pids.add(pid);
    }
    pool.submit("spinForever").catch(() => {});
    pool.submit("spinForever").catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    printPids();
    if (scenario === "exit-while-busy") Deno.exit(0);
    throw new Error("the program failed");
  }
  default:
    throw new Error(`no scenario ${scenario}`);
}

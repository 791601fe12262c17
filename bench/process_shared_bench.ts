// Primitives shared with processes against Python's multiprocessing, in the
// same run: 2 processes that each add 1 to a Value 100,000 times under its
// lock, started and joined per iteration on both sides.
//
//   deno bench --allow-read --allow-run --allow-ffi bench/process_shared_bench.ts
//
// Without --allow-ffi the primitives cannot go to a process: this file
// needs it, as any program that shares them with processes does.

import { Lock, Process, Value } from "../mod.ts";
import { PythonChild } from "./_python.ts";

const python = new PythonChild(
  new URL("./python/process_shared.py", import.meta.url),
);
const tasks = new URL("../pools/testdata/shared_tasks.ts", import.meta.url);
const TIMES = 100_000;

function check(what: string, total: number): void {
  if (total !== 2 * TIMES) {
    throw new Error(`${what}: counted ${total}, expected ${2 * TIMES}`);
  }
}

Deno.bench("Value under its Lock, 2 Processes", {
  group: "2 processes x 100,000 locked increments",
  baseline: true,
  n: 10,
  warmup: 1,
}, async () => {
  const lock = new Lock();
  const value = new Value("i32", 0);
  const processes = [0, 1].map(() =>
    new Process({ module: tasks, target: "count", args: [lock, value, TIMES] })
  );
  for (const p of processes) p.start();
  for (const p of processes) await p.join();
  check("deno", value.value);
});

Deno.bench("Python multiprocessing.Value with get_lock()", {
  group: "2 processes x 100,000 locked increments",
  n: 10,
  warmup: 1,
}, async () => {
  const [total] = (await python.ask(`counter ${TIMES}`)).split(" ");
  check("python3", Number(total));
});

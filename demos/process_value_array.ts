/**
 * Python's `multi-process/process-value_array.py`: a `Value("f", 3.14)`
 * and an `Array("i", range(10))` in shared memory, changed by two processes
 * in turn: each adds 1.0 to the value and doubles every element. Unlike a
 * plain argument, which each process gets a copy of, both see and keep
 * what the other wrote: the parent ends with 5.14 and the elements × 4.
 *
 * On Deno they are `new Value("f32", 3.14)` (Python's `"f"` is a C float,
 * hence `3.140000104904175`) and `new SharedArray("i32", ...)`, in memory
 * that the processes share (this needs `--allow-ffi`); a process start
 * costs about 100 ms.
 *
 * Run it with
 * `deno run --allow-read --allow-run --allow-ffi demos/process_value_array.ts`.
 *
 * @module
 */
import { Process, SharedArray, Value } from "../mod.ts";
import { debug, processRepr } from "./_py_repr.ts";

const tasks = new URL("./_process_tasks.ts", import.meta.url);

/**
 * Runs the two processes in turn, logging as it goes.
 *
 * @returns The value and the elements at the end.
 */
export async function processValueArray(): Promise<
  { value: number; array: number[] }
> {
  const num = new Value("f32", 3.14);
  const arr = new SharedArray("i32", Array.from({ length: 10 }, (_, i) => i));
  for (let i = 0; i < 2; i++) {
    const p = new Process({
      module: tasks,
      target: "changeShared",
      args: [num, arr],
    });
    p.start();
    await p.join();
    debug(processRepr(p));
  }
  debug(num.value);
  debug(arr.toArray());
  return { value: num.value, array: arr.toArray() };
}

if (import.meta.main) await processValueArray();

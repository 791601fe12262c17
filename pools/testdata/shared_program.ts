// Programs that pools/process_shared_test.ts runs with --allow-ffi (or
// without, for the error), so that their primitives live in memory that
// processes share. Each prints what it saw.

import {
  AbandonedLockError,
  Event,
  Lock,
  Process,
  ProcessPool,
  Queue,
  SharedArray,
  Value,
} from "../../mod.ts";
import type * as Tasks from "./shared_tasks.ts";

const tasks = new URL("./shared_tasks.ts", import.meta.url);

switch (Deno.args[0]) {
  case "counter": {
    // 4 processes x 50,000 increments under one Lock.
    const lock = new Lock();
    const value = new Value("i32", 0);
    const processes = [0, 1, 2, 3].map(() =>
      new Process({
        module: tasks,
        target: "count",
        args: [lock, value, 50_000],
      })
    );
    for (const p of processes) p.start();
    for (const p of processes) await p.join();
    console.log(processes.map((p) => p.exitCode).join(","), value.value);
    break;
  }
  case "value_array": {
    // The tutorial's process-value_array.py.
    const num = new Value("f32", 3.14);
    const arr = new SharedArray("i32", Array.from({ length: 10 }, (_, i) => i));
    for (let i = 0; i < 2; i++) {
      const p = new Process({
        module: tasks,
        target: "userInput",
        args: [num, arr],
      });
      p.start();
      await p.join();
    }
    console.log(`${num.value.toFixed(2)} [${arr.toArray().join(", ")}]`);
    break;
  }
  case "queue": {
    // 2 producer tasks in a ProcessPool, the parent consumes: exact, FIFO per producer.
    await using pool = new ProcessPool<typeof Tasks>(tasks, { maxWorkers: 2 });
    const queue = new Queue<[number, number]>(64);
    const done = [new Event(), new Event()];
    const N = 5_000;
    const sent = [0, 1].map((p) =>
      pool.submit("produce", queue, done[p]!, p, N)
    );
    const next = [0, 0];
    for (let i = 0; i < 2 * N; i++) {
      const [producer, k] = await queue.get();
      if (next[producer] !== k) {
        throw new Error(`out of order: ${producer} ${k}`);
      }
      next[producer]!++;
    }
    console.log(
      (await Promise.all(sent)).join(","),
      next.join(","),
      done.every((e) => e.isSet),
      queue.qsize(),
    );
    break;
  }
  case "killed":
  case "killed-in-thread": {
    // A child killed while it (or a Worker of its own) holds the lock: the
    // next acquirer learns it.
    const lock = new Lock();
    const held = new Event();
    const p = new Process({
      module: tasks,
      target: Deno.args[0] === "killed" ? "holdForever" : "holdForeverInThread",
      args: [lock, held],
    });
    p.start();
    await held.wait();
    p.kill();
    await p.join();
    try {
      await lock.acquire({ timeout: 5000 });
      console.log("acquired");
    } catch (error) {
      console.log(
        error instanceof AbandonedLockError ? "abandoned" : String(error),
      );
    }
    break;
  }
  case "hang": {
    // A daemon child holds the lock, and this program waits to be killed.
    const lock = new Lock();
    const held = new Event();
    const p = new Process({
      module: tasks,
      target: "holdForever",
      args: [lock, held],
      daemon: true,
    });
    p.start();
    await held.wait();
    console.log(p.pid);
    await new Promise(() => setInterval(() => {}, 1000));
    break;
  }
  case "no-ffi": {
    const p = new Process({
      module: tasks,
      target: "count",
      args: [new Lock(), new Value("i32", 0), 1],
    });
    try {
      p.start();
      console.log("started");
    } catch (error) {
      console.log(`${(error as Error).name}: ${(error as Error).message}`);
    }
    break;
  }
}

// A new user's first program (README, "Install and import").
import { Lock, Value } from "@parallel/parallel";
import { Thread, ThreadPool } from "@parallel/parallel/pools";

const counter = new Value("i32", 0);
const thread = new Thread({
  target: (c: Value<"i32">) => {
    c.add(1);
  },
  args: [counter],
});
thread.start();
await thread.join();
console.log("thread", counter.value);

{
  await using pool = new ThreadPool({ maxWorkers: 1 });
  console.log("pool", await pool.submit((n: number) => n * 2, 21));
}

const lock = new Lock();
lock.acquireSync();
const worker = new Worker(new URL("./worker.ts", import.meta.url), {
  type: "module",
});
const answer = new Promise((resolve) =>
  worker.onmessage = (e) => resolve(e.data)
);
worker.postMessage(lock.handle);
lock.release();
console.log("worker", await answer);
worker.terminate();

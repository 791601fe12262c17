// ClusterPool against BullMQ used directly, on the same Redis in the same
// run (a redis-server of its own, on a free loopback port, no persistence):
//
//   deno bench --allow-read --allow-run --allow-env --allow-net=127.0.0.1 bench/cluster_bench.ts
//
// Tiny tasks (n * 2 + 1): throughput (2,000 tasks, each submitted alone and
// awaited, from submit to the last result) and one task's latency, with one
// worker process; BullMQ's worker runs the same function inline, with
// concurrency 1 and 64, and its results come through QueueEvents. Then the
// ClusterPool's throughput with 1, 2 and 4 worker processes (each
// `--concurrency 1`), and 16 CPU-bound tasks of 50 ms over 1 and 2 worker
// processes. Each configuration has a queue of its own, so that idle workers
// of another take nothing. Worker starts are not timed.

import { Queue, QueueEvents } from "npm:bullmq@5.81.5";
import { ClusterPool } from "../cluster/mod.ts";
import { TASKS, TestRedis } from "../cluster/testdata/redis.ts";

type Tasks = typeof import("../cluster/testdata/tasks.ts");

const TINY = 2_000;
const CPU_TASKS = 16;
const CPU_MS = 50;

const redis = new TestRedis();
// Not `await using`: the module ends before the benches run.
globalThis.addEventListener("unload", () => redis.killNow());
await redis.start();

function pool(queue: string, maxWorkers = 256): ClusterPool<Tasks> {
  return new ClusterPool<Tasks>(TASKS, { redis: redis.url, queue, maxWorkers });
}

const tinyFlags = ["--concurrency", "1", "--prefetch", "64"];
const cpuFlags = ["--concurrency", "1", "--prefetch", "1"];
const workers: Promise<unknown>[] = [];
for (const count of [1, 2, 4]) {
  for (let i = 0; i < count; i++) {
    workers.push(redis.worker([...tinyFlags, "--queue", `tiny${count}`]));
  }
}
for (const count of [1, 2]) {
  for (let i = 0; i < count; i++) {
    workers.push(redis.worker([...cpuFlags, "--queue", `cpu${count}`]));
  }
}
await Promise.all(workers);
const tiny = { 1: pool("tiny1"), 2: pool("tiny2"), 4: pool("tiny4") };
const cpu = { 1: pool("cpu1", 64), 2: pool("cpu2", 64) };

// BullMQ, directly: a Queue, a QueueEvents, and a worker process.
const connection = { host: "127.0.0.1", port: redis.port };
async function bullmq(concurrency: number) {
  const name = `bullmq${concurrency}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      "--allow-env",
      "--allow-net=127.0.0.1",
      new URL("./_cluster_bullmq_worker.ts", import.meta.url).href,
      `${redis.port}`,
      name,
      `${concurrency}`,
    ],
    stdout: "piped",
  }).spawn();
  globalThis.addEventListener("unload", () => child.kill("SIGKILL"));
  const reader = child.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  await reader.read();
  const queue = new Queue(name, {
    connection,
    // Room for every event of a run: QueueEvents must see each completion.
    streams: { events: { maxLen: 1_000_000 } },
  });
  const events = new QueueEvents(name, { connection });
  await events.waitUntilReady();
  // One job first: QueueEvents reads only events after its first read.
  const first = await queue.add("t", { n: 0 });
  await first.waitUntilFinished(events);
  return { queue, events };
}
const bull = { 1: await bullmq(1), 64: await bullmq(64) };

async function clusterTiny(pool: ClusterPool<Tasks>): Promise<void> {
  const futures = [];
  for (let i = 0; i < TINY; i++) futures.push(pool.submit("double", i));
  const results = await Promise.all(futures);
  for (let i = 0; i < TINY; i++) {
    if (results[i] !== i * 2 + 1) throw new Error(`wrong result ${i}`);
  }
}

async function bullTiny(concurrency: 1 | 64): Promise<void> {
  const { queue, events } = bull[concurrency];
  let done = 0;
  let sum = 0;
  const all = Promise.withResolvers<void>();
  const listener = ({ returnvalue }: { returnvalue: unknown }) => {
    sum += Number(returnvalue);
    if (++done === TINY) all.resolve();
  };
  events.on("completed", listener);
  await Promise.all(
    Array.from(
      { length: TINY },
      (_, i) => queue.add("t", { n: i }, { removeOnComplete: true }),
    ),
  );
  await all.promise;
  events.off("completed", listener);
  if (sum !== TINY * TINY) throw new Error(`wrong sum ${sum}`);
}

const tinyGroup = `${TINY} tiny tasks, 1 worker process`;
Deno.bench(
  "ClusterPool",
  { group: tinyGroup, baseline: true, n: 5, warmup: 1 },
  // Async functions, not arrows returning a promise: Deno.bench looks at
  // the function's kind to decide whether to await it.
  async () => await clusterTiny(tiny[1]),
);
for (const concurrency of [1, 64] as const) {
  Deno.bench(
    `BullMQ direct, concurrency ${concurrency}`,
    { group: tinyGroup, n: 5, warmup: 1 },
    async () => await bullTiny(concurrency),
  );
}

const latencyGroup = "one tiny task's latency, 1 worker process";
Deno.bench(
  "ClusterPool",
  { group: latencyGroup, baseline: true, n: 200, warmup: 20 },
  async () => {
    if (await tiny[1].submit("double", 1) !== 3) throw new Error("wrong");
  },
);
for (const concurrency of [1, 64] as const) {
  Deno.bench(
    `BullMQ direct, concurrency ${concurrency}`,
    { group: latencyGroup, n: 200, warmup: 20 },
    async () => {
      const { queue, events } = bull[concurrency];
      const job = await queue.add("t", { n: 1 });
      if (await job.waitUntilFinished(events) !== 3) throw new Error("wrong");
    },
  );
}

for (const count of [1, 2, 4] as const) {
  Deno.bench(
    `ClusterPool, ${count} worker process${count > 1 ? "es" : ""}`,
    {
      group: `${TINY} tiny tasks by worker processes`,
      baseline: count === 1,
      n: 5,
      warmup: 1,
    },
    async () => await clusterTiny(tiny[count]),
  );
}

for (const count of [1, 2] as const) {
  Deno.bench(
    `ClusterPool, ${count} worker process${count > 1 ? "es" : ""}`,
    {
      group: `${CPU_TASKS} CPU-bound tasks of ${CPU_MS} ms`,
      baseline: count === 1,
      n: 3,
      warmup: 1,
    },
    async () => {
      await Promise.all(
        Array.from(
          { length: CPU_TASKS },
          () => cpu[count].submit("spin", CPU_MS),
        ),
      );
    },
  );
}

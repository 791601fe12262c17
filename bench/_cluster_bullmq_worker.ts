// A BullMQ worker for cluster_bench.ts: BullMQ used directly, the tiny task
// inline. Arguments: the Redis port, the queue's name, the concurrency.

import { Worker } from "npm:bullmq@5.81.5";

const [port, queue, concurrency] = Deno.args;
const worker = new Worker(
  queue!,
  // deno-lint-ignore require-await
  async (job) => job.data.n * 2 + 1,
  {
    connection: { host: "127.0.0.1", port: Number(port) },
    concurrency: Number(concurrency),
  },
);
await worker.waitUntilReady();
console.log("bullmq worker ready");
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    await worker.close();
    Deno.exit(0);
  });
}

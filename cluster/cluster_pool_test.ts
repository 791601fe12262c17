import {
  deepStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { WorkerCrashedError } from "../pools/errors.ts";
import { bounded, boundedTest, delay, waitFor } from "../testing/workers.ts";
import { BrokerError, ClusterPool } from "./mod.ts";
import { TASKS, TestRedis } from "./testdata/redis.ts";

type Tasks = typeof import("./testdata/tasks.ts");

async function started(): Promise<TestRedis> {
  const redis = new TestRedis();
  await redis.start();
  return redis;
}

boundedTest(
  "ClusterPool: 3 workers, 10,000 tasks, every result exact and once; nothing left after",
  async () => {
    await using redis = await started();
    const workers = await Promise.all(
      [0, 1, 2].map(() =>
        redis.worker(["--concurrency", "1", "--prefetch", "64"])
      ),
    );
    const pool = new ClusterPool<Tasks>(TASKS, {
      redis: redis.url,
      maxWorkers: 256,
    });
    const futures = Array.from(
      { length: 10_000 },
      (_, i) => pool.submit("double", i),
    );
    const results = await bounded(Promise.all(futures), "10,000 tasks end");
    for (let i = 0; i < results.length; i++) strictEqual(results[i], i * 2 + 1);
    strictEqual(futures.every((f) => f.done && !f.cancelled), true);
    deepStrictEqual(pool.counts, {
      queued: 0,
      running: 0,
      done: 10_000,
      failed: 0,
      redelivered: 0,
    });
    // The pool's stream of answers keeps only what it has not read.
    const [answers] = (await redis.keys()).filter((key) =>
      key.includes(":answers:")
    );
    ok(answers !== undefined);
    ok(Number(await redis.command(["XLEN", answers])) < 1_000);
    // map, starmap, imap and imapUnordered go the same way, in chunks.
    deepStrictEqual(await pool.map("double", [1, 2, 3], { chunksize: 2 }), [
      3,
      5,
      7,
    ]);
    deepStrictEqual(await pool.starmap("add", [[1, 2], [3, 4]]), [3, 7]);
    const inOrder = [];
    for await (const n of pool.imap("double", [5, 6])) inOrder.push(n);
    deepStrictEqual(inOrder, [11, 13]);
    const anyOrder = [];
    for await (const n of pool.imapUnordered("double", [7, 8])) {
      anyOrder.push(n);
    }
    deepStrictEqual(anyOrder.sort((a, b) => a - b), [15, 17]);
    // Values beyond plain data travel in the codec.
    deepStrictEqual(
      await pool.submit("echo", new Map([[1, new Date(0)]])),
      new Map([[1, new Date(0)]]),
    );
    await pool.shutdown();
    await Promise.all(workers.map((worker) => redis.stopWorker(worker)));
    deepStrictEqual(await redis.keys(), []);
  },
);

boundedTest(
  "ClusterPool: a worker killed with SIGKILL mid-task: the task completes on another, one result",
  async () => {
    await using redis = await started();
    const flags = ["--concurrency", "1", "--visibility-timeout", "600"];
    const first = await redis.worker(flags);
    await using pool = new ClusterPool<Tasks>(TASKS, { redis: redis.url });
    const future = pool.submit("sleepThenPid", 2_000);
    await waitFor("the task runs", () => future.running);
    const second = await redis.worker(flags);
    // Longer than the visibility timeout: the running task is kept by its
    // live worker, not taken by the other.
    await delay(900);
    strictEqual(pool.counts.redelivered, 0);
    first.kill("SIGKILL");
    await first.status;
    strictEqual(await bounded(future, "the task ends"), second.pid);
    strictEqual(pool.counts.done, 1);
    strictEqual(pool.counts.redelivered, 1);
  },
);

boundedTest(
  "ClusterPool: a task that always kills its worker fails with WorkerCrashedError after maxRetries",
  async () => {
    await using redis = await started();
    await redis.worker(["--concurrency", "1"]);
    await using pool = new ClusterPool<Tasks>(TASKS, {
      redis: redis.url,
      maxRetries: 2,
    });
    const error = await bounded(
      pool.submit("crash").exception(),
      "the task fails",
    );
    ok(error instanceof WorkerCrashedError, String(error));
    ok(/ran 3 times; maxRetries: 2/.test(error.message), error.message);
    // The worker goes on.
    strictEqual(await pool.submit("double", 1), 3);
    strictEqual(pool.counts.failed, 1);
  },
);

boundedTest(
  "ClusterPool: cancel a task that has not left; timeout and abort of a running task",
  async () => {
    await using redis = await started();
    await redis.worker(["--concurrency", "1"]);
    await using pool = new ClusterPool<Tasks>(TASKS, {
      redis: redis.url,
      maxWorkers: 1,
    });
    const first = pool.submit("sleep", 300);
    const second = pool.submit("sleep", 300);
    const third = pool.submit("sleep", 300);
    strictEqual(second.cancel(), true);
    strictEqual(second.cancelled, true);
    strictEqual(await first, "slept 300");
    strictEqual(await third, "slept 300");

    // A time limit counted from when a worker takes the task.
    await rejects(pool.apply("sleep", [10_000], { timeout: 200 }), {
      name: "TimeoutError",
    });
    const controller = new AbortController();
    const aborted = pool.apply("sleep", [10_000], {
      signal: controller.signal,
    });
    await waitFor("the task runs", () => aborted.running);
    controller.abort(new Error("no longer needed"));
    await rejects(aborted, /no longer needed/);
    await rejects(
      pool.apply("sleep", [1], {
        signal: AbortSignal.abort(new Error("early")),
      }),
      /early/,
    );
    // The stopped tasks freed the worker at once: this one does not wait 10 s.
    strictEqual(
      await bounded(pool.submit("sleep", 1), "the next task runs"),
      "slept 1",
    );
    strictEqual(pool.counts.failed, 2);

    // shutdown({ cancelFutures }) cancels what has not left; what runs ends.
    const running = pool.submit("sleep", 300);
    await waitFor("the task runs", () => running.running);
    const waiting = [pool.submit("sleep", 1), pool.submit("sleep", 1)];
    await pool.shutdown({ cancelFutures: true });
    strictEqual(await running, "slept 300");
    strictEqual(waiting.every((f) => f.cancelled), true);
    throws(() => pool.submit("sleep", 1), { name: "InvalidStateError" });
  },
);

boundedTest(
  "ClusterPool: bad input, an oversized argument or result",
  async () => {
    await using redis = await started();
    await redis.worker(["--concurrency", "1"]);
    throws(() => new ClusterPool(TASKS, { redis: 6379 as never }), TypeError);
    throws(
      () => new ClusterPool(TASKS, { redis: "localhost:6379" }),
      RangeError,
    );
    throws(
      () => new ClusterPool(TASKS, { redis: redis.url, queue: "a:b" }),
      RangeError,
    );
    throws(
      () => new ClusterPool(TASKS, { redis: redis.url, maxMessageBytes: 1.5 }),
      RangeError,
    );
    throws(
      () => new ClusterPool("not a url", { redis: redis.url }),
      TypeError,
    );
    await using pool = new ClusterPool<Tasks>(TASKS, {
      redis: redis.url,
      maxMessageBytes: 1024,
    });
    // deno-lint-ignore no-explicit-any
    const untyped = pool as ClusterPool<any>;
    throws(() => untyped.submit((n: number) => n, 1), {
      name: "TypeError",
      message: /function's source is not sent/,
    });
    throws(() => untyped.submit("no such export!"), TypeError);
    throws(
      () => pool.apply("echo", [1], { transfer: [new ArrayBuffer(1)] }),
      TypeError,
    );
    throws(() => pool.submit("echo", new Uint8Array(2_000)), {
      name: "RangeError",
      message:
        /take \d+ bytes, more than the pool's 'maxMessageBytes' \(1024\)/,
    });
    strictEqual(pool.counts.queued, 0);
    await rejects(pool.submit("bytes", 5_000), {
      name: "RangeError",
      message: /result: it takes \d+ bytes/,
    });
    await rejects(pool.submit("fail", "bad"), {
      name: "RangeError",
      message: "bad",
    });
    await rejects(untyped.submit("missing"), /missing/);
    strictEqual(await pool.submit("echo", "still fine"), "still fine");
  },
);

boundedTest(
  "ClusterPool: Redis stopped and started again under a running pool",
  async () => {
    await using redis = await started();
    const flags = ["--concurrency", "2", "--visibility-timeout", "1000"];
    await redis.worker(flags);
    await using pool = new ClusterPool<Tasks>(TASKS, {
      redis: redis.url,
      brokerTimeout: 1_000,
    });
    strictEqual(await pool.submit("double", 1), 3);

    // Away for longer than brokerTimeout: the tasks out reject, clearly.
    const lost = pool.submit("sleep", 5_000);
    await waitFor("the task runs", () => lost.running);
    await redis.stop();
    const waiting = pool.submit("double", 2);
    const error = await bounded(lost.exception(), "the task rejects");
    ok(error instanceof BrokerError, String(error));
    ok(/could not be reached for 1000 ms/.test(error.message), error.message);
    ok((await waiting.exception()) instanceof BrokerError);

    // Back: the pool and the worker reconnect, and tasks run again.
    await redis.start();
    strictEqual(
      await bounded(retry(() => pool.submit("double", 3)), "a task runs again"),
      7,
    );

    // Away for less than brokerTimeout: the tasks that Redis lost with its
    // data are sent again, and complete.
    const futures = [pool.submit("sleep", 400), pool.submit("sleep", 400)];
    await waitFor("the tasks run", () => futures.every((f) => f.running));
    await redis.stop();
    await redis.start();
    deepStrictEqual(
      await bounded(Promise.all(futures), "the tasks end"),
      ["slept 400", "slept 400"],
    );
  },
);

/** A task submitted until it runs: the first may meet the broker still away. */
async function retry<T>(submit: () => PromiseLike<T>): Promise<T> {
  for (;;) {
    try {
      return await submit();
    } catch (error) {
      if (!(error instanceof BrokerError)) throw error;
      await delay(100);
    }
  }
}

boundedTest(
  "ClusterPool: a password is passed to Redis; a wrong one is a BrokerError",
  async () => {
    await using redis = new TestRedis({ password: "s3cret" });
    await redis.start();
    await redis.worker(["--concurrency", "1"]);
    const plain = `redis://127.0.0.1:${redis.port}`;
    await using pool = new ClusterPool<Tasks>(TASKS, {
      redis: plain,
      password: "s3cret",
    });
    strictEqual(await pool.submit("double", 2), 5);
    await using wrong = new ClusterPool<Tasks>(TASKS, {
      redis: plain,
      password: "wrong",
      brokerTimeout: 300,
    });
    const error = await bounded(
      wrong.submit("double", 2).exception(),
      "it fails",
    );
    ok(error instanceof BrokerError, String(error));
    ok(/WRONGPASS/.test(error.message), error.message);
    ok(!error.message.includes("wrong"), error.message);
  },
);

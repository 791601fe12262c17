// Small programs that pools/thread_pool_test.ts and pools/thread_test.ts run
// as subprocesses (`deno run --allow-read program.ts SCENARIO`), to see how
// a program that uses pools and threads ends. Each prints what it saw.

import { Thread, ThreadPool } from "../mod.ts";

const tasks = new URL("./tasks.ts", import.meta.url);
const scenario = Deno.args[0];

switch (scenario) {
  case "shutdown": {
    // Work, then shut down: the program ends by itself.
    const pool = new ThreadPool<typeof import("./tasks.ts")>(tasks, {
      maxWorkers: 2,
    });
    console.log(await pool.submit("add", 40, 2));
    await pool.shutdown();
    console.log("done");
    break;
  }
  case "dispose": {
    await using pool = new ThreadPool({ maxWorkers: 2 });
    console.log(await pool.submit((n: number) => n + 1, 41));
    break;
  }
  case "no-shutdown": {
    // Work handed out and never awaited, no shutdown: the work still
    // finishes and the program still ends.
    const pool = new ThreadPool<typeof import("./tasks.ts")>(tasks, {
      maxWorkers: 2,
    });
    for (const ms of [30, 60, 90]) {
      pool.submit("sleep", ms).then((value) => console.log(`slept ${value}`));
    }
    break;
  }
  case "idle": {
    // A pool that has done its work and is idle does not keep the program
    // alive.
    const pool = new ThreadPool({ maxWorkers: 2, minWorkers: 2 });
    console.log(await pool.submit(() => "idle"));
    break;
  }
  case "shutdown-no-wait": {
    // Python's test_hang_gh83386: shutdown(wait=False) with a task running.
    const pool = new ThreadPool<typeof import("./tasks.ts")>(tasks, {
      maxWorkers: 3,
    });
    pool.submit("sleep", 100).then(() => console.log("apple"));
    await pool.shutdown({ wait: false });
    break;
  }
  case "cancel-no-wait": {
    // Python's test_cancel_futures_wait_false.
    const pool = new ThreadPool<typeof import("./tasks.ts")>(tasks);
    pool.submit("sleep", 100).then(
      () => console.log("apple"),
      (error) => console.log((error as Error).name),
    );
    await pool.shutdown({ wait: false, cancelFutures: true });
    break;
  }
  case "thread": {
    // A non-daemon thread keeps the program alive until it finishes.
    const thread = new Thread({
      target: async (ms: number) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        console.log("woke");
      },
      args: [300],
    });
    thread.start();
    console.log("main done");
    break;
  }
  case "daemon": {
    // A daemon thread does not, even busy forever or asleep forever.
    const busy = new Thread({
      target: () => {
        for (;;) {
          // Busy forever.
        }
      },
      daemon: true,
    });
    const asleep = new Thread({
      target: async () => {
        await new Promise((resolve) => setTimeout(resolve, 60_000));
        console.log("woke");
      },
      daemon: true,
    });
    busy.start();
    asleep.start();
    console.log("main done");
    break;
  }
  case "thread-throws": {
    // A target that throws is reported on stderr; the thread ends.
    const thread = new Thread({
      target: () => {
        throw new Error("boom from the target");
      },
      name: "Boomer",
    });
    thread.start();
    console.log(await thread.join({ timeout: 10_000 }), thread.isAlive);
    break;
  }
  case "thread-missing-export": {
    // A module target that is not there is reported the same way.
    const thread = new Thread({
      target: { module: tasks, name: "noSuchExport" },
      name: "Missing",
    });
    thread.start();
    console.log(await thread.join({ timeout: 10_000 }), thread.isAlive);
    break;
  }
  case "out-of-memory": {
    // Run with a small --max-old-space-size: the workers reach it, not the
    // program.
    const pool = new ThreadPool<typeof import("./tasks.ts")>(tasks, {
      maxWorkers: 1,
    });
    const error = await pool.submit("exhaustMemory").exception();
    console.log(`pool: ${(error as Error).name}`);
    console.log(`pool goes on: ${await pool.submit("add", 1, 2)}`);
    await pool.shutdown();
    const thread = new Thread({
      target: { module: tasks, name: "exhaustMemory" },
    });
    thread.start();
    await thread.join();
    console.log(`thread joined, alive: ${thread.isAlive}`);
    console.log("done");
    break;
  }
  case "cannot-start": {
    // Run without --allow-read: no worker can load its module.
    const pool = new ThreadPool({ maxWorkers: 2 });
    const error = await pool.submit(() => 1).exception() as Error;
    console.log(`pool: ${error.name}`);
    await pool.shutdown();
    const thread = new Thread({ target: () => console.log("ran") });
    thread.start();
    try {
      await thread.join();
      console.log("thread: joined");
    } catch (error) {
      console.log(`thread: ${/Cannot start Thread/.test(String(error))}`);
    }
    console.log("done");
    break;
  }
  default:
    throw new Error(`Unknown scenario ${JSON.stringify(scenario)}`);
}

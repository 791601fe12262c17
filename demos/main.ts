/**
 * The demo runner: each demo is one of the example programs of the Python
 * tutorial "parallelization use Python" (zkfmapf123/parallelization), told
 * again with this module. `deno task demo` runs them all in turn,
 * `deno task demo NAME...` the named ones, and `deno task demo --list`
 * lists them.
 *
 * Each demo runs in a `deno run` of its own, with the permissions it needs
 * (a child process is not limited by this one's: this one needs only
 * `--allow-run`, and `--allow-read` to find the demos).
 *
 * @module
 */

/** A demo: its Python original, what it shows, and the flags it runs with. */
export interface Demo {
  /** The Python program it tells again, in the tutorial's repository. */
  python: string;
  /** What it shows, in one line. */
  title: string;
  /** The permission flags of its `deno run`. */
  flags: string[];
}

const THREAD = ["--allow-read"];
const PROCESS = ["--allow-read", "--allow-run"];
/** Processes that share this module's primitives: shared memory needs FFI. */
const SHARED = [...PROCESS, "--allow-ffi"];
const ASYNC = ["--allow-read"];

/** Every demo, by name (its file is `demos/NAME.ts`), in the order they run. */
export const DEMOS: Readonly<Record<string, Demo>> = {
  thread: {
    python: "multi-thread/thread.py",
    title: "Named threads with arguments; the program waits for them",
    flags: THREAD,
  },
  daemon_thread: {
    python: "multi-thread/deamon_thread.py",
    title: "A daemon thread does not keep the program alive",
    flags: THREAD,
  },
  live_thread: {
    python: "multi-thread/live_thread.py",
    title: "enumerateThreads(): join every live thread but the current one",
    flags: THREAD,
  },
  timeout_thread: {
    python: "multi-thread/timeout_thread.py",
    title: "A Timer runs a function in a thread after an interval",
    flags: THREAD,
  },
  lock_thread: {
    python: "multi-thread/lock_thread.py",
    title: "Threads add to a shared counter, without and with a Lock",
    flags: THREAD,
  },
  queue_thread: {
    python: "multi-thread/queue_thread.py",
    title: "Three consumers share the items of one Queue",
    flags: THREAD,
  },
  condition_thread: {
    python: "multi-thread/condition_thread.py",
    title: "Two waiters run after notifyAll(), one at a time",
    flags: THREAD,
  },
  barrier_thread: {
    python: "multi-thread/barrier_thread.py",
    title: "A Barrier of two, three threads: the third is let go by abort()",
    flags: THREAD,
  },
  event_thread: {
    python: "multi-thread/event_thread.py",
    title: "Two threads wait for an Event that a third sets",
    flags: THREAD,
  },
  semaphore_thread: {
    python: "multi-thread/semaphore_thread.py",
    title: "A Semaphore of two lets two threads work at a time",
    flags: THREAD,
  },
  multi_process: {
    python: "multi-process/multi-process.py",
    title: "Two processes started and joined in turn: names, pids, exit codes",
    flags: PROCESS,
  },
  multi_process_pool: {
    python: "multi-process/multi-process-pool.py",
    title: "A ProcessPool of 5 given blocking applies",
    flags: PROCESS,
  },
  multi_process_pool_map: {
    python: "multi-process/multi-process-pool-map.py",
    title: "Pool map (in order) and imap (lazy)",
    flags: SHARED,
  },
  communication_process: {
    python: "multi-process/communication-process.py",
    title: "A copied dict and a shared Lock; producer and consumers on a Queue",
    flags: SHARED,
  },
  process_pipe: {
    python: "multi-process/process-pipe.py",
    title: "A child sends on a Pipe, then closes it",
    flags: SHARED,
  },
  process_value_array: {
    python: "multi-process/process-value_array.py",
    title: "A Value and a SharedArray changed by two processes",
    flags: SHARED,
  },
  process_manager: {
    python: "multi-process/process-manager.py",
    title: "A Manager's list, dict and Namespace changed by three processes",
    flags: [...PROCESS, "--allow-net=127.0.0.1"],
  },
  concurrent: {
    python: "multi-process/concurrent.py",
    title: "ProcessPool.submit, then asCompleted and wait",
    flags: PROCESS,
  },
  coroutin: {
    python: "async-sync/coroutin.py",
    title: "Generators driven with next(value) and yield*",
    flags: ASYNC,
  },
  native_coroutin: {
    python: "async-sync/native_coroutin.py",
    title: "Async workers gathered with Promise.all",
    flags: ASYNC,
  },
  async_lock: {
    python: "async-sync/async-lock.py",
    title: "The asyncio-like Lock serialising 100 tasks in arrival order",
    flags: ASYNC,
  },
};

/** The list `--list` prints: each demo's name, Python original and title. */
export function listing(): string {
  const width = Math.max(...Object.keys(DEMOS).map((name) => name.length));
  return Object.entries(DEMOS).map(([name, { python, title }]) =>
    `${name.padEnd(width)}  ${title} (${python})`
  ).join("\n");
}

/** Runs the demos named in `args` (all of them if none); the exit code. */
export async function main(args: string[]): Promise<number> {
  if (args.includes("--list")) {
    console.log(listing());
    return 0;
  }
  const unknown = args.filter((name) => !Object.hasOwn(DEMOS, name));
  if (unknown.length > 0) {
    console.error(
      `Unknown demo${unknown.length > 1 ? "s" : ""} ${
        unknown.map((name) => JSON.stringify(name)).join(", ")
      }; the demos are:\n${listing()}`,
    );
    return 2;
  }
  const names = args.length > 0 ? args : Object.keys(DEMOS);
  for (const name of names) {
    const { python, title, flags } = DEMOS[name]!;
    console.log(`\n== ${name}: ${title} (Python: ${python})`);
    const file = new URL(`./${name}.ts`, import.meta.url);
    const started = performance.now();
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, file.pathname],
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (code !== 0) {
      console.error(`== ${name} failed (exit code ${code}, ${seconds} s)`);
      return code;
    }
    console.log(`== ${name} done in ${seconds} s`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

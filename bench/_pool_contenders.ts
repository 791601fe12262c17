// The contenders of the pool benchmark (bench/pool_bench.ts) behind one
// small interface: ThreadPool, piscina, poolifier-web-worker, and raw
// Workers (Web Workers, and node:worker_threads Workers) with postMessage.
// Each runs the tasks of _pool_tasks.ts by name on the same number of
// workers, one task per call: no batching, so that every contender pays its
// own cost per task.

import { Piscina } from "npm:piscina@5.3.2";
import { FixedThreadPool } from "npm:poolifier-web-worker@0.5.15";
import { Worker as NodeWorker } from "node:worker_threads";
import { ThreadPool } from "../pools/mod.ts";

/** A task of _pool_tasks.ts. */
export type TaskName = "noop" | "work";

const TASKS = new URL("./_pool_tasks.ts", import.meta.url);

/** One pool under test. */
export interface Contender {
  /** As printed in the bench's case names. */
  readonly name: string;
  /** Runs one task on a worker. */
  run(task: TaskName, arg: number): PromiseLike<number>;
  /**
   * Runs the task once per argument, if the contender has a way of its own
   * (a map); otherwise the bench calls `run` once per argument.
   */
  runAll?(task: TaskName, args: number[]): Promise<number[]>;
  /** Ends the workers; resolves once they have ended. */
  close(): Promise<void>;
}

/** A kind of contender: its name, and how to start one. */
export interface Kind {
  readonly name: string;
  /** Starts a pool of `workers` workers. */
  start(workers: number): Contender;
}

function startThreadPool(workers: number) {
  return new ThreadPool<typeof import("./_pool_tasks.ts")>(TASKS, {
    maxWorkers: workers,
    minWorkers: workers,
  });
}

/** ThreadPool, all its workers started at once; `submit` per task. */
export const threadPool: Kind = {
  name: "ThreadPool",
  start(workers) {
    const pool = startThreadPool(workers);
    return {
      name: this.name,
      run: (task, arg) => pool.submit(task, arg),
      close: () => pool.shutdown(),
    };
  },
};

/**
 * ThreadPool's `map` with its default chunk size (Python's rule: about four
 * chunks per worker): many calls per task. Not a contender like the others,
 * which all run one call per task, but what a user with many tiny calls
 * should reach for.
 */
export const threadPoolMap: Kind = {
  name: "ThreadPool.map, chunked",
  start(workers) {
    const pool = startThreadPool(workers);
    return {
      name: this.name,
      run: (task, arg) => pool.submit(task, arg),
      runAll: (task, args) => pool.map(task, args),
      close: () => pool.shutdown(),
    };
  },
};

/**
 * piscina 5: node:worker_threads Workers, postMessage plus an Atomics
 * wake-up. It calls one export per task (`name`), with one argument.
 */
export const piscina: Kind = {
  name: "piscina",
  start(workers) {
    const pool = new Piscina({
      filename: TASKS.href,
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: 2 ** 31 - 1,
    });
    return {
      name: this.name,
      run: (task, arg) => pool.run(arg, { name: task }),
      close: () => pool.destroy(),
    };
  },
};

/**
 * poolifier-web-worker, a fixed pool of Web Workers that run
 * _pool_poolifier_worker.ts (its ThreadWorker registers the tasks by name).
 */
export const poolifier: Kind = {
  name: "poolifier-web-worker",
  start(workers) {
    const pool = new FixedThreadPool<number, number>(
      workers,
      new URL("./_pool_poolifier_worker.ts", import.meta.url),
      { errorEventHandler: (event) => console.error(event) },
    );
    return {
      name: this.name,
      run: (task, arg) => pool.execute(arg, task),
      close: () => pool.destroy(),
    };
  },
};

/** What a raw Worker of either kind needs here. */
interface Port {
  post(message: [number, string, number]): void;
  terminate(): Promise<unknown> | void;
  /** Whether it keeps the program alive (while answers are due). */
  ref?(on: boolean): void;
}

/**
 * Raw Workers with postMessage, the floor a pool on messages builds on:
 * each task goes to the next Worker in turn (round robin), however busy
 * it is, and its answer settles the task's promise. No queue, no errors.
 */
function rawWorkers(
  name: string,
  workers: number,
  start: (onAnswer: (answer: [number, number]) => void) => Port,
): Contender {
  const pending = new Map<number, (value: number) => void>();
  const onAnswer = ([id, value]: [number, number]) => {
    const resolve = pending.get(id)!;
    pending.delete(id);
    if (pending.size === 0) { for (const port of ports) port.ref?.(false); }
    resolve(value);
  };
  const ports = Array.from({ length: workers }, () => start(onAnswer));
  let next = 0;
  let nextId = 0;
  return {
    name,
    run(task, arg) {
      const id = nextId++;
      const port = ports[next]!;
      next = (next + 1) % ports.length;
      return new Promise<number>((resolve) => {
        if (pending.size === 0) { for (const port of ports) port.ref?.(true); }
        pending.set(id, resolve);
        port.post([id, task, arg]);
      });
    },
    async close() {
      await Promise.all(ports.map((port) => port.terminate()));
    },
  };
}

/** Raw Web Workers (Deno's `Worker`) running _pool_raw_web_worker.ts. */
export const rawWebWorkers: Kind = {
  name: "raw Web Workers, postMessage",
  start(workers) {
    const script = new URL("./_pool_raw_web_worker.ts", import.meta.url);
    return rawWorkers(this.name, workers, (onAnswer) => {
      const worker = new Worker(script, { type: "module" });
      worker.onmessage = ({ data }: MessageEvent<[number, number]>) =>
        onAnswer(data);
      worker.onerror = (event) => {
        event.preventDefault();
        console.error(event.message);
      };
      return {
        post: (message) => worker.postMessage(message),
        terminate: () => worker.terminate(),
      };
    });
  },
};

/**
 * Raw node:worker_threads Workers (ThreadPool's transport) running
 * _pool_raw_node_worker.ts; like ThreadPool's, they keep the program alive
 * only while answers are due.
 */
export const rawNodeWorkers: Kind = {
  name: "raw node:worker_threads, postMessage",
  start(workers) {
    const script = new URL("./_pool_raw_node_worker.ts", import.meta.url);
    return rawWorkers(this.name, workers, (onAnswer) => {
      const worker = new NodeWorker(script);
      worker.on("message", onAnswer);
      worker.on("error", (error) => console.error(error));
      worker.unref();
      return {
        post: (message) => worker.postMessage(message),
        terminate: () => worker.terminate(),
        ref: (on) => on ? worker.ref() : worker.unref(),
      };
    });
  },
};

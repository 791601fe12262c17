/**
 * The worker of a {@linkcode ClusterPool}: run it on each machine, as many
 * times as you like, with the task modules it may run.
 *
 * ```sh
 * deno run -A jsr:@parallel/parallel/worker --redis redis://10.0.0.5:6379 \
 *   --module https://example.com/tasks.ts --concurrency 4
 * ```
 *
 * Flags: `--redis URL` (required; `redis://user:password@host:port/db`, or
 * `rediss://` for TLS), `--module URL` (required, repeatable: a file path,
 * file, https or JSR URL), `--concurrency N` (default: the machine's
 * cores), `--pool thread|process` (a local ThreadPool, the default, or a
 * ProcessPool), `--queue NAME` and `--prefix NAME` (as the pool's),
 * `--visibility-timeout MS` (default 30,000: a task whose worker is silent
 * that long goes to another), `--prefetch N` (tasks taken ahead, default
 * twice the concurrency), `--password-env NAME` (the password from an
 * environment variable), `--tls`, `--tls-ca FILE`. SIGINT or SIGTERM stops
 * the worker once the tasks it has taken are answered; a second one stops it
 * at once.
 *
 * @example Run a worker inside a program
 * ```ts ignore
 * // ignore: needs a Redis server.
 * import { runWorker } from "@parallel/parallel/worker";
 *
 * const stop = new AbortController();
 * Deno.addSignalListener("SIGTERM", () => stop.abort());
 * await runWorker({
 *   redis: "redis://127.0.0.1:6379",
 *   modules: [new URL("./tasks.ts", import.meta.url)],
 *   concurrency: 2,
 *   signal: stop.signal,
 * });
 * ```
 *
 * @module
 */

import { checkDuration, checkInteger, quote } from "../internal/options.ts";
import { moduleHref } from "../pools/_start_options.ts";
import { checkConnection, type RedisOptions } from "./_redis.ts";
import { WorkerLoop, type WorkerSetup } from "./_worker_loop.ts";

/** Options of {@linkcode runWorker}. */
export interface WorkerOptions extends RedisOptions {
  /** The task modules this worker runs the exports of (URLs). */
  modules: (URL | string)[];
  /** How many tasks run at once (default `navigator.hardwareConcurrency`). */
  concurrency?: number;
  /** Run tasks on a local `"thread"` pool (the default) or `"process"` pool. */
  pool?: "thread" | "process";
  /**
   * How long (ms) a task taken by a worker that has gone silent waits before
   * another worker takes it (default 30,000). Every worker of a queue
   * should have the same.
   */
  visibilityTimeout?: number;
  /** How many tasks the worker takes ahead (default twice `concurrency`). */
  prefetch?: number;
  /** Stops the worker: it takes no more tasks and leaves once those taken are answered. */
  signal?: AbortSignal;
  /** Called once the worker is connected and can take tasks. */
  onReady?: () => void;
}

/**
 * Runs a cluster worker until `signal` aborts: it takes tasks of its queue
 * from Redis, runs them on a local pool, and answers each to the pool that
 * sent it.
 *
 * @param options Where Redis is, the modules, and the worker's settings.
 * @returns A promise that resolves once the worker has left.
 * @throws {TypeError} If an option has the wrong type.
 * @throws {RangeError} If an option is out of range.
 *
 * @example Options are checked before anything connects
 * ```ts
 * import { runWorker } from "@parallel/parallel/worker";
 * import { rejects } from "node:assert/strict";
 *
 * await rejects(
 *   runWorker({ redis: "redis://127.0.0.1:6379", modules: [] }),
 *   RangeError,
 * );
 * ```
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const setup = checkWorkerOptions(options);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(
      `Cannot start worker: 'signal' must be an AbortSignal, received ${
        quote(signal)
      }`,
    );
  }
  if (signal?.aborted) return;
  const loop = new WorkerLoop(setup);
  const stopped = new Promise<void>((resolve) =>
    signal?.addEventListener("abort", () => resolve(), { once: true })
  );
  try {
    await loop.start();
  } catch (error) {
    await loop.stop();
    throw error;
  }
  options.onReady?.();
  await stopped;
  await loop.stop();
}

function checkWorkerOptions(options: WorkerOptions): WorkerSetup {
  const where = "Cannot start worker";
  const connection = checkConnection(where, options);
  const modules = options.modules;
  if (!Array.isArray(modules)) {
    throw new TypeError(
      `${where}: 'modules' must be an array of URLs, received ${
        quote(modules)
      }`,
    );
  }
  if (modules.length === 0) {
    throw new RangeError(`${where}: 'modules' must name at least one module`);
  }
  const concurrency = checkInteger(
    where,
    "concurrency",
    options.concurrency ?? navigator.hardwareConcurrency,
    1,
    1024,
  );
  const pool = options.pool ?? "thread";
  if (pool !== "thread" && pool !== "process") {
    throw new RangeError(
      `${where}: 'pool' must be "thread" or "process", received ${quote(pool)}`,
    );
  }
  const visibilityTimeout = checkDuration(
    where,
    "visibilityTimeout",
    options.visibilityTimeout ?? 30_000,
  );
  if (visibilityTimeout === Infinity || visibilityTimeout < 1) {
    throw new RangeError(
      `${where}: 'visibilityTimeout' must be a finite number of ms, at least 1, received ${visibilityTimeout}`,
    );
  }
  return {
    connection,
    modules: modules.map((module) => moduleHref(where, "modules", module)),
    concurrency,
    pool,
    visibilityTimeout,
    prefetch: checkInteger(
      where,
      "prefetch",
      options.prefetch ?? concurrency * 2,
      1,
      100_000,
    ),
  };
}

const USAGE =
  "usage: deno run -A jsr:@parallel/parallel/worker --redis URL --module URL [--module URL...] [--concurrency N] [--pool thread|process] [--queue NAME] [--prefix NAME] [--visibility-timeout MS] [--prefetch N] [--password-env NAME] [--tls] [--tls-ca FILE]";

/** The command line's flags as worker options. */
function parseWorkerArgs(args: string[], cwd: string): WorkerOptions {
  const options: WorkerOptions = { redis: "", modules: [] };
  let ca: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const [name, inline] = flag.includes("=")
      ? [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)]
      : [flag, undefined];
    if (name === "--tls") {
      options.tls = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new RangeError(`${name} needs a value`);
    switch (name) {
      case "--redis":
        options.redis = value;
        break;
      case "--module":
        options.modules.push(
          /^[a-z][a-z\d+.-]*:/i.test(value)
            ? value
            : new URL(value, `file://${cwd}/`),
        );
        break;
      case "--concurrency":
        options.concurrency = Number(value);
        break;
      case "--pool":
        options.pool = value as "thread" | "process";
        break;
      case "--queue":
        options.queue = value;
        break;
      case "--prefix":
        options.prefix = value;
        break;
      case "--visibility-timeout":
        options.visibilityTimeout = Number(value);
        break;
      case "--prefetch":
        options.prefetch = Number(value);
        break;
      case "--password-env": {
        const password = Deno.env.get(value);
        if (password === undefined) {
          throw new RangeError(`The environment variable ${value} is not set`);
        }
        options.password = password;
        break;
      }
      case "--tls-ca":
        ca = Deno.readTextFileSync(value);
        break;
      default:
        throw new RangeError(`Unknown flag ${quote(name)}`);
    }
  }
  if (ca !== undefined) options.tls = { ca };
  return options;
}

if (import.meta.main) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  let options: WorkerOptions;
  try {
    options = parseWorkerArgs(Deno.args, Deno.cwd());
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    // The first stops taking tasks and waits for those taken; a second one
    // leaves at once (they go to other workers after the visibility timeout).
    Deno.addSignalListener(signal, () => {
      if (stop.signal.aborted) Deno.exit(1);
      stop.abort();
    });
  }
  let ready = false;
  try {
    await runWorker({
      ...options,
      signal: stop.signal,
      onReady: () => {
        ready = true;
        console.log("parallel worker ready");
      },
    });
  } catch (error) {
    // A flag's bad value is the user's to fix: say so, not a stack trace.
    if (ready || !(error instanceof TypeError || error instanceof RangeError)) {
      throw error;
    }
    console.error(`${error.message}\n${USAGE}`);
    Deno.exit(2);
  }
  Deno.exit(0);
}

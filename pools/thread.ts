import { heapRef, reapThread, reserveIdent } from "../primitives/_internals.ts";
import { SimpleQueue } from "../primitives/queue.ts";
import { Event } from "../primitives/event.ts";
import { parseWait, quote, type WaitOptions } from "../internal/options.ts";
import {
  checkResourceLimits,
  createInfo,
  INFO_OUT_OF_MEMORY,
  INFO_READY,
  INFO_TASK,
  type ResourceLimits,
  startWorker,
  type ThreadData,
  type WorkerExit,
} from "./_transport.ts";
import { ABORTED, CLAIMED } from "./_claim.ts";
import { checkDaemon, checkName, checkStartOptions } from "./_start_options.ts";
import { InvalidStateError } from "./errors.ts";
import { hasProxy, prepareMessage } from "./_message.ts";
import { trackThread, untrackThread } from "./_live_threads.ts";
import { shutDownThreadSockets } from "./_thread_sockets.ts";

const ENTRY = new URL("./_thread_worker.ts", import.meta.url);
let counter = 0;

/** A thread's work: a self-contained function, or an export of a module. */
export type ThreadTarget<A extends unknown[]> =
  | ((...args: A) => unknown)
  | { module: URL | string; name: string };

/** Options of a {@linkcode Thread}. */
export interface ThreadOptions<A extends unknown[]> {
  /** What the thread runs. */
  target: ThreadTarget<A>;
  /** The target's arguments (default none). */
  args?: A;
  /** A name for messages; default `Thread-N`. */
  name?: string;
  /**
   * A daemon thread does not keep the program alive; a non-daemon one
   * (the default) does, until it finishes.
   */
  daemon?: boolean;
  /**
   * Limits of the thread's JavaScript engine (sizes in MiB, the names of
   * `node:worker_threads`): a thread that runs out of memory ends alone,
   * with exit code 1, and the program goes on. Default `{}`: the engine's
   * own limits, still ending only the thread.
   */
  resourceLimits?: ResourceLimits;
  /**
   * Asks the target to stop: once aborted, `taskSignal().aborted` is true
   * inside the thread. The target stops only if it looks (no thread can be
   * stopped from outside while it computes).
   */
  signal?: AbortSignal;
}

/**
 * A thread of control, like Python's `threading.Thread`: its target runs in
 * a worker thread of its own, in parallel with the main thread (JavaScript
 * has no GIL). The target is a self-contained function (sent as source: it
 * cannot use variables of the enclosing scope) or an export of a module;
 * its arguments travel as the module's queues carry items, so the
 * primitives of this module arrive as the same working objects.
 *
 * A non-daemon thread keeps the program alive until it finishes; a daemon
 * thread does not. A target that throws is reported on stderr ("Exception
 * in thread ..."), as in Python. Times are in milliseconds.
 *
 * @typeParam A The target's argument types.
 *
 * @example Two threads add to a shared counter under a lock
 * ```ts
 * import { Lock, Value } from "@parallel/parallel";
 * import { Thread } from "@parallel/parallel/pools";
 * import { strictEqual } from "node:assert/strict";
 *
 * const counter = new Value("i32", 0);
 * const add = (value: Value<"i32">, times: number) => {
 *   for (let i = 0; i < times; i++) {
 *     using _ = value.getLock().holdSync();
 *     value.value += 1;
 *   }
 * };
 * const threads = [1, 2].map(() =>
 *   new Thread({ target: add, args: [counter, 1000] })
 * );
 * for (const thread of threads) thread.start();
 * for (const thread of threads) await thread.join();
 * strictEqual(counter.value, 2000);
 * ```
 */
export class Thread<A extends unknown[] = unknown[]> {
  #name: string;
  #daemon: boolean;
  readonly #module: string | undefined;
  readonly #source: string;
  readonly #args: unknown[];
  readonly #resourceLimits: ResourceLimits;
  readonly #signal: AbortSignal | undefined;
  #startError: Error | undefined;
  #ident: number | undefined;
  #finished: Event | undefined;
  #exited: Promise<WorkerExit> | undefined;

  /**
   * Creates a thread; {@linkcode Thread.start} starts it.
   *
   * @param options The target, its arguments, a name, and whether it is a
   * daemon.
   * @throws {TypeError} If an option has the wrong type.
   *
   * @example A named daemon thread
   * ```ts
   * import { Thread } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const thread = new Thread({ target: () => {}, name: "w1", daemon: true });
   * strictEqual(thread.name, "w1");
   * strictEqual(thread.daemon, true);
   * strictEqual(thread.isAlive, false);
   * ```
   */
  constructor(options: ThreadOptions<A>) {
    const where = "Cannot create Thread";
    const { module, source, args, name, daemon } = checkStartOptions(
      where,
      options,
      false,
    );
    this.#resourceLimits = checkResourceLimits(where, options.resourceLimits);
    this.#module = module;
    this.#source = source;
    const { signal } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(
        `${where}: 'signal' must be an AbortSignal, received ${quote(signal)}`,
      );
    }
    this.#signal = signal;
    this.#args = args;
    this.#name = name ?? `Thread-${++counter}`;
    this.#daemon = daemon;
  }

  /**
   * The thread's name, for messages; set it to rename the thread (a
   * running worker's own messages keep the name it started with).
   *
   * @throws {TypeError} On a write of something other than a string.
   */
  declare name: string;

  /**
   * Whether the thread lets the program exit while it runs; it can be set
   * only before {@linkcode Thread.start}.
   *
   * @throws {InvalidStateError} On a write after the thread has started.
   * @throws {TypeError} On a write of something other than a boolean.
   */
  declare daemon: boolean;

  // `name` and `daemon` are accessors, declared above as properties: as a
  // get/set pair, `deno doc` would not show them at all.
  static {
    Object.defineProperties(Thread.prototype, {
      name: {
        get(this: Thread): string {
          return this.#name;
        },
        set(this: Thread, name: unknown) {
          this.#name = checkName("Thread", name);
        },
        configurable: true,
      },
      daemon: {
        get(this: Thread): boolean {
          return this.#daemon;
        },
        set(this: Thread, daemon: unknown) {
          this.#daemon = checkDaemon(
            "Thread",
            this.#finished !== undefined,
            daemon,
          );
        },
        configurable: true,
      },
    });
  }

  /**
   * The thread's id (what `getIdent()` returns inside it), or `undefined`
   * before it has started.
   */
  get ident(): number | undefined {
    return this.#ident;
  }

  /** Whether the thread has started and its target has not finished. */
  get isAlive(): boolean {
    return this.#finished !== undefined && !this.#finished.isSet;
  }

  /**
   * Starts the target in a new worker thread.
   *
   * @throws {InvalidStateError} If the thread was started before.
   * @throws {TypeError} If an argument cannot be sent to another thread.
   *
   * @example Start, then join
   * ```ts
   * import { Thread } from "@parallel/parallel/pools";
   * import { Event } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const ran = new Event();
   * const thread = new Thread({ target: (e: Event) => e.set(), args: [ran] });
   * thread.start();
   * strictEqual(await thread.join({ timeout: 10_000 }), true);
   * strictEqual(ran.isSet, true);
   * ```
   */
  start(): void {
    if (this.#finished !== undefined) {
      throw new InvalidStateError(
        "Cannot start Thread: threads can only be started once",
      );
    }
    // The arguments go as queue items do, or else by message (what holds a
    // SharedArrayBuffer, a SharedArray or a queue); what neither can carry
    // is a TypeError here, before anything starts.
    // A Manager's proxy goes by message, which revives it connected.
    let args: ThreadData["args"] | undefined;
    if (!hasProxy(this.#args)) {
      try {
        const queue = new SimpleQueue<unknown[]>({ maxWaiters: 1 });
        queue.put(this.#args);
        args = { queue: queue.handle };
      } catch {
        // By message, then.
      }
    }
    args ??= {
      message: prepareMessage("Cannot start Thread", this.#args, []).args,
    };
    const finished = new Event();
    const ident = reserveIdent();
    const info = createInfo();
    Atomics.store(info, INFO_TASK, CLAIMED);
    const data: ThreadData = {
      heap: heapRef(),
      ident,
      name: this.#name,
      module: this.#module,
      source: this.#source,
      args,
      finished: finished.handle,
      info,
    };
    const { exited } = startWorker(ENTRY, data, {
      name: this.#name,
      ref: !this.#daemon,
      resourceLimits: this.#resourceLimits,
    });
    const signal = this.#signal;
    const stop = () =>
      Atomics.compareExchange(info, INFO_TASK, CLAIMED, ABORTED);
    if (signal?.aborted) stop();
    else signal?.addEventListener("abort", stop, { once: true });
    this.#ident = ident;
    this.#finished = finished;
    trackThread(this as Thread);
    this.#exited = exited.then((exit) => {
      signal?.removeEventListener("abort", stop);
      // A Thread is never terminated: its exit is the end of its code.
      reapThread(ident);
      // One that died of an error could not close them.
      shutDownThreadSockets(info);
      this.#report(exit, info);
      finished.set();
      untrackThread(this as Thread);
      return exit;
    });
  }

  /** Says how a thread ended that its own code could not report. */
  #report({ error }: WorkerExit, info: Int32Array): void {
    if (Atomics.load(info, INFO_READY) === 0) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#startError = new Error(
        `Cannot start Thread ${JSON.stringify(this.#name)}: ${reason}`,
        { cause: error },
      );
    } else if (Atomics.load(info, INFO_OUT_OF_MEMORY) !== 0) {
      console.error(
        `Exception in thread ${this.#name}: it ran out of memory`,
      );
    } else if (error !== undefined) {
      console.error(`Exception in thread ${this.#name}:`, error);
    }
  }

  #started(what: string): Event {
    if (this.#finished === undefined) {
      throw new InvalidStateError(
        `Cannot ${what} Thread: it has not been started`,
      );
    }
    return this.#finished;
  }

  /**
   * Waits until the thread has finished and its worker has ended. Python's
   * `thread.join(timeout)`.
   *
   * @param options `timeout` (ms) and `signal`.
   * @returns `true` if the thread finished, `false` on timeout.
   * @throws {InvalidStateError} If the thread has not been started.
   * @throws {Error} If the thread could not start (its worker failed to
   * load, for example without `--allow-read` for a local module).
   *
   * @example Join with a timeout
   * ```ts
   * import { Thread } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const thread = new Thread({ target: () => 42 });
   * thread.start();
   * strictEqual(await thread.join(), true);
   * strictEqual(thread.isAlive, false);
   * ```
   */
  async join(options?: WaitOptions): Promise<boolean> {
    const finished = this.#started("join");
    parseWait("Cannot join Thread", options); // checks them, in its words
    if (!await finished.wait(options)) return false;
    // A daemon's worker does not hold the event loop open, and its exit
    // comes after its target has finished: without this timer, a program
    // whose last wait is this join could end before the join returns.
    const keepAlive = this.#daemon ? setInterval(() => {}, 60_000) : undefined;
    try {
      await this.#exited;
    } finally {
      clearInterval(keepAlive);
    }
    if (this.#startError !== undefined) throw this.#startError;
    return true;
  }

  /**
   * Blocks this thread until the thread's target has finished. It sees a
   * target that returns, throws or ends its own thread; only the async
   * {@linkcode Thread.join} also sees a worker that dies another way.
   *
   * @param options `timeout` (ms).
   * @returns `true` if the thread finished, `false` on timeout.
   * @throws {InvalidStateError} If the thread has not been started.
   *
   * @example Block until done
   * ```ts
   * import { Thread } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const thread = new Thread({ target: () => {} });
   * thread.start();
   * strictEqual(thread.joinSync({ timeout: 10_000 }), true);
   * await thread.join(); // let its worker end
   * ```
   */
  joinSync(options?: WaitOptions): boolean {
    const finished = this.#started("join");
    parseWait("Cannot join Thread", options);
    return finished.waitSync(options);
  }
}

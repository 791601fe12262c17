import { parseWait, type WaitOptions } from "../internal/options.ts";
import { track } from "./_children.ts";
import { checkDaemon, checkName, checkStartOptions } from "./_start_options.ts";
import { permissionFlags, type ProcessPermissions } from "./_permissions.ts";
import {
  type KeeperData,
  PROCESS_CODE,
  PROCESS_DONE,
  PROCESS_PID,
  PROCESS_WORDS,
  type ProcessMainSetup,
} from "./_process_setup.ts";
import { encodeMessage } from "./_process_wire.ts";
import { startWorker, type WorkerExit } from "./_transport.ts";
import { InvalidStateError } from "./errors.ts";
import type { ThreadTarget } from "./thread.ts";

const KEEPER = new URL("./_process_keeper.ts", import.meta.url);
const MAIN = new URL("./_process_main.ts", import.meta.url).href;
/** How long `pid` may wait for the keeper to start the child (a bound). */
const START_BOUND_MS = 30_000;
let counter = 0;

/** Options of a {@linkcode Process}. */
export interface ProcessOptions<A extends unknown[]> {
  /**
   * What the process runs: a self-contained function, an export
   * (`{ module, name }`, as a Thread takes), or the name of an export of
   * `module`.
   */
  target: ThreadTarget<A> | string;
  /** The module whose export `target` names. */
  module?: URL | string;
  /** The target's arguments (default none); they are copied. */
  args?: A;
  /** A name (what `currentProcess().name` says in it); default `Process-N`. */
  name?: string;
  /**
   * A daemon process is killed when the program ends; a non-daemon one
   * (the default) keeps the program alive until it ends.
   */
  daemon?: boolean;
  /** Its permissions (default `"inherit"`), as a ProcessPool's. */
  permissions?: ProcessPermissions;
}

/**
 * A child process that runs one function: Python's
 * `multiprocessing.Process`. The target runs in a new `deno run` process
 * with its own memory; it ends with exit code 0 when the target returns,
 * and 1 when it throws (the error is printed on stderr first). What it
 * prints goes to this program's stdout and stderr.
 *
 * Starting one needs `--allow-run` (and `--allow-read` to find Deno); the
 * child has this program's permissions unless `permissions` narrows them.
 *
 * @typeParam A The target's argument types.
 *
 * @example Start, join, read the exit code
 * ```ts
 * import { Process } from "@parallel/parallel/pools";
 * import { strictEqual } from "node:assert/strict";
 *
 * const process = new Process({ target: (n: number) => n * 2, args: [21] });
 * process.start();
 * strictEqual(await process.join(), true);
 * strictEqual(process.exitCode, 0);
 * ```
 */
export class Process<A extends unknown[] = unknown[]> {
  #name: string;
  #daemon: boolean;
  readonly #module: string | undefined;
  readonly #target: string;
  readonly #args: unknown[];
  readonly #flags: string[];
  #info: Int32Array | undefined;
  #exited: Promise<WorkerExit> | undefined;
  #keeper: { ref(): void; unref(): void } | undefined;
  /** Joins waiting now (each keeps a daemon's keeper ref'd). */
  #joins = 0;

  /**
   * Creates a process; {@linkcode Process.start} starts it.
   *
   * @param options The target, its arguments, a name, and whether it is a
   * daemon.
   * @throws {TypeError} If an option has the wrong type.
   *
   * @example A named daemon process
   * ```ts
   * import { Process } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const p = new Process({ target: () => {}, name: "p1", daemon: true });
   * strictEqual(p.name, "p1");
   * strictEqual(p.exitCode, null);
   * ```
   */
  constructor(options: ProcessOptions<A>) {
    const where = "Cannot create Process";
    const { module, source, args, name, daemon } = checkStartOptions(
      where,
      options,
      true,
    );
    this.#module = module;
    this.#target = source;
    this.#args = args;
    this.#name = name ?? `Process-${++counter}`;
    this.#daemon = daemon;
    this.#flags = permissionFlags(where, options.permissions, [module]);
  }

  /**
   * Its name (what `currentProcess().name` says in it); set it to rename
   * the process before it starts.
   *
   * @throws {TypeError} On a write of something other than a string.
   */
  declare name: string;

  /**
   * Whether it is killed when the program ends, instead of keeping the
   * program alive; it can be set only before {@linkcode Process.start}.
   *
   * @throws {InvalidStateError} On a write after the process has started.
   * @throws {TypeError} On a write of something other than a boolean.
   */
  declare daemon: boolean;

  // Accessors declared above as properties, as Thread's are: as a get/set
  // pair, `deno doc` would not show them.
  static {
    Object.defineProperties(Process.prototype, {
      name: {
        get(this: Process): string {
          return this.#name;
        },
        set(this: Process, name: unknown) {
          this.#name = checkName("Process", name);
        },
        configurable: true,
      },
      daemon: {
        get(this: Process): boolean {
          return this.#daemon;
        },
        set(this: Process, daemon: unknown) {
          this.#daemon = checkDaemon(
            "Process",
            this.#info !== undefined,
            daemon,
          );
        },
        configurable: true,
      },
    });
  }

  /**
   * The child's process id, or `undefined` before it has started (it may
   * block for the moment the child takes to be created).
   */
  get pid(): number | undefined {
    const info = this.#info;
    if (info === undefined) return undefined;
    if (Atomics.load(info, PROCESS_PID) === 0) {
      Atomics.wait(info, PROCESS_PID, 0, START_BOUND_MS);
    }
    const pid = Atomics.load(info, PROCESS_PID);
    return pid > 0 ? pid : undefined;
  }

  /**
   * Its exit code once it has ended, else `null`: 0 when the target
   * returned, 1 when it threw, its own code for `Deno.exit(code)`, and
   * minus the signal's number when a signal killed it (Python's
   * `exitcode`).
   */
  get exitCode(): number | null {
    const info = this.#info;
    if (info === undefined || Atomics.load(info, PROCESS_DONE) === 0) {
      return null;
    }
    return Atomics.load(info, PROCESS_CODE);
  }

  /** Whether it has started and not yet ended. */
  get isAlive(): boolean {
    return this.#info !== undefined &&
      Atomics.load(this.#info, PROCESS_DONE) === 0;
  }

  /**
   * Starts the child process.
   *
   * @throws {InvalidStateError} If it was started before.
   * @throws {TypeError} If an argument cannot be sent to another process.
   *
   * @example Start, then join
   * ```ts
   * import { Process } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const p = new Process({ target: () => Deno.exit(3) });
   * p.start();
   * await p.join();
   * strictEqual(p.exitCode, 3);
   * ```
   */
  start(): void {
    if (this.#info !== undefined) {
      throw new InvalidStateError(
        "Cannot start Process: processes can only be started once",
      );
    }
    const main: ProcessMainSetup = {
      module: this.#module,
      target: this.#target,
      args: this.#args,
      name: this.#name,
      daemon: this.#daemon,
    };
    const setup = encodeMessage(main, "Cannot start Process");
    const info = new Int32Array(
      new SharedArrayBuffer(PROCESS_WORDS * Int32Array.BYTES_PER_ELEMENT),
    );
    const data: KeeperData = {
      info,
      command: [
        Deno.execPath(),
        "run",
        "--quiet",
        "--no-prompt",
        ...this.#flags,
        MAIN,
      ],
      setup,
      daemon: this.#daemon,
    };
    const { worker, exited } = startWorker(KEEPER, data, {
      name: `keeper of ${this.#name}`,
      ref: !this.#daemon,
    });
    this.#info = info;
    this.#keeper = worker;
    const untrack = track({
      get pid() {
        return Atomics.load(info, PROCESS_PID);
      },
      kill: (signal) => this.#signal(signal),
    });
    this.#exited = exited.then((exit) => {
      untrack();
      return exit;
    });
  }

  #signal(signal: Deno.Signal): void {
    const pid = this.pid;
    if (pid === undefined || !this.isAlive) return;
    try {
      Deno.kill(pid, signal);
    } catch {
      // It has just ended.
    }
  }

  #started(what: string): Int32Array {
    if (this.#info === undefined) {
      throw new InvalidStateError(
        `Cannot ${what} Process: it has not been started`,
      );
    }
    return this.#info;
  }

  /**
   * Waits until the process has ended: Python's `join(timeout)`.
   *
   * @param options `timeout` (ms) and `signal`.
   * @returns `true` if it ended, `false` on timeout.
   * @throws {InvalidStateError} If it has not been started.
   *
   * @example Join with a timeout
   * ```ts
   * import { Process } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const p = new Process({ target: () => {} });
   * p.start();
   * strictEqual(await p.join({ timeout: 30_000 }), true);
   * ```
   */
  async join(options?: WaitOptions): Promise<boolean> {
    this.#started("join");
    const { deadline, signal } = parseWait("Cannot join Process", options);
    signal?.throwIfAborted();
    // A daemon's keeper does not keep the program alive, but a join does.
    if (this.#daemon && this.#joins++ === 0) this.#keeper!.ref();
    try {
      return await this.#join(deadline, signal);
    } finally {
      if (this.#daemon && --this.#joins === 0) this.#keeper!.unref();
    }
  }

  async #join(
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    if (deadline === Infinity && signal === undefined) {
      await this.#exited;
      return true;
    }
    const timeout = deadline - performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const waited = new Promise<boolean>((resolve, reject) => {
      if (deadline !== Infinity) {
        timer = setTimeout(() => resolve(false), Math.max(0, timeout));
      }
      onAbort = () => reject(signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([this.#exited!.then(() => true), waited]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Blocks this thread until the process has ended.
   *
   * @param options `timeout` (ms).
   * @returns `true` if it ended, `false` on timeout.
   * @throws {InvalidStateError} If it has not been started.
   *
   * @example Block until done
   * ```ts
   * import { Process } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const p = new Process({ target: () => {} });
   * p.start();
   * strictEqual(p.joinSync({ timeout: 30_000 }), true);
   * await p.join(); // let its keeper end
   * ```
   */
  joinSync(options?: WaitOptions): boolean {
    const info = this.#started("join");
    const { deadline } = parseWait("Cannot join Process", options);
    Atomics.wait(info, PROCESS_DONE, 0, deadline - performance.now());
    return Atomics.load(info, PROCESS_DONE) !== 0;
  }

  /**
   * Asks the process to end (SIGTERM): Python's `terminate()`.
   *
   * @example Terminate a process that would run forever
   * ```ts
   * import { Process } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const p = new Process({ target: () => new Promise(() => setInterval(() => {}, 1000)) });
   * p.start();
   * p.terminate();
   * await p.join();
   * strictEqual(p.exitCode, -15);
   * ```
   */
  terminate(): void {
    this.#started("terminate");
    this.#signal("SIGTERM");
  }

  /**
   * Ends the process at once (SIGKILL): Python's `kill()`.
   *
   * @example Kill a process
   * ```ts
   * import { Process } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const p = new Process({ target: () => { for (;;); } });
   * p.start();
   * p.kill();
   * await p.join();
   * strictEqual(p.exitCode, -9);
   * ```
   */
  kill(): void {
    this.#started("kill");
    this.#signal("SIGKILL");
  }
}

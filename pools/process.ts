// node:v8 for the codec, which the children load only when needed.
import "../primitives/_codec_clone.ts";
import { parseWait, type WaitOptions } from "../internal/options.ts";
import { exitCodeOf, track } from "./_children.ts";
import { checkDaemon, checkName, checkStartOptions } from "./_start_options.ts";
import { permissionFlags, type ProcessPermissions } from "./_permissions.ts";
import { encodeMessage, type ProcessMainSetup } from "./_process_wire.ts";
import { proxyHosts, toProcessMessage } from "./_message.ts";
import {
  heapRef,
  reapProcess,
  reserveIdent,
  sharesWithProcesses,
} from "../primitives/_internals.ts";
import { exitCodeOfZombie } from "./_zombie.ts";
import { InvalidStateError } from "./errors.ts";
import type { ThreadTarget } from "./thread.ts";

const MAIN = new URL("./_process_main.ts", import.meta.url).href;
let counter = 0;

/**
 * The most bytes of setup a child's command line carries (Linux takes 2 MiB
 * of arguments and environment in all, 128 KiB per argument).
 */
const MAX_SETUP = 1024 * 1024;
const ARG_BYTES = 96 * 1024;

/**
 * A child's setup as command-line arguments (base64, in pieces): unlike
 * stdin, they need no turn of this event loop, which `joinSync` may block
 * right after `start`.
 *
 * @throws {RangeError} If the setup is too large for a command line.
 */
function setupArgs(message: Uint8Array): string[] {
  if (message.length > MAX_SETUP) {
    throw new RangeError(
      `Cannot start Process: its target and arguments take ${message.length} bytes encoded, more than the ${MAX_SETUP} a command line carries; send larger data through a file, or run the target as a ProcessPool task`,
    );
  }
  const text = (message as Uint8Array & { toBase64(): string }).toBase64();
  const pieces = [];
  for (let at = 0; at < text.length; at += ARG_BYTES) {
    pieces.push(text.slice(at, at + ARG_BYTES));
  }
  return pieces;
}

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
  #child: Deno.ChildProcess | undefined;
  /** Resolves once the child has ended and its exit code is known. */
  #ended: Promise<void> | undefined;
  #exitCode: number | undefined;
  /** Joins waiting now (each keeps a daemon's child ref'd). */
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
    this.#flags = permissionFlags(
      where,
      options.permissions,
      [module],
      proxyHosts(args),
    );
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
            this.#child !== undefined,
            daemon,
          );
        },
        configurable: true,
      },
    });
  }

  /** The child's process id, or `undefined` before it has started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /**
   * Its exit code once it has ended, else `null`: 0 when the target
   * returned, 1 when it threw, its own code for `Deno.exit(code)`, and
   * minus the signal's number when a signal killed it (Python's
   * `exitcode`).
   */
  get exitCode(): number | null {
    return this.#exitCode ?? null;
  }

  /** Whether it has started and not yet ended. */
  get isAlive(): boolean {
    return this.#child !== undefined && this.#exitCode === undefined;
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
    if (this.#child !== undefined) {
      throw new InvalidStateError(
        "Cannot start Process: processes can only be started once",
      );
    }
    const where = "Cannot start Process";
    // The child's thread id, when it shares this program's memory: what it
    // holds there is freed once it has ended.
    const ident = sharesWithProcesses() ? reserveIdent() : undefined;
    const main: ProcessMainSetup = {
      module: this.#module,
      target: this.#target,
      args: toProcessMessage(this.#args, where) as unknown[],
      name: this.#name,
      daemon: this.#daemon,
      heap: ident === undefined ? undefined : heapRef(),
      ident,
    };
    const setup = setupArgs(encodeMessage(main, where));
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-prompt", ...this.#flags, MAIN, ...setup],
      // A daemon's stdin stays open, and nothing is written to it: its end
      // tells the child that this program is gone.
      stdin: this.#daemon ? "piped" : "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    // A non-daemon keeps the program alive (its status is pending); a
    // daemon does not.
    if (this.#daemon) child.unref();
    this.#child = child;
    const untrack = track(child);
    this.#ended = child.status.then((status) => {
      this.#exitCode ??= exitCodeOf(status);
      if (ident !== undefined) reapProcess(child.pid, ident);
      untrack();
    });
  }

  #signal(signal: Deno.Signal): void {
    if (!this.isAlive) return;
    try {
      this.#child!.kill(signal);
    } catch {
      // It has just ended.
    }
  }

  #started(what: string): Deno.ChildProcess {
    if (this.#child === undefined) {
      throw new InvalidStateError(
        `Cannot ${what} Process: it has not been started`,
      );
    }
    return this.#child;
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
    const child = this.#started("join");
    const { deadline, signal } = parseWait("Cannot join Process", options);
    signal?.throwIfAborted();
    // A daemon does not keep the program alive, but a join does.
    if (this.#daemon && this.#joins++ === 0) child.ref();
    try {
      return await this.#join(deadline, signal);
    } finally {
      if (this.#daemon && --this.#joins === 0) child.unref();
    }
  }

  async #join(
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    if (deadline === Infinity && signal === undefined) {
      await this.#ended;
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
      return await Promise.race([this.#ended!.then(() => true), waited]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Blocks this thread until the process has ended. It watches the child
   * in Linux's /proc (while the thread blocks, Deno cannot collect the
   * child's status), so it needs Linux, and `--allow-all` or else
   * `--allow-run` for `cat`, which reads /proc for it.
   *
   * @param options `timeout` (ms).
   * @returns `true` if it ended, `false` on timeout.
   * @throws {InvalidStateError} If it has not been started.
   * @throws {Error} Off Linux.
   * @throws {Deno.errors.NotCapable} If it may neither read /proc nor run
   * `cat`.
   *
   * @example Block until done
   * ```ts
   * import { Process } from "@parallel/parallel/pools";
   * import { strictEqual } from "node:assert/strict";
   *
   * const p = new Process({ target: () => {} });
   * p.start();
   * strictEqual(p.joinSync({ timeout: 30_000 }), true);
   * await p.join(); // let Deno collect its status
   * ```
   */
  joinSync(options?: WaitOptions): boolean {
    const child = this.#started("join");
    const { deadline } = parseWait("Cannot join Process", options);
    if (this.#exitCode !== undefined) return true;
    // While this thread blocks, Deno cannot collect the child's status: an
    // ended child stays a zombie, whose exit code Linux shows in /proc.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let ms = 0.05;; ms = Math.min(2 * ms, 5)) {
      const code = exitCodeOfZombie(child.pid);
      if (code !== undefined) {
        // null: collected already, and its code comes with the next turn.
        if (code !== null) this.#exitCode = code;
        return true;
      }
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(pause, 0, 0, Math.min(ms, left));
    }
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

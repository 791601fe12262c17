// The process lane: one worker of a ProcessPool is a child `deno run` of
// `_process_worker.ts`, talked to over its stdin and stderr
// (`_process_wire.ts`). The child runs its requests strictly in order, one
// at a time, so the parent knows without asking which one may be running:
// the first it has not answered. A request behind it cannot be taken back
// while the child lives (Python's ProcessPoolExecutor cannot cancel a call
// it has queued to a process either); once the child has ended, every one
// it had not reached can. A running request that is stopped ends the child
// (SIGKILL): unlike a thread, a process can be stopped from outside.
//
// The child's stdout is the program's; what it writes to stderr besides our
// chunks is passed on to the parent's stderr as it comes. An idle pool does
// not keep the program alive (the child is unref'd), a pool with tasks in
// flight does.

import { exitCodeOf, liveProcesses, track } from "./_children.ts";
import { concatBytes } from "../internal/bytes.ts";
import {
  ANSWER,
  ChunkParser,
  decodeMessage,
  encodeMessage,
  FAILED_TO_START,
  GO,
  newMagic,
  READY,
  SKIP,
} from "./_process_wire.ts";
import type { Lane, LaneEvents, LaneKind, TaskRequest } from "./_lane.ts";
import { fromWire, type Response } from "./_wire.ts";
import { toProcessMessage } from "./_message.ts";
import {
  heapRef,
  reapProcess,
  reserveIdent,
  sharesWithProcesses,
} from "../primitives/_internals.ts";

export { liveProcesses };

const WORKER_URL = new URL("./_process_worker.ts", import.meta.url).href;

/** How long a child's stderr may stay open after it exited (a grandchild holds it). */
const OUTPUT_GRACE_MS = 100;
/** How much of a child's own stderr output is kept, to say why it ended. */
const KEPT_OUTPUT = 8192;

/** What a pool's children start with. */
export interface ProcessLaneSetup {
  module: string | undefined;
  initializer: { target: string; args: unknown[] } | undefined;
  /** The `deno run` flags that give the child its permissions. */
  flags: string[];
}

let pools = 0;

export class ProcessLanes implements LaneKind<Uint8Array> {
  readonly noun = "process";
  readonly #setup: ProcessLaneSetup;
  /** Names its processes (what `currentProcess()` says in them). */
  readonly #prefix = `ProcessPool-${pools++}`;
  #started = 0;

  constructor(setup: ProcessLaneSetup) {
    this.#setup = setup;
  }

  prepare(
    where: string,
    request: TaskRequest,
    transfer: ArrayBuffer[],
  ): Uint8Array {
    if (transfer.length > 0) {
      throw new TypeError(
        `${where}: 'transfer' cannot hand buffers to another process; pass them as arguments, which are copied`,
      );
    }
    const { id, kind, target, args } = request;
    return encodeMessage(
      [id, kind, target, toProcessMessage(args, where)],
      where,
    );
  }

  resendable(): boolean {
    return true;
  }

  start(events: LaneEvents): ProcessLane {
    const name = `${this.#prefix}_${this.#started++}`;
    return new ProcessLane(this.#setup, name, events);
  }
}

class ProcessLane implements Lane<Uint8Array> {
  readonly #events: LaneEvents;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #magic = newMagic();
  /** The child's thread id, when it shares this program's memory. */
  readonly #ident = sharesWithProcesses() ? reserveIdent() : undefined;
  /** Ids sent and not answered, in the order the child runs them (32 at most). */
  readonly #line: number[] = [];
  #outbox: Uint8Array[] = [];
  #ready = false;
  #alive = true;
  #inputClosed = false;
  /** The child's own stderr output, its last KEPT_OUTPUT bytes. */
  #output = "";
  #failure: unknown;
  #referenced = false;
  readonly #untrack: () => void;

  constructor(setup: ProcessLaneSetup, name: string, events: LaneEvents) {
    this.#events = events;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-prompt", ...setup.flags, WORKER_URL],
      stdin: "piped",
      stdout: "inherit",
      stderr: "piped",
    }).spawn();
    this.#child.unref();
    this.#untrack = track(this.#child);
    this.#writer = this.#child.stdin.getWriter();
    this.#writer.closed.catch(() => {}); // a child that died: its exit says so
    const where = "Cannot start a process";
    const { initializer } = setup;
    this.#outbox.push(encodeMessage({
      module: setup.module,
      initializer: initializer && {
        target: initializer.target,
        args: toProcessMessage(initializer.args, where) as unknown[],
      },
      magic: [...this.#magic],
      name,
      heap: this.#ident === undefined ? undefined : heapRef(),
      ident: this.#ident,
    }, where));
    this.#flush();
    void this.#run();
  }

  send(id: number, payload: Uint8Array): void {
    this.#line.push(id);
    this.#enqueue(payload);
    this.#ref(true);
  }

  /** Sends a message with the others of this microtask, in one write. */
  #enqueue(message: Uint8Array): void {
    this.#outbox.push(message);
    if (this.#outbox.length === 1) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    if (this.#outbox.length === 0 || this.#inputClosed) return;
    const bytes = concatBytes(this.#outbox);
    this.#outbox = [];
    this.#writer.write(bytes).catch(() => {});
  }

  /** Keeps the program alive while the child has work or is ending. */
  #ref(on: boolean): void {
    if (on === this.#referenced || !this.#alive) return;
    this.#referenced = on;
    if (on) this.#child.ref();
    else this.#child.unref();
  }

  /** The first request not answered: the one the child may be running. */
  #head(): number | undefined {
    return this.#line[0];
  }

  takeBack(id: number): boolean {
    if (this.#alive) return false;
    if (this.#ready && id === this.#head()) return false;
    return this.#line.includes(id);
  }

  stop(id: number): boolean {
    if (this.#ready && id === this.#head()) {
      this.#kill();
      return true;
    }
    // Not started: the child skips it when it gets there.
    this.#enqueue(encodeMessage([id, SKIP], ""));
    return false;
  }

  end(): void {
    if (this.#inputClosed) return;
    this.#flush();
    this.#inputClosed = true;
    this.#ref(true);
    this.#writer.close().catch(() => {});
  }

  close(): void {
    this.end();
  }

  terminate(): void {
    this.#kill();
  }

  #kill(): void {
    if (!this.#alive) return;
    this.#ref(true);
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // It has just exited.
    }
  }

  async #run(): Promise<void> {
    const decoder = new TextDecoder();
    const parser = new ChunkParser(this.#magic, (bytes) => {
      Deno.stderr.writeSync(bytes);
      this.#output = (this.#output + decoder.decode(bytes, { stream: true }))
        .slice(-KEPT_OUTPUT);
    });
    const reader = this.#child.stderr.getReader({ mode: "byob" });
    const status = this.#child.status;
    let exited = false;
    status.then(() => exited = true, () => exited = true);
    let buffer = new ArrayBuffer(65536);
    for (;;) {
      let result;
      try {
        const read = reader.read(new Uint8Array(buffer));
        result = exited ? await Promise.race([read, graceOver()]) : await read;
      } catch {
        break; // the pipe broke: the child is gone, its status says how
      }
      if (result === undefined || result.done) break;
      buffer = result.value.buffer as ArrayBuffer;
      parser.push(result.value);
      this.#receive(parser);
    }
    parser.flush();
    reader.cancel().catch(() => {});
    const code = exitCodeOf(await status);
    // What it and its Workers held in memory shared with this process:
    // their locks are abandoned, as a dead thread's are.
    if (this.#ident !== undefined) reapProcess(this.#child.pid, this.#ident);
    this.#alive = false;
    this.#untrack();
    this.#events.exited({
      code,
      error: this.#failure ?? this.#uncaught(),
      why: /out of memory/i.test(this.#output) ? ": it ran out of memory" : "",
      ready: this.#ready,
    });
  }

  #receive(parser: ChunkParser): void {
    for (
      let body = parser.messages.next();
      body !== undefined;
      body = parser.messages.next()
    ) {
      const type = body[0];
      if (type === ANSWER) {
        const [id, status, value] = decodeMessage(body.subarray(5)) as Response;
        // The head: the child answers in order.
        const at = this.#line.indexOf(id);
        if (at >= 0) this.#line.splice(at, 1);
        if (this.#line.length === 0 && !this.#inputClosed) this.#ref(false);
        this.#events.answered(id, status, value);
      } else if (type === READY) {
        // From here a stopped head may be running: stop() kills the child.
        this.#ready = true;
        this.#enqueue(encodeMessage([0, GO], ""));
        this.#events.ready();
      } else if (type === FAILED_TO_START) {
        this.#failure = fromWire(decodeMessage(body.subarray(5)));
      }
    }
  }

  /** The uncaught error Deno reported on the child's stderr, if any. */
  #uncaught(): Error | undefined {
    // deno-lint-ignore no-control-regex
    const text = this.#output.replace(/\x1b\[[0-9;]*m/g, "");
    const match = /error: (Uncaught.*)/.exec(text);
    return match === null ? undefined : new Error(match[1]);
  }
}

function graceOver(): Promise<undefined> {
  return new Promise((resolve) =>
    setTimeout(() => resolve(undefined), OUTPUT_GRACE_MS)
  );
}

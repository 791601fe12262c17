// The executor core of ThreadPool: workers, dispatch, responses, deaths.
//
// Each worker has a request queue and a response queue of its own (the
// cross-worker SimpleQueue: bytes in shared memory, no postMessage), and a
// short line of tasks in flight (two for long tasks, up to MAX_DEPTH for
// tiny ones), so that one long task cannot hold many others hostage while a
// sibling idles; the rest wait here, on the main thread,
// where cancelling or aborting one is just dropping it. Workers bump one
// shared doorbell after each response, which the main thread spins on
// briefly and then sleeps on.
//
// Every task settles: with its result, its error, WorkerCrashedError when
// its worker dies under it, a TimeoutError or the abort reason, a
// BrokenPoolError when workers cannot start, or cancellation.
//
// A thread cannot be stopped from outside while it computes (Deno 2.9.6):
// a running task that times out or is aborted is rejected at once and its
// worker is retired (it takes nothing more; what it had not claimed yet is
// taken back, by compare-and-swap, and sent elsewhere) while its code runs
// on until the worker can leave (`_worker.ts`). Only a worker known to be
// gone has its locks marked abandoned (ARCHITECTURE.md, "Worker deaths").

import {
  handleOf,
  heap,
  type QueueHandle,
  reapThread,
} from "../primitives/_internals.ts";
import { type LongTimer, setLongTimeout } from "../internal/timers.ts";
import { SimpleQueue } from "../primitives/queue.ts";
import { bellSeq, createBell, SPIN_MS, waitBell } from "./_bell.ts";
import {
  createInfo,
  INFO_GONE,
  INFO_IDENT,
  INFO_OUT_OF_MEMORY,
  INFO_READY,
  INFO_RETIRE,
  type ResourceLimits,
  startWorker,
  whenGone,
  type WorkerData,
  type WorkerExit,
} from "./_transport.ts";
import {
  ABORTED,
  BY_MESSAGE,
  CANCELLED,
  CLAIMED,
  FAILED,
  fromWire,
  OK,
  QUEUED,
  type Request,
  type Response,
  STOP,
  TIMED_OUT,
} from "./_wire.ts";
import { createFuture, type FutureController } from "./future.ts";
import { BrokenPoolError, WorkerCrashedError } from "./errors.ts";
import type { Worker } from "node:worker_threads";

/**
 * Tasks in flight per worker: at least one running and one ready behind it,
 * so that a worker does not idle while the main thread handles its last
 * result; more for short tasks, so that a line holds about LINE_MS of work
 * (the main thread may be asleep, and waking it costs about 50 µs).
 */
const MIN_DEPTH = 2;
const MAX_DEPTH = 32;
const LINE_MS = 0.25;
const ENTRY = new URL("./_worker.ts", import.meta.url);

/** Settings of the engine, checked by ThreadPool. */
export interface EngineOptions {
  module: string | undefined;
  maxWorkers: number;
  minWorkers: number;
  idleTimeout: number;
  maxTasksPerWorker: number;
  maxQueue: number;
  initializer: { target: string; args: unknown[] } | undefined;
  resourceLimits: ResourceLimits;
}

/** A task's own settings. */
export interface TaskSettings {
  timeout: number;
  signal: AbortSignal | undefined;
}

/** Arguments that go by `postMessage` (`_wire.ts`, BY_MESSAGE). */
export interface Message {
  args: unknown;
  transfer: ArrayBuffer[];
}

interface Task {
  readonly id: number;
  readonly request: Request;
  /** Set when the arguments go by postMessage; cleared once transferred. */
  message: Message | undefined;
  readonly control: FutureController<unknown>;
  readonly settings: TaskSettings;
  /**
   * Arguments that go by message carry handles, not references: they are
   * kept alive here until the task settles (its worker has opened them).
   */
  keepAlive: unknown[] | undefined;
  /** Where it was sent, and the index of its claim word there. */
  worker?: Slot | undefined;
  claim?: number | undefined;
  /** Settled (or cancelled) here: the worker's answer is ignored. */
  done: boolean;
  /** When it was last sent to a worker (performance.now()). */
  sentAt: number;
  /** Marked running, its clock started (once, even if it is sent again). */
  started: boolean;
  timer?: LongTimer | undefined;
  onAbort?: (() => void) | undefined;
}

interface Slot {
  readonly worker: Worker;
  readonly data: WorkerData;
  readonly requests: SimpleQueue<Request | typeof STOP>;
  readonly responses: SimpleQueue<Response>;
  /** The tasks sent to it and not answered, in the order it runs them. */
  readonly inFlight: Task[];
  sent: number;
  finished: number;
  /** When it last answered (performance.now()). */
  answeredAt: number;
  /** No more tasks go to it (maxTasksPerWorker, idle, stopped task, shutdown). */
  retiring: boolean;
  /** `terminate()` was called: its `exit` event does not prove it stopped. */
  terminated: boolean;
  /**
   * Messages for it before it listens (they would be lost), or undefined
   * once it does.
   */
  outbox: [unknown, ArrayBuffer[]][] | undefined;
  idleTimer?: LongTimer | undefined;
}

export class Engine {
  readonly #options: EngineOptions;
  readonly #bell = createBell();
  readonly #workers = new Set<Slot>();
  readonly #exits = new Set<Promise<WorkerExit>>();
  #pending: Task[] = [];
  #pendingHead = 0;
  #queued = 0;
  #inFlight = 0;
  #nextId = 1;
  #draining = false;
  #wake: AbortController | undefined;
  #broken: Error | undefined;
  #closed = false;
  /** A running average of how long a task takes (ms), and the line length it gives. */
  #taskMs = 1;
  #depth = MIN_DEPTH;
  readonly #unsettled = new Set<Task>();

  constructor(options: EngineOptions) {
    this.#options = options;
    for (let i = 0; i < options.minWorkers; i++) this.#spawn();
  }

  /** The URL of the task module, if any. */
  get module(): string | undefined {
    return this.#options.module;
  }

  get broken(): Error | undefined {
    return this.#broken;
  }

  /** Whether `maxQueue` tasks wait already: one more is refused. */
  get full(): boolean {
    return this.#queued >= this.#options.maxQueue;
  }

  // --- submitting -----------------------------------------------------------

  /** Queues a task, whose arguments the caller has checked. */
  submit(
    kind: Request[2],
    target: string,
    args: unknown[],
    settings: TaskSettings,
    message: Message | undefined,
  ): FutureController<unknown> {
    const id = this.#nextId++;
    const request: Request = message === undefined
      ? [id, 0, kind, target, args]
      : [id, 0, kind | BY_MESSAGE, target, null];
    let task: Task | undefined = undefined;
    const control = createFuture<unknown>(() => this.#cancel(task!));
    task = {
      id,
      request,
      message,
      control,
      settings,
      keepAlive: message === undefined ? undefined : args,
      done: false,
      started: false,
      sentAt: 0,
    };
    const { signal } = settings;
    if (signal?.aborted) {
      control.reject(signal.reason);
      return control;
    }
    // Registered before it is sent: a tiny task can be answered (and
    // settled, by #drain) before #send returns.
    this.#unsettled.add(task);
    if (signal !== undefined) {
      task.onAbort = () => this.#abort(task!, signal.reason);
      signal.addEventListener("abort", task.onAbort, { once: true });
    }
    const slot = this.#pick();
    if (slot !== undefined) {
      try {
        this.#send(slot, task);
      } catch (error) {
        this.#finish(task);
        throw error;
      }
    } else {
      this.#pending.push(task);
      this.#queued++;
      this.#grow();
    }
    this.#drain();
    return control;
  }

  /** A worker that can take a task now, or undefined. */
  #pick(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#workers) {
      if (!this.#open(slot)) continue;
      if (best === undefined || slot.inFlight.length < best.inFlight.length) {
        best = slot;
        if (slot.inFlight.length === 0) break;
      }
    }
    // Start another worker rather than queue behind a busy one.
    if (best !== undefined && best.inFlight.length > 0 && this.#canGrow()) {
      return this.#spawn();
    }
    return best ?? (this.#canGrow() ? this.#spawn() : undefined);
  }

  /** Whether a worker can take one more task now. */
  #open(slot: Slot): boolean {
    return !slot.retiring && slot.inFlight.length < this.#depth &&
      slot.sent < this.#options.maxTasksPerWorker;
  }

  /**
   * Whether another worker may start. Retired workers do not count: one
   * whose stopped task still computes may never leave.
   */
  #canGrow(): boolean {
    return !this.#closed && this.#broken === undefined &&
      this.#staying() < this.#options.maxWorkers;
  }

  /** Starts workers for tasks that wait, up to maxWorkers. */
  #grow(): void {
    let idle = 0;
    for (const slot of this.#workers) {
      if (!slot.retiring && slot.inFlight.length === 0) idle++;
    }
    while (idle < this.#queued && this.#canGrow()) {
      this.#dispatchTo(this.#spawn());
      idle++;
    }
  }

  #send(slot: Slot, task: Task): void {
    const index = slot.sent % MAX_DEPTH;
    const [id, , kind, target, args] = task.request;
    const message = task.message;
    if (message !== undefined) {
      // First the arguments, then the request that says to wait for them.
      this.#post(slot, { id, args: message.args }, message.transfer);
      if (message.transfer.length > 0) task.message = undefined;
    }
    Atomics.store(slot.data.claims, index, QUEUED);
    slot.requests.put([id, index, kind, target, args]);
    slot.sent++;
    task.sentAt = performance.now();
    task.worker = slot;
    task.claim = index;
    slot.inFlight.push(task);
    this.#inFlight++;
    if (slot.idleTimer !== undefined) {
      slot.idleTimer.clear();
      slot.idleTimer = undefined;
    }
    if (slot.inFlight.length === 1) this.#started(task);
    this.#drain();
  }

  /** The head of a worker's line is running: mark it, start its clock. */
  #started(task: Task): void {
    if (task.done || task.started) return;
    task.started = true;
    if (!task.control.future.running) task.control.setRunning();
    // A worker still loading its module or running its initializer has not
    // started the task: its clock starts when the worker says it is ready.
    if (task.worker!.outbox === undefined) this.#startClock(task);
  }

  #startClock(task: Task): void {
    const { timeout } = task.settings;
    if (timeout !== Infinity && !task.done && task.timer === undefined) {
      task.timer = setLongTimeout(() => {
        task.timer = undefined;
        this.#abort(
          task,
          new DOMException(
            `Task timed out after ${timeout} ms`,
            "TimeoutError",
          ),
          TIMED_OUT,
        );
      }, timeout);
    }
  }

  /** Fills a worker's line from the tasks that wait here. */
  #dispatchTo(slot: Slot): void {
    while (
      this.#open(slot) &&
      this.#pendingHead < this.#pending.length
    ) {
      const task = this.#pending[this.#pendingHead]!;
      this.#pending[this.#pendingHead++] = undefined!;
      if (
        this.#pendingHead > 1024 && this.#pendingHead * 2 > this.#pending.length
      ) {
        this.#pending = this.#pending.slice(this.#pendingHead);
        this.#pendingHead = 0;
      }
      if (task.done) continue;
      this.#queued--;
      try {
        this.#send(slot, task);
      } catch (error) {
        // Only postMessage can refuse here (the rest was checked at submit).
        this.#finish(task);
        task.control.reject(
          new TypeError(
            `Cannot submit task: its arguments cannot be sent to a worker (${
              (error as Error).message
            })`,
          ),
        );
      }
    }
  }

  // --- cancelling, aborting, timing out --------------------------------------

  /**
   * Takes back a task sent to a worker that has not claimed it: whether it
   * did (then the worker will never run it).
   */
  #takeBack(task: Task): boolean {
    return Atomics.compareExchange(
      task.worker!.data.claims,
      task.claim!,
      QUEUED,
      CANCELLED,
    ) === QUEUED;
  }

  /** Future.cancel(): true if the task will not run. */
  #cancel(task: Task): boolean {
    if (task.done) return true;
    if (task.worker === undefined) this.#queued--;
    else if (!this.#takeBack(task)) return false;
    this.#finish(task);
    return true;
  }

  /**
   * Rejects a task with `reason`. One that runs is marked stopped (`how`),
   * and its worker is retired.
   */
  #abort(task: Task, reason: unknown, how = ABORTED): void {
    if (task.done) return;
    const slot = task.worker;
    if (slot === undefined) this.#queued--;
    else if (!this.#takeBack(task)) {
      Atomics.compareExchange(slot.data.claims, task.claim!, CLAIMED, how);
      this.#finish(task);
      task.control.reject(reason);
      this.#retireStopped(slot);
      return;
    }
    this.#finish(task);
    task.control.reject(reason);
  }

  /**
   * Retires a worker whose running task was stopped: it is asked to leave
   * (it does as soon as the task gives control back), and every task it
   * has not claimed is taken back and sent elsewhere.
   */
  #retireStopped(slot: Slot): void {
    slot.idleTimer?.clear();
    slot.retiring = true;
    Atomics.store(slot.data.info, INFO_RETIRE, 1);
    this.#post(slot, { retire: true }, []);
    const requeue: Task[] = [];
    for (const task of [...slot.inFlight]) {
      if (task.done || !this.#takeBack(task)) continue;
      slot.inFlight.splice(slot.inFlight.indexOf(task), 1);
      this.#inFlight--;
      if (this.#resendable(task)) {
        task.worker = undefined;
        task.claim = undefined;
        requeue.push(task);
      } else {
        this.#finish(task);
        task.control.reject(
          new WorkerCrashedError(
            "The task's worker was retired before the task started, and the buffers transferred to it went with it",
          ),
        );
      }
    }
    this.#requeue(requeue);
  }

  /** Whether a task can be sent again: buffers it transferred are gone. */
  #resendable(task: Task): boolean {
    return task.message !== undefined ||
      (task.request[2] & BY_MESSAGE) === 0;
  }

  /** Puts tasks back at the head of the pool's queue, and starts workers. */
  #requeue(tasks: Task[]): void {
    if (tasks.length > 0) {
      this.#pending.splice(this.#pendingHead, 0, ...tasks);
      this.#queued += tasks.length;
    }
    this.#grow();
  }

  /** Posts to a worker, or holds the message until it listens. */
  #post(slot: Slot, message: unknown, transfer: ArrayBuffer[]): void {
    if (slot.outbox === undefined) slot.worker.postMessage(message, transfer);
    else slot.outbox.push([message, transfer]);
  }

  /** Marks a task settled here and lets go of its timer and listener. */
  #finish(task: Task): void {
    task.done = true;
    task.keepAlive = undefined;
    task.timer?.clear();
    if (task.onAbort !== undefined) {
      task.settings.signal!.removeEventListener("abort", task.onAbort);
    }
    this.#unsettled.delete(task);
  }

  // --- responses ----------------------------------------------------------

  /** Runs while tasks are in flight: collects responses as they come. */
  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#inFlight > 0) {
        const seen = bellSeq(this.#bell);
        if (this.#collect()) continue;
        if (this.#spareCore() && await this.#spin(seen)) continue;
        // A worker's exit may have settled the rest while we spun; its
        // wake-up found no controller to abort, and no bell will ring.
        if (this.#inFlight === 0) break;
        this.#wake = new AbortController();
        try {
          await waitBell(this.#bell, seen, this.#wake.signal);
        } catch {
          // Woken by a worker's exit or by shutdown: look again.
        }
        this.#wake = undefined;
      }
    } finally {
      this.#draining = false;
    }
  }

  /**
   * Whether a core is left for this thread while the busy workers run: if
   * not, spinning would only slow them down.
   */
  #spareCore(): boolean {
    let busy = 0;
    for (const slot of this.#workers) if (slot.inFlight.length > 0) busy++;
    return busy < navigator.hardwareConcurrency;
  }

  /**
   * Watches the bell for a moment before sleeping on it, since a wake-up
   * costs more than a tiny task's whole round trip. It yields to the
   * microtask queue while it watches: the code awaiting the results just
   * handed out runs, and may submit the next task.
   */
  async #spin(seen: number): Promise<boolean> {
    const end = performance.now() + SPIN_MS;
    do {
      for (let i = 0; i < 16; i++) {
        await null;
        if (bellSeq(this.#bell) !== seen) return true;
      }
    } while (performance.now() < end);
    return false;
  }

  /** Handles every response that has arrived; whether there was one. */
  #collect(): boolean {
    let any = false;
    for (const slot of this.#workers) {
      while (slot.responses.qsize() > 0) {
        this.#respond(slot, slot.responses.getNowait());
        any = true;
      }
    }
    return any;
  }

  /**
   * Updates the average task time from this answer: the time since the task
   * was sent, or since its worker's previous answer if that came later (a
   * worker runs its line in order).
   */
  #measure(slot: Slot, task: Task): void {
    const now = performance.now();
    const elapsed = now - Math.max(task.sentAt, slot.answeredAt);
    slot.answeredAt = now;
    this.#taskMs = 0.9 * this.#taskMs + 0.1 * elapsed;
    this.#depth = Math.min(
      MAX_DEPTH,
      Math.max(MIN_DEPTH, Math.ceil(LINE_MS / this.#taskMs)),
    );
  }

  #respond(slot: Slot, [id, status, value]: Response): void {
    // Answers come in the order of the line, but for tasks taken back from
    // a retired worker (it may still answer SKIPPED for one that has been
    // sent elsewhere).
    const line = slot.inFlight;
    const at = line[0]?.id === id ? 0 : line.findIndex((t) => t.id === id);
    if (at < 0) return;
    const task = line[at]!;
    if (at === 0) line.shift();
    else line.splice(at, 1);
    this.#inFlight--;
    slot.finished++;
    this.#measure(slot, task);
    if (!task.done) {
      this.#finish(task);
      if (status === OK) task.control.resolve(value);
      else if (status === FAILED) task.control.reject(fromWire(value));
      // SKIPPED: cancelled before it started, as the pool was told.
    }
    if (slot.finished >= this.#options.maxTasksPerWorker) this.#retire(slot);
    this.#dispatchTo(slot);
    const next = slot.inFlight[0];
    if (next !== undefined) this.#started(next);
    else this.#idle(slot);
  }

  // --- workers --------------------------------------------------------------

  #spawn(): Slot {
    const data: WorkerData = {
      heap: heap(),
      module: this.#options.module,
      initializer: this.#options.initializer,
      requests: undefined!,
      responses: undefined!,
      claims: new Int32Array(new SharedArrayBuffer(4 * MAX_DEPTH)),
      info: createInfo(),
      bell: this.#bell,
    };
    const requests = new SimpleQueue<Request | typeof STOP>({ maxWaiters: 2 });
    const responses = new SimpleQueue<Response>({ maxWaiters: 2 });
    // Not pinned: the pool holds both queues for as long as the worker runs.
    data.requests = handleOf(requests) as QueueHandle;
    data.responses = handleOf(responses) as QueueHandle;
    const { worker, exited } = startWorker(ENTRY, data, {
      ref: false,
      resourceLimits: this.#options.resourceLimits,
    });
    const slot: Slot = {
      worker,
      data,
      requests,
      responses,
      inFlight: [],
      sent: 0,
      finished: 0,
      answeredAt: 0,
      retiring: false,
      terminated: false,
      outbox: [],
    };
    // The worker's first message says that it is ready: it listens for
    // messages, has loaded the module and run the initializer.
    worker.once("message", () => {
      const outbox = slot.outbox ?? [];
      slot.outbox = undefined;
      for (const [sent, transfer] of outbox) {
        worker.postMessage(sent, transfer);
      }
      const head = slot.inFlight[0];
      if (head?.started) this.#startClock(head);
    });
    this.#workers.add(slot);
    this.#exits.add(exited);
    exited.then((exit) => {
      this.#exits.delete(exited);
      this.#exited(slot, exit);
    });
    return slot;
  }

  /** Workers that are not on their way out. */
  #staying(): number {
    let count = 0;
    for (const slot of this.#workers) if (!slot.retiring) count++;
    return count;
  }

  /** A worker that will take no more tasks ends once its line is empty. */
  #retire(slot: Slot): void {
    slot.retiring = true;
    if (slot.inFlight.length === 0) slot.requests.put(STOP);
  }

  #idle(slot: Slot): void {
    if (slot.retiring) {
      if (Atomics.load(slot.data.info, INFO_RETIRE) === 0) {
        slot.requests.put(STOP);
      }
      return;
    }
    const { idleTimeout, minWorkers } = this.#options;
    if (idleTimeout === Infinity || this.#staying() <= minWorkers) return;
    slot.idleTimer = setLongTimeout(
      () => {
        slot.idleTimer = undefined;
        if (slot.inFlight.length === 0 && this.#staying() > minWorkers) {
          this.#retire(slot);
        }
      },
      idleTimeout,
      { unref: true },
    );
  }

  #exited(slot: Slot, { code, error }: WorkerExit): void {
    this.#workers.delete(slot);
    slot.idleTimer?.clear();
    // What it answered before it died still counts.
    while (slot.responses.qsize() > 0 && slot.inFlight.length > 0) {
      this.#respond(slot, slot.responses.getNowait());
    }
    const info = slot.data.info;
    const ident = Atomics.load(info, INFO_IDENT);
    // After terminate(), `exit` comes at once while the thread may still
    // run: its locks are its own until it says it is gone.
    if (ident !== 0) {
      if (!slot.terminated || Atomics.load(info, INFO_GONE) !== 0) {
        reapThread(ident);
      } else {
        whenGone(info).then(() => reapThread(ident));
      }
    }
    const lost = slot.inFlight.splice(0);
    this.#inFlight -= lost.length;
    const ready = Atomics.load(info, INFO_READY) === 1;
    if (!ready && !this.#closed) {
      const reason = error instanceof Error ? `: ${error.message}` : "";
      this.#break(
        new BrokenPoolError(
          `A worker of the pool failed to start (exit code ${code})${reason}`,
          { cause: error },
        ),
        lost,
      );
      return;
    }
    const outOfMemory = Atomics.load(info, INFO_OUT_OF_MEMORY) !== 0;
    const why = outOfMemory
      ? ": it ran out of memory"
      : error instanceof Error
      ? `: ${error.message}`
      : "";
    const requeue: Task[] = [];
    for (const task of lost) {
      if (task.done) continue;
      if (this.#takeBack(task) && this.#resendable(task)) {
        task.worker = undefined;
        task.claim = undefined;
        requeue.push(task);
        continue;
      }
      this.#finish(task);
      task.control.reject(
        new WorkerCrashedError(
          `The worker running the task exited with code ${code}${why}`,
          { exitCode: code, cause: error },
        ),
      );
    }
    this.#requeue(requeue);
    if (this.#inFlight === 0) this.#wake?.abort();
    else this.#drain();
  }

  /** Workers cannot start: every task fails, and so does every submit. */
  #break(error: Error, lost: Task[]): void {
    this.#broken = error;
    const tasks = [...lost, ...this.#pending.slice(this.#pendingHead)];
    this.#pending = [];
    this.#pendingHead = 0;
    this.#queued = 0;
    for (const task of tasks) {
      if (task?.done !== false) continue;
      this.#finish(task);
      task.control.reject(error);
    }
    for (const slot of this.#workers) this.#terminate(slot);
    if (this.#inFlight === 0) this.#wake?.abort();
  }

  #terminate(slot: Slot): void {
    slot.retiring = true;
    slot.terminated = true;
    slot.worker.terminate();
  }

  // --- shutting down ----------------------------------------------------------

  /** Cancels every task that has not started. */
  cancelQueued(): void {
    for (const task of [...this.#unsettled]) {
      if (!task.control.future.running) task.control.future.cancel();
    }
  }

  /**
   * Takes no more tasks; resolves once every task has settled and every
   * worker has exited.
   */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#unsettled.size > 0) {
      await Promise.allSettled(
        [...this.#unsettled].map((task) => task.control.future),
      );
      // Every future is done: a task still here would be a bug, and this
      // loop would spin on resolved promises forever.
      for (const task of this.#unsettled) {
        if (task.control.future.done) this.#unsettled.delete(task);
      }
    }
    for (const slot of this.#workers) {
      // Until it has exited, as the caller waits for that.
      slot.worker.ref();
      if (Atomics.load(slot.data.info, INFO_RETIRE) !== 0) {
        // Its stopped task may compute forever: do not wait for it. Its
        // locks stay held until it says it is gone.
        this.#terminate(slot);
      } else if (!slot.retiring) {
        // Every task has settled: it leaves when it reads STOP. (A retiring
        // worker is sent STOP once its line is empty.)
        slot.retiring = true;
        slot.requests.put(STOP);
      }
    }
    while (this.#exits.size > 0) await Promise.all(this.#exits);
  }
}

// The executor core: every decision of a pool, for any kind of worker.
//
// Tasks wait here, on the pool's thread, where cancelling or aborting one is
// just dropping it; each worker (a lane, `_lane.ts`) has a short line of
// tasks in flight: two for long tasks, up to MAX_DEPTH for tiny ones, so
// that one long task cannot hold many others hostage while a sibling idles.
// The core starts workers on demand up to maxWorkers, retires them after
// maxTasksPerWorker tasks or an idle timeout, times tasks from their start,
// lets an idle worker take a task that waits in another's line (`#steal`),
// and settles every task: with its result, its error, WorkerCrashedError
// when its worker dies under it, a TimeoutError or the abort reason, a
// BrokenPoolError when workers cannot start, or cancellation. A task that a
// worker never started is sent elsewhere when that worker ends.
//
// A running task that times out or is aborted is rejected at once; its lane
// decides what happens to the worker (a thread cannot be stopped while it
// computes and is retired; a process is killed), and the tasks it had not
// started are taken back and sent elsewhere.

import { type LongTimer, setLongTimeout } from "../internal/timers.ts";
import {
  ABORTED,
  type Lane,
  type LaneEvents,
  type LaneExit,
  type LaneKind,
  MAX_DEPTH,
  TIMED_OUT,
} from "./_lane.ts";
import { FAILED, fromWire, OK } from "./_wire.ts";
import { createFuture, type FutureController } from "./future.ts";
import { BrokenPoolError, WorkerCrashedError } from "./errors.ts";

/**
 * Tasks in flight per worker: at least one running and one ready behind it,
 * so that a worker does not idle while the pool handles its last result;
 * more for short tasks, so that a line holds about LINE_MS of work (the
 * pool's thread may be asleep, and waking it costs about 50 µs).
 */
const MIN_DEPTH = 2;
const LINE_MS = 0.25;

/** The pool's settings that the core decides by, checked by the pool. */
export interface CoreOptions {
  maxWorkers: number;
  minWorkers: number;
  idleTimeout: number;
  maxTasksPerWorker: number;
  maxQueue: number;
}

/** A task's own settings. */
export interface TaskSettings {
  timeout: number;
  signal: AbortSignal | undefined;
}

interface Task<P> {
  readonly id: number;
  /** How it travels; let go once it has settled. */
  payload: P | undefined;
  readonly control: FutureController<unknown>;
  readonly settings: TaskSettings;
  /** The worker it was sent to, while it is in that worker's line. */
  worker: WorkerState<P> | undefined;
  /** Settled (or cancelled) here: the worker's answer is ignored. */
  done: boolean;
  /** When it was last sent to a worker (performance.now()). */
  sentAt: number;
  /** Marked running, its clock started (once, even if it is sent again). */
  started: boolean;
  timer?: LongTimer | undefined;
  onAbort?: (() => void) | undefined;
}

/** What the core knows of one worker. */
interface WorkerState<P> {
  readonly lane: Lane<P>;
  /** The tasks sent to it and not answered, in the order it runs them. */
  readonly line: Task<P>[];
  sent: number;
  finished: number;
  /** When it last answered (performance.now()). */
  answeredAt: number;
  /** It has loaded its module and run its initializer. */
  ready: boolean;
  /** No more tasks go to it (maxTasksPerWorker, idle, stopped task, shutdown). */
  retiring: boolean;
  idleTimer?: LongTimer | undefined;
}

export class ExecutorCore<P> {
  readonly #kind: LaneKind<P>;
  readonly #options: CoreOptions;
  readonly #workers = new Set<WorkerState<P>>();
  #pending: (Task<P> | undefined)[] = [];
  #pendingHead = 0;
  #queued = 0;
  #nextId = 1;
  #broken: Error | undefined;
  #closed = false;
  /** Resolves when the last worker has exited, while close() waits for it. */
  #allExited: PromiseWithResolvers<void> | undefined;
  /** A running average of how long a task takes (ms), and the line length it gives. */
  #taskMs = 1;
  #depth = MIN_DEPTH;
  readonly #unsettled = new Set<Task<P>>();

  constructor(kind: LaneKind<P>, options: CoreOptions) {
    this.#kind = kind;
    this.#options = options;
    for (let i = 0; i < options.minWorkers; i++) this.#spawn();
  }

  /** Why the pool is broken, if it is. */
  get broken(): Error | undefined {
    return this.#broken;
  }

  /** Whether `maxQueue` tasks wait already: one more is refused. */
  get full(): boolean {
    return this.#queued >= this.#options.maxQueue;
  }

  /** How many tasks wait here for a worker (ClusterPool's counts). */
  get queued(): number {
    return this.#queued;
  }

  /** How many workers run now (for tests and the pool's own checks). */
  get workers(): number {
    return this.#workers.size;
  }

  // --- submitting -----------------------------------------------------------

  /**
   * Queues a task, whose target and settings the caller has checked.
   *
   * @throws {TypeError} If its arguments cannot travel to a worker; nothing
   * is queued.
   */
  submit(
    kind: number,
    target: string,
    args: unknown[],
    settings: TaskSettings,
    transfer: ArrayBuffer[],
    where: string,
  ): FutureController<unknown> {
    const id = this.#nextId++;
    const payload = this.#kind.prepare(
      where,
      { id, kind, target, args },
      transfer,
    );
    let task: Task<P> | undefined = undefined;
    const control = createFuture<unknown>(() => this.#cancel(task!));
    task = {
      id,
      payload,
      control,
      settings,
      worker: undefined,
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
    // settled) before #send returns.
    this.#unsettled.add(task);
    if (signal !== undefined) {
      task.onAbort = () => this.#abort(task!, signal.reason);
      signal.addEventListener("abort", task.onAbort, { once: true });
    }
    const worker = this.#pick();
    if (worker !== undefined) {
      try {
        this.#send(worker, task);
      } catch (error) {
        this.#finish(task);
        throw error;
      }
    } else {
      this.#pending.push(task);
      this.#queued++;
      this.#grow();
    }
    return control;
  }

  /** A worker that can take a task now, or undefined. */
  #pick(): WorkerState<P> | undefined {
    let best: WorkerState<P> | undefined;
    for (const worker of this.#workers) {
      if (!this.#open(worker)) continue;
      if (best === undefined || worker.line.length < best.line.length) {
        best = worker;
        if (worker.line.length === 0) break;
      }
    }
    // Start another worker rather than queue behind a busy one.
    if (best !== undefined && best.line.length > 0 && this.#canGrow()) {
      return this.#spawn();
    }
    return best ?? (this.#canGrow() ? this.#spawn() : undefined);
  }

  /** Whether a worker can take one more task now. */
  #open(worker: WorkerState<P>): boolean {
    return !worker.retiring &&
      worker.line.length < (this.#kind.depth ?? this.#depth) &&
      worker.sent < this.#options.maxTasksPerWorker;
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
    for (const worker of this.#workers) {
      if (!worker.retiring && worker.line.length === 0) idle++;
    }
    while (idle < this.#queued && this.#canGrow()) {
      this.#dispatchTo(this.#spawn());
      idle++;
    }
  }

  #send(worker: WorkerState<P>, task: Task<P>): void {
    // In the line first: a lane may answer before send() returns.
    task.worker = worker;
    task.sentAt = performance.now();
    worker.line.push(task);
    worker.sent++;
    try {
      worker.lane.send(task.id, task.payload!);
    } catch (error) {
      worker.line.pop();
      worker.sent--;
      task.worker = undefined;
      throw error;
    }
    if (worker.idleTimer !== undefined) {
      worker.idleTimer.clear();
      worker.idleTimer = undefined;
    }
    if (worker.line[0] === task && this.#kind.depth === undefined) {
      this.#started(task);
    }
  }

  /** The head of a worker's line is running: mark it, start its clock. */
  #started(task: Task<P>): void {
    if (task.done || task.started) return;
    task.started = true;
    if (!task.control.future.running) task.control.setRunning();
    // A worker still loading its module or running its initializer has not
    // started the task: its clock starts when the worker says it is ready.
    if (task.worker!.ready) this.#startClock(task);
  }

  #startClock(task: Task<P>): void {
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
  #dispatchTo(worker: WorkerState<P>): void {
    while (this.#open(worker) && this.#pendingHead < this.#pending.length) {
      const task = this.#pending[this.#pendingHead]!;
      this.#pending[this.#pendingHead++] = undefined;
      if (
        this.#pendingHead > 1024 && this.#pendingHead * 2 > this.#pending.length
      ) {
        this.#pending = this.#pending.slice(this.#pendingHead);
        this.#pendingHead = 0;
      }
      if (task.done) continue;
      this.#queued--;
      try {
        this.#send(worker, task);
      } catch (error) {
        // Only a lane's last-moment refusal (postMessage) lands here: the
        // rest was checked at submit.
        this.#finish(task);
        task.control.reject(
          new TypeError(
            `Cannot submit task: its arguments cannot be sent to a ${this.#kind.noun} (${
              (error as Error).message
            })`,
          ),
        );
      }
    }
  }

  // --- cancelling, aborting, timing out --------------------------------------

  /** Future.cancel(): true if the task will not run. */
  #cancel(task: Task<P>): boolean {
    if (task.done) return true;
    const worker = task.worker;
    if (worker === undefined) this.#queued--;
    else if (!worker.lane.takeBack(task.id)) return false;
    // One taken back stays in its worker's line until the worker skips it.
    this.#finish(task);
    return true;
  }

  /**
   * Rejects a task with `reason`. One that may be running is stopped
   * (`how`), and its lane says whether its worker ends.
   */
  #abort(task: Task<P>, reason: unknown, how = ABORTED): void {
    if (task.done) return;
    const worker = task.worker;
    if (worker === undefined) this.#queued--;
    else if (!worker.lane.takeBack(task.id)) {
      this.#finish(task);
      task.control.reject(reason);
      if (worker.lane.stop(task.id, how)) this.#retireStopped(worker);
      return;
    }
    this.#finish(task);
    task.control.reject(reason);
  }

  /**
   * Retires a worker whose running task was stopped: it takes nothing more,
   * and every task it has not started is taken back and sent elsewhere.
   */
  #retireStopped(worker: WorkerState<P>): void {
    worker.idleTimer?.clear();
    worker.retiring = true;
    const requeue: Task<P>[] = [];
    for (const task of [...worker.line]) {
      if (task.done || !worker.lane.takeBack(task.id)) continue;
      worker.line.splice(worker.line.indexOf(task), 1);
      this.#takeOut(task, requeue, () =>
        new WorkerCrashedError(
          `The task's ${this.#kind.noun} was retired before the task started, and the buffers transferred to it went with it`,
        ));
    }
    this.#requeue(requeue);
  }

  /**
   * A task taken back from a worker: sent elsewhere if it can be, or failed
   * with `error()`.
   */
  #takeOut(task: Task<P>, requeue: Task<P>[], error: () => Error): void {
    task.worker = undefined;
    if (this.#kind.resendable(task.payload!)) {
      requeue.push(task);
    } else {
      this.#finish(task);
      task.control.reject(error());
    }
  }

  /** Puts tasks back at the head of the pool's queue, and starts workers. */
  #requeue(tasks: Task<P>[]): void {
    if (tasks.length > 0) {
      this.#pending.splice(this.#pendingHead, 0, ...tasks);
      this.#queued += tasks.length;
    }
    this.#grow();
  }

  /** Marks a task settled here and lets go of its timer and listener. */
  #finish(task: Task<P>): void {
    task.done = true;
    task.payload = undefined;
    task.timer?.clear();
    if (task.onAbort !== undefined) {
      task.settings.signal!.removeEventListener("abort", task.onAbort);
    }
    this.#unsettled.delete(task);
  }

  // --- answers --------------------------------------------------------------

  /**
   * Updates the average task time from this answer: the time since the task
   * was sent, or since its worker's previous answer if that came later (a
   * worker runs its line in order).
   */
  #measure(worker: WorkerState<P>, task: Task<P>): void {
    const now = performance.now();
    const elapsed = now - Math.max(task.sentAt, worker.answeredAt);
    worker.answeredAt = now;
    this.#taskMs = 0.9 * this.#taskMs + 0.1 * elapsed;
    this.#depth = Math.min(
      MAX_DEPTH,
      Math.max(MIN_DEPTH, Math.ceil(LINE_MS / this.#taskMs)),
    );
  }

  #answered(
    worker: WorkerState<P>,
    id: number,
    status: number,
    value: unknown,
  ): void {
    // Answers come in the order of the line, but for tasks taken back from
    // a retired worker (it may still answer SKIPPED for one that has been
    // sent elsewhere).
    const line = worker.line;
    const at = line[0]?.id === id ? 0 : line.findIndex((t) => t.id === id);
    if (at < 0) return;
    const task = line[at]!;
    if (at === 0) line.shift();
    else line.splice(at, 1);
    worker.finished++;
    this.#measure(worker, task);
    if (!task.done) {
      this.#finish(task);
      if (status === OK) task.control.resolve(value);
      else if (status === FAILED) task.control.reject(fromWire(value));
      // SKIPPED: cancelled before it started, as the pool was told.
    }
    if (worker.finished >= this.#options.maxTasksPerWorker) {
      this.#retire(worker);
    }
    this.#dispatchTo(worker);
    const next = worker.line[0];
    if (next === undefined) this.#idle(worker);
    else if (this.#kind.depth === undefined) this.#started(next);
  }

  /** A lane of a kind with a `depth` says that request `id` has started. */
  #startedById(worker: WorkerState<P>, id: number): void {
    const task = worker.line.find((t) => t.id === id);
    if (task !== undefined) this.#started(task);
  }

  #ready(worker: WorkerState<P>): void {
    worker.ready = true;
    const head = worker.line[0];
    if (head?.started) this.#startClock(head);
  }

  // --- workers --------------------------------------------------------------

  #spawn(): WorkerState<P> {
    let worker: WorkerState<P> | undefined = undefined;
    const events: LaneEvents = {
      ready: () => this.#ready(worker!),
      answered: (id, status, value) =>
        this.#answered(worker!, id, status, value),
      exited: (exit) => this.#exited(worker!, exit),
      started: (id) => this.#startedById(worker!, id),
    };
    worker = {
      lane: this.#kind.start(events),
      line: [],
      sent: 0,
      finished: 0,
      answeredAt: 0,
      ready: false,
      retiring: false,
    };
    this.#workers.add(worker);
    return worker;
  }

  /** Workers that are not on their way out. */
  #staying(): number {
    let count = 0;
    for (const worker of this.#workers) if (!worker.retiring) count++;
    return count;
  }

  /**
   * Gives an idle worker the oldest task that waits in another's line
   * behind the one running there, if the lane can take it back (a thread
   * lane can until its worker claims it; a live process cannot): that one
   * may run for long, or wait for the very task behind it, which on
   * Python's one queue another thread would take. Whether it took one.
   */
  #steal(idle: WorkerState<P>): boolean {
    if (this.#kind.depth !== undefined || !this.#open(idle)) return false;
    for (const worker of this.#workers) {
      if (worker === idle) continue;
      const line = worker.line;
      for (let at = 1; at < line.length; at++) {
        const task = line[at]!;
        if (task.done || !this.#kind.resendable(task.payload!)) continue;
        if (!worker.lane.takeBack(task.id)) continue;
        line.splice(at, 1);
        worker.sent--;
        task.worker = undefined;
        try {
          this.#send(idle, task);
        } catch {
          // The idle lane refused it at the last moment: back to the queue.
          this.#requeue([task]);
        }
        return true;
      }
    }
    return false;
  }

  /** A worker that will take no more tasks ends once its line is empty. */
  #retire(worker: WorkerState<P>): void {
    worker.retiring = true;
    if (worker.line.length === 0) worker.lane.end();
  }

  #idle(worker: WorkerState<P>): void {
    if (worker.retiring) {
      worker.lane.end();
      return;
    }
    if (this.#steal(worker)) return;
    const { idleTimeout, minWorkers } = this.#options;
    if (idleTimeout === Infinity || this.#staying() <= minWorkers) return;
    worker.idleTimer = setLongTimeout(
      () => {
        worker.idleTimer = undefined;
        if (worker.line.length === 0 && this.#staying() > minWorkers) {
          this.#retire(worker);
        }
      },
      idleTimeout,
      { unref: true },
    );
  }

  #exited(worker: WorkerState<P>, exit: LaneExit): void {
    this.#workers.delete(worker);
    worker.idleTimer?.clear();
    if (this.#workers.size === 0) this.#allExited?.resolve();
    const lost = worker.line.splice(0);
    const { noun } = this.#kind;
    if (!exit.ready && !this.#closed) {
      const error = exit.error;
      const reason = exit.why !== ""
        ? exit.why
        : error instanceof Error
        ? `: ${error.message}`
        : "";
      this.#break(
        new BrokenPoolError(
          `A ${noun} of the pool failed to start (exit code ${exit.code})${reason}`,
          { cause: error },
        ),
        lost,
      );
      return;
    }
    const why = exit.why !== ""
      ? exit.why
      : exit.error instanceof Error
      ? `: ${exit.error.message}`
      : "";
    const requeue: Task<P>[] = [];
    for (const task of lost) {
      if (task.done) continue;
      if (worker.lane.takeBack(task.id)) {
        this.#takeOut(task, requeue, () => crashed());
      } else {
        this.#finish(task);
        task.control.reject(crashed());
      }
    }
    this.#requeue(requeue);

    function crashed(): Error {
      if (exit.failure !== undefined) return exit.failure();
      return new WorkerCrashedError(
        `The ${noun} running the task exited with code ${exit.code}${why}`,
        { exitCode: exit.code, cause: exit.error },
      );
    }
  }

  /** Workers cannot start: every task fails, and so does every submit. */
  #break(error: Error, lost: Task<P>[]): void {
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
    for (const worker of this.#workers) {
      worker.retiring = true;
      worker.lane.terminate();
    }
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
    if (this.#workers.size === 0) return;
    this.#allExited = Promise.withResolvers();
    for (const worker of this.#workers) {
      worker.retiring = true;
      worker.lane.close();
    }
    await this.#allExited.promise;
  }
}

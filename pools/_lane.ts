// A lane is one worker as the executor core (`_core.ts`) sees it: something
// that takes requests in order, runs them one after another in that order,
// answers each, and ends. The core decides everything else. A lane kind
// (threads, processes) starts lanes and decides how a task's arguments
// travel; it may share things among its lanes (the threads' doorbell), but
// nothing in this interface assumes shared memory: a ClusterPool's lanes
// run on other machines, through a broker (ARCHITECTURE.md, "The pools").

/**
 * The most requests a lane is ever sent and has not answered (the core's
 * longest line; the thread lane has this many claim words, `_claim.ts`).
 */
export const MAX_DEPTH = 32;

/** Why a running request is stopped (`Lane.stop`). */
export const ABORTED = 3;
export const TIMED_OUT = 4;

/** What a task asks of a worker: one call, or a chunk of calls. */
export interface TaskRequest {
  readonly id: number;
  /** CALL or CHUNK, with its flags (`_wire.ts`). */
  readonly kind: number;
  /** An export's name, or a function's source. */
  readonly target: string;
  readonly args: unknown[];
}

/** How a worker ended. */
export interface LaneExit {
  /** Its exit code (minus the signal's number for a process killed by one). */
  readonly code: number;
  /** What ended it, if known (an uncaught error). */
  readonly error?: unknown;
  /** Why, for messages: ": it ran out of memory", or empty. */
  readonly why: string;
  /** Whether it had loaded its module and run its initializer. */
  readonly ready: boolean;
  /**
   * What each request it had not answered fails with, if not a
   * WorkerCrashedError (a broker that could not be reached).
   */
  readonly failure?: () => Error;
}

/** What a lane tells the core, as it happens. */
export interface LaneEvents {
  /**
   * The worker has loaded its module and run its initializer: the clock of
   * the task at the head of its line starts now.
   */
  ready(): void;
  /** A request was answered: OK, FAILED (a wire error) or SKIPPED (`_wire.ts`). */
  answered(id: number, status: number, value: unknown): void;
  /** The worker has ended; every request it had not answered is the core's again. */
  exited(exit: LaneExit): void;
  /**
   * A request has started: only the lanes of a kind with a `depth` say so
   * (the others' requests start at the head of their line).
   */
  started(id: number): void;
}

/** One worker. Requests are identified by the id of their task. */
export interface Lane<P> {
  /**
   * Sends a request, with its arguments as the lane kind prepared them. Its
   * answer may come before this returns.
   *
   * @throws {TypeError} If the arguments cannot be sent after all (a
   * `postMessage` that refuses): the request was not sent.
   */
  send(id: number, payload: P): void;
  /**
   * Takes back a request that the worker has not started: whether it did
   * (then the worker will never run it). After the worker has exited, every
   * request it certainly never started can be taken back.
   */
  takeBack(id: number): boolean;
  /**
   * The running request `id` (or one that may be running) has timed out or
   * been aborted (`how`: ABORTED or TIMED_OUT). Returns whether the lane now
   * ends: then it takes nothing more, and the core takes back what it can.
   */
  stop(id: number, how: number): boolean;
  /** Ends once every request sent so far is answered; harmless if repeated. */
  end(): void;
  /**
   * Every task has settled and the pool closes: end as soon as possible,
   * keeping the program alive until the worker has ended.
   */
  close(): void;
  /** Ends at once: the pool is broken. */
  terminate(): void;
}

/** A kind of worker: how arguments travel, and how a lane starts. */
export interface LaneKind<P> {
  /** What the pool's messages call one of its workers: "worker", "process". */
  readonly noun: string;
  /**
   * Prepares a request once, at submit, for any lane of this kind.
   *
   * @throws {TypeError} If its arguments cannot travel this way.
   */
  prepare(where: string, request: TaskRequest, transfer: ArrayBuffer[]): P;
  /**
   * Whether a request can be sent again after a lane it went to ended
   * without running it (buffers transferred to that lane are gone).
   */
  resendable(payload: P): boolean;
  /**
   * Set for lanes whose worker is not theirs alone (a broker's, on other
   * machines): each line holds at most this many requests instead of the
   * core's 2 to MAX_DEPTH, and a request starts when the lane says so
   * (`LaneEvents.started`), not when it reaches the head of its line.
   */
  readonly depth?: number;
  /** Starts a worker. */
  start(events: LaneEvents): Lane<P>;
}

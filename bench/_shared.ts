// What the benches share: the stall guard, and the plumbing of their two
// bench Workers (the main thread's side, WorkerPair, and the Worker's side,
// serve). Every request runs a whole loop and is answered once.

/** How long a loop may take before its case fails as stalled. */
export const STALL_MS = 30_000;

/** Waits for `work`, or fails after STALL_MS (calling `onStall` first). */
export async function withinStallTime<T>(
  what: string,
  work: Promise<T>,
  onStall?: () => void,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onStall?.();
      reject(
        new Error(`${what} did not finish within ${STALL_MS / 1000} s`),
      );
    }, STALL_MS);
  });
  try {
    return await Promise.race([work, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/** A bench Worker's answer to a request; `value` is its result, if any. */
export type Reply<T> = { ok: true; value?: T } | { ok: false; error: string };

/** One bench Worker: one request at a time. */
class BenchWorker<Request, T> {
  readonly #worker: Worker;
  #pending: PromiseWithResolvers<T | undefined> | undefined;

  constructor(script: URL) {
    this.#worker = new Worker(script, { type: "module" });
    this.#worker.onmessage = ({ data }: MessageEvent<Reply<T>>) => {
      const pending = this.#pending!;
      this.#pending = undefined;
      if (data.ok) pending.resolve(data.value);
      else pending.reject(new Error(`In a bench Worker: ${data.error}`));
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#pending?.reject(event.error ?? new Error(event.message));
      this.#pending = undefined;
    };
  }

  call(request: Request, transfer: Transferable[] = []): Promise<
    T | undefined
  > {
    if (this.#pending) throw new Error("A bench Worker got two requests");
    this.#pending = Promise.withResolvers();
    this.#worker.postMessage(request, transfer);
    return this.#pending.promise;
  }

  terminate(): void {
    this.#worker.terminate();
  }
}

/** What a fresh pair of bench Workers starts from. */
export interface PairSetup<Request, S> {
  /** What the main thread keeps of what both Workers share. */
  shared: S;
  /** The first request to each Worker, answered before any other. */
  init: readonly [Request, Request];
  /** What each init request transfers. */
  transfer?: readonly [Transferable[], Transferable[]];
}

interface Crew<Request, T, S> {
  workers: readonly [BenchWorker<Request, T>, BenchWorker<Request, T>];
  shared: S;
  ready: Promise<unknown>;
}

/**
 * Two bench Workers (running `script`) and what they share, made by
 * `setup`. A loop that stalls (a lost wake-up would leave both Workers
 * asleep for ever) fails its case after STALL_MS; when a run fails, the
 * Workers are replaced, along with a fresh `setup()`, so that the next cases
 * still run.
 */
export class WorkerPair<Request, T, S> {
  readonly #script: URL;
  readonly #setup: () => PairSetup<Request, S>;
  #crew: Crew<Request, T, S>;

  constructor(script: URL, setup: () => PairSetup<Request, S>) {
    this.#script = script;
    this.#setup = setup;
    this.#crew = this.#start();
  }

  #start(): Crew<Request, T, S> {
    const { shared, init, transfer = [[], []] } = this.#setup();
    const workers = [
      new BenchWorker<Request, T>(this.#script),
      new BenchWorker<Request, T>(this.#script),
    ] as const;
    const ready = Promise.all([
      workers[0].call(init[0], transfer[0]),
      workers[1].call(init[1], transfer[1]),
    ]);
    return { workers, shared, ready };
  }

  /** What the main thread keeps of what the current Workers share. */
  get shared(): S {
    return this.#crew.shared;
  }

  /**
   * Sends one request to each Worker and waits for both answers; returns
   * the second one's. If either fails or the pair stalls, the other may be
   * stuck: replace the pair.
   */
  async run(what: string, first: Request, second: Request): Promise<
    T | undefined
  > {
    const crew = this.#crew;
    await crew.ready;
    try {
      const [, answer] = await withinStallTime(
        what,
        Promise.all([
          crew.workers[0].call(first),
          crew.workers[1].call(second),
        ]),
      );
      return answer;
    } catch (error) {
      for (const worker of crew.workers) worker.terminate();
      if (this.#crew === crew) this.#crew = this.#start();
      throw error;
    }
  }

  /** One request to the first Worker alone (no stall guard). */
  async callFirst(request: Request): Promise<T | undefined> {
    return await this.#crew.workers[0].call(request);
  }

  async ready(): Promise<void> {
    await this.#crew.ready;
  }

  terminate(): void {
    for (const worker of this.#crew.workers) worker.terminate();
  }
}

/**
 * The Worker's side: answers each request with what `handle` returns (or
 * resolves to), as `{ ok: true, value }`, or `{ ok: false, error }` if it
 * throws. A synchronous answer is posted at once.
 */
export function serve<Request, T>(
  handle: (request: Request) => T | Promise<T>,
): void {
  // `self` is typed as the main thread's Window here; say what a Worker has.
  const scope = self as unknown as {
    onmessage: ((event: MessageEvent<Request>) => void) | null;
    postMessage(message: Reply<T>): void;
  };
  const reply = (value: T) =>
    scope.postMessage(value === undefined ? { ok: true } : { ok: true, value });
  const fail = (error: unknown) =>
    scope.postMessage({ ok: false, error: String((error as Error)?.stack) });
  scope.onmessage = ({ data }) => {
    try {
      const answer = handle(data);
      if (answer instanceof Promise) answer.then(reply).catch(fail);
      else reply(answer);
    } catch (error) {
      fail(error);
    }
  };
}

// Tests of the executor core's rules against a fake lane: every decision a
// pool makes, without Workers or processes. The fake runs its line in order
// as a real worker does; a test says when it is ready, when it answers and
// when it dies.

import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { type CoreOptions, ExecutorCore, type TaskSettings } from "./_core.ts";
import {
  ABORTED,
  type Lane,
  type LaneEvents,
  type LaneKind,
  MAX_DEPTH,
  TIMED_OUT,
} from "./_lane.ts";
import { CALL, OK, SKIPPED, toWire } from "./_wire.ts";
import { BrokenPoolError, WorkerCrashedError } from "./errors.ts";

class FakeLane implements Lane<string> {
  readonly events: LaneEvents;
  /** Requests sent and not answered, in order: [id, payload]. */
  readonly unanswered: [number, string][] = [];
  readonly taken = new Set<number>();
  readonly stopped: [number, number][] = [];
  sent = 0;
  mostInFlight = 0;
  isReady = false;
  alive = true;
  ended = false;
  closed = false;
  /** Answers every request as soon as it is sent (after a microtask). */
  autoAnswer: boolean;
  /** Answers every request inside send(), before it returns. */
  answerInSend = false;
  /** What stop() answers: whether the lane ends (a process) or not. */
  endsOnStop = true;

  constructor(events: LaneEvents, autoAnswer: boolean) {
    this.events = events;
    this.autoAnswer = autoAnswer;
  }

  send(id: number, payload: string): void {
    this.unanswered.push([id, payload]);
    this.sent++;
    this.mostInFlight = Math.max(this.mostInFlight, this.unanswered.length);
    if (this.answerInSend) this.answerAll();
    else if (this.autoAnswer) queueMicrotask(() => this.answerAll());
  }

  /** A real worker has started its head once it is ready. */
  #started(id: number): boolean {
    return this.isReady && this.unanswered[0]?.[0] === id;
  }

  takeBack(id: number): boolean {
    if (!this.unanswered.some(([each]) => each === id)) return false;
    if (this.#started(id)) return false;
    this.taken.add(id);
    return true;
  }

  stop(id: number, how: number): boolean {
    this.stopped.push([id, how]);
    return this.endsOnStop;
  }

  end(): void {
    this.ended = true;
    if (this.unanswered.length === 0) this.exit(0);
  }

  close(): void {
    this.closed = true;
    this.exit(0);
  }

  terminate(): void {
    this.exit(1);
  }

  ready(): void {
    this.isReady = true;
    this.events.ready();
  }

  /** Answers the head of the line with `value` (SKIPPED if taken back). */
  answer(value: unknown = "done"): number {
    if (!this.isReady) this.ready();
    const [id, payload] = this.unanswered.shift()!;
    if (this.taken.has(id)) this.events.answered(id, SKIPPED, undefined);
    else this.events.answered(id, OK, value ?? payload);
    if (this.ended && this.unanswered.length === 0) this.exit(0);
    return id;
  }

  answerAll(): void {
    while (this.alive && this.unanswered.length > 0) this.answer(null);
  }

  exit(code: number, ready = this.isReady, error?: unknown): void {
    if (!this.alive) return;
    this.alive = false;
    this.events.exited({ code, why: "", ready, error });
  }
}

class FakeKind implements LaneKind<string> {
  readonly noun = "fake";
  readonly lanes: FakeLane[] = [];
  autoAnswer = false;
  answerInSend = false;

  prepare(_where: string, request: { args: unknown[] }): string {
    return String(request.args[0]);
  }

  resendable(): boolean {
    return true;
  }

  start(events: LaneEvents): FakeLane {
    const lane = new FakeLane(events, this.autoAnswer);
    lane.answerInSend = this.answerInSend;
    this.lanes.push(lane);
    return lane;
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

const DEFAULTS: CoreOptions = {
  maxWorkers: 1,
  minWorkers: 0,
  idleTimeout: Infinity,
  maxTasksPerWorker: Infinity,
  maxQueue: Infinity,
};
const NO_LIMIT: TaskSettings = { timeout: Infinity, signal: undefined };

function setup(options: Partial<CoreOptions> = {}, autoAnswer = false) {
  const kind = new FakeKind();
  kind.autoAnswer = autoAnswer;
  const core = new ExecutorCore(kind, { ...DEFAULTS, ...options });
  const submit = (value: unknown, settings = NO_LIMIT) =>
    core.submit(CALL, "task", [value], settings, [], "Cannot submit").future;
  return { kind, core, submit };
}

Deno.test("core: a worker starts on demand and runs its line in order", async () => {
  const { kind, submit } = setup();
  const futures = [submit("a"), submit("b"), submit("c")];
  strictEqual(kind.lanes.length, 1);
  const lane = kind.lanes[0]!;
  // Two in flight for tasks of unknown length: one running, one behind it.
  deepStrictEqual(lane.unanswered.map(([, p]) => p), ["a", "b"]);
  ok(futures[0]!.running);
  ok(!futures[1]!.running);
  lane.answer("A");
  deepStrictEqual(lane.unanswered.map(([, p]) => p), ["b", "c"]);
  ok(futures[1]!.running);
  lane.answer("B");
  lane.answer("C");
  deepStrictEqual(await Promise.all(futures), ["A", "B", "C"]);
});

Deno.test("core: workers grow to maxWorkers before tasks queue behind a busy one", () => {
  const { kind, submit } = setup({ maxWorkers: 3 });
  for (let i = 0; i < 3; i++) submit(i);
  strictEqual(kind.lanes.length, 3);
  deepStrictEqual(kind.lanes.map((lane) => lane.sent), [1, 1, 1]);
  for (let i = 0; i < 3; i++) submit(i);
  strictEqual(kind.lanes.length, 3);
  for (const lane of kind.lanes) lane.terminate();
});

Deno.test("core: a worker that goes idle takes the oldest task waiting behind another's running one, if that lane gives it back", async () => {
  const { kind, submit } = setup({ maxWorkers: 2 });
  const futures = ["a", "b", "c", "d"].map((each) => submit(each));
  const [first, second] = kind.lanes as [FakeLane, FakeLane];
  for (const lane of kind.lanes) lane.ready();
  deepStrictEqual(first.unanswered.map(([, p]) => p), ["a", "c"]);
  deepStrictEqual(second.unanswered.map(([, p]) => p), ["b", "d"]);
  second.answer(); // b; d runs there now
  second.answer(); // d: the second worker is idle, "a" still runs
  // "c" was taken back from the first worker and sent to the second.
  ok(first.taken.has(first.unanswered[1]![0]));
  deepStrictEqual(second.unanswered.map(([, p]) => p), ["c"]);
  ok(futures[2]!.running);
  second.answer("C");
  strictEqual(await futures[2], "C");
  first.answer("A");
  first.answer(); // the first worker skips the "c" it no longer has
  deepStrictEqual(await Promise.all(futures), ["A", "done", "C", "done"]);
  for (const lane of kind.lanes) lane.terminate();
});

Deno.test("core: the line grows for tiny tasks, up to MAX_DEPTH", async () => {
  const { kind, submit } = setup({}, true);
  const futures = [];
  for (let i = 0; i < 2000; i++) futures.push(submit(i));
  const results = await Promise.all(futures);
  deepStrictEqual(results, futures.map((_, i) => String(i)));
  const lane = kind.lanes[0]!;
  ok(lane.mostInFlight > 2, `most in flight: ${lane.mostInFlight}`);
  ok(lane.mostInFlight <= MAX_DEPTH);
});

Deno.test("core: an answer that comes before send() returns settles its task", async () => {
  const { kind, submit } = setup({ maxWorkers: 2 });
  kind.answerInSend = true;
  const futures = [];
  for (let i = 0; i < 100; i++) futures.push(submit(i));
  deepStrictEqual(
    await Promise.all(futures),
    futures.map((_, i) => String(i)),
  );
  for (const lane of kind.lanes) {
    strictEqual(lane.unanswered.length, 0);
    lane.terminate();
  }
});

Deno.test("core: a worker is retired after maxTasksPerWorker tasks and replaced", async () => {
  const { kind, submit } = setup({ maxTasksPerWorker: 2 }, true);
  const futures = [];
  for (let i = 0; i < 5; i++) futures.push(submit(i));
  deepStrictEqual(await Promise.all(futures), ["0", "1", "2", "3", "4"]);
  deepStrictEqual(kind.lanes.map((lane) => lane.sent), [2, 2, 1]);
  deepStrictEqual(kind.lanes.map((lane) => lane.ended), [true, true, false]);
  kind.lanes[2]!.terminate();
});

Deno.test("core: an idle worker beyond minWorkers ends after idleTimeout", async () => {
  const { kind, core, submit } = setup({
    maxWorkers: 2,
    minWorkers: 1,
    idleTimeout: 10,
  });
  strictEqual(kind.lanes.length, 1);
  const a = submit("a");
  const b = submit("b");
  strictEqual(kind.lanes.length, 2);
  kind.lanes[0]!.answer();
  kind.lanes[1]!.answer();
  await Promise.all([a, b]);
  await delay(60);
  // One of the two ends; minWorkers stays.
  deepStrictEqual(kind.lanes.map((lane) => lane.ended).sort(), [false, true]);
  strictEqual(core.workers, 1);
  await core.close();
});

Deno.test("core: a worker that dies settles its running task and sends the rest elsewhere", async () => {
  const { kind, submit } = setup();
  const running = submit("a");
  const behind = submit("b");
  const first = kind.lanes[0]!;
  first.ready();
  first.exit(1);
  await rejects(running, (error) => {
    ok(error instanceof WorkerCrashedError);
    strictEqual(error.exitCode, 1);
    return true;
  });
  strictEqual(kind.lanes.length, 2);
  const second = kind.lanes[1]!;
  deepStrictEqual(second.unanswered.map(([, p]) => p), ["b"]);
  second.answer("B");
  strictEqual(await behind, "B");
});

Deno.test("core: a worker that ends before it is ready breaks the pool", async () => {
  const { kind, core, submit } = setup();
  const futures = [submit("a"), submit("b"), submit("c")];
  kind.lanes[0]!.exit(1, false, toWire(new Error("no module")));
  for (const future of futures) await rejects(future, BrokenPoolError);
  ok(core.broken instanceof BrokenPoolError);
  strictEqual(kind.lanes.length, 1);
});

Deno.test("core: a task times out from its start, not from its submit", async () => {
  const { kind, submit } = setup();
  const task = submit("a", { timeout: 20, signal: undefined });
  const lane = kind.lanes[0]!;
  // Still loading its module: the clock has not started.
  await delay(60);
  ok(!task.done);
  lane.ready();
  await rejects(task, { name: "TimeoutError" });
  deepStrictEqual(lane.stopped, [[1, TIMED_OUT]]);
  lane.exit(1);
});

Deno.test("core: a stopped task's worker ends; what it had not started goes elsewhere", async () => {
  const { kind, submit } = setup();
  const controller = new AbortController();
  const settings = { timeout: Infinity, signal: controller.signal };
  const running = submit("a", settings);
  const behind = submit("b");
  const first = kind.lanes[0]!;
  first.ready();
  controller.abort(new Error("stop"));
  await rejects(running, { message: "stop" });
  deepStrictEqual(first.stopped, [[1, ABORTED]]);
  // Taken back at once: the worker never started it.
  ok(first.taken.has(2));
  strictEqual(kind.lanes.length, 2);
  kind.lanes[1]!.answer("B");
  strictEqual(await behind, "B");
  first.exit(1);
});

Deno.test("core: abort and cancel of a task that waits drop it before any worker sees it", async () => {
  const { kind, submit } = setup();
  const a = submit("a");
  const b = submit("b");
  const controller = new AbortController();
  const c = submit("c", { timeout: Infinity, signal: controller.signal });
  const d = submit("d");
  controller.abort(new Error("dropped"));
  await rejects(c, { message: "dropped" });
  ok(d.cancel());
  ok(d.cancelled);
  const lane = kind.lanes[0]!;
  lane.answer();
  lane.answer();
  await Promise.all([a, b]);
  strictEqual(lane.sent, 2);
  lane.exit(0);
});

Deno.test("core: a running task cannot be cancelled, one behind it can", async () => {
  const { kind, submit } = setup();
  const a = submit("a");
  const b = submit("b");
  const lane = kind.lanes[0]!;
  lane.ready();
  ok(!a.cancel());
  ok(b.cancel());
  lane.answer("A");
  strictEqual(await a, "A");
  // The worker skips the one taken back.
  lane.answer();
  ok(b.cancelled);
  strictEqual(lane.unanswered.length, 0);
  lane.exit(0);
});

Deno.test("core: close waits for every task, then closes every worker", async () => {
  const { kind, core, submit } = setup({ maxWorkers: 2 });
  const a = submit("a");
  const b = submit("b");
  let closed = false;
  const closing = core.close().then(() => closed = true);
  await delay(10);
  ok(!closed);
  kind.lanes[0]!.answer();
  kind.lanes[1]!.answer();
  await closing;
  deepStrictEqual(await Promise.all([a, b]), ["done", "done"]);
  deepStrictEqual(kind.lanes.map((lane) => lane.closed), [true, true]);
});

/** A kind whose lanes hold one request each and say when it starts (a broker's). */
class BrokerKind extends FakeKind {
  readonly depth = 1;
}

Deno.test("core: a kind with a depth: fixed lines, and a task starts when its lane says", async () => {
  const kind = new BrokerKind();
  const core = new ExecutorCore(kind, { ...DEFAULTS, maxWorkers: 2 });
  const submit = (value: unknown, settings = NO_LIMIT) =>
    core.submit(CALL, "task", [value], settings, [], "Cannot submit").future;
  const timed = submit("a", { timeout: 20, signal: undefined });
  const other = submit("b");
  const waiting = submit("c");
  deepStrictEqual(kind.lanes.map((lane) => lane.sent), [1, 1]);
  strictEqual(core.queued, 1);
  for (const lane of kind.lanes) lane.ready();
  // Sent, not started: not running, and its clock has not started.
  await delay(40);
  ok(!timed.running && !timed.done);
  const [first, second] = kind.lanes as [FakeLane, FakeLane];
  first.events.started(first.unanswered[0]![0]);
  ok(timed.running);
  await rejects(timed, { name: "TimeoutError" });
  first.exit(0);
  // "c" goes to a new lane, since the stopped one ended.
  const third = kind.lanes[2]!;
  deepStrictEqual(third.unanswered.map(([, p]) => p), ["c"]);
  // A lane's own failure error, instead of a WorkerCrashedError.
  second.exit(1, true);
  strictEqual(await other.exception() instanceof WorkerCrashedError, true);
  third.ready();
  const failure = new Error("the broker is away");
  third.alive = false;
  third.events.exited({
    code: 1,
    why: "",
    ready: true,
    failure: () => failure,
  });
  strictEqual(await waiting.exception(), failure);
  for (const each of kind.lanes) each.terminate();
});

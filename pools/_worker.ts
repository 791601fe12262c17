// The loop of a pool's worker (a `node:worker_threads` Worker, started by
// `_transport.ts`): take a request from this worker's own queue, claim it,
// run it, put the outcome on this worker's own response queue and ring the
// pool's bell. Each worker has queues of its own, so a worker that ends in
// the middle of a put can only damage queues that die with it.
//
// A worker leaves (`_life.ts`) when the pool sends STOP, and as soon as it
// can once the pool has retired it because its running task timed out or
// was aborted: before it claims another request, when its event loop gets
// control back (the pool's "retire" message), or when the stopped task
// blocks in one of this module's waits.

import { parentPort, workerData } from "node:worker_threads";
import {
  adoptHeap,
  encode,
  getIdent,
  heap,
  setWaitGuard,
} from "../primitives/_internals.ts";
// All of them, so that any primitive in a task's arguments can be revived.
import { SimpleQueue } from "../primitives/mod.ts";
import { ringBell, spinUntil } from "./_bell.ts";
import { currentTask, isStopped, setCurrentTask } from "./_current_task.ts";
import { beginLife, end } from "./_life.ts";
import { useWorkerGlobals } from "./_worker_globals.ts";
import { TaskTable } from "./_task_table.ts";
import {
  BY_MESSAGE,
  CHUNK,
  FAILED,
  ITEMS,
  OK,
  type Request,
  type Response,
  SKIPPED,
  STOP,
  toWire,
} from "./_wire.ts";
import { fromMessage } from "./_message.ts";
import { CLAIMED, claimIndex, QUEUED } from "./_claim.ts";
import {
  INFO_IDENT,
  INFO_READY,
  INFO_RETIRE,
  type WorkerData,
} from "./_transport.ts";

const data = workerData as WorkerData;
useWorkerGlobals();
adoptHeap(data.heap);
beginLife(data.info);
Atomics.store(data.info, INFO_IDENT, getIdent());

/** Whether the task that runs here now was stopped by the pool. */
function taskStopped(): boolean {
  const task = currentTask();
  return task !== undefined && isStopped(task);
}

// A stopped task that blocks in a wait of this module gives control back
// to the module: that is where its thread can end.
setWaitGuard(() => {
  if (taskStopped()) end(1);
});

// Arguments that came by postMessage (BY_MESSAGE), by task id, and the
// tasks that wait for theirs.
const messages = new Map<number, unknown>();
const awaiting = new Map<number, (args: unknown) => void>();
function onMessage(
  message: { id: number; args: unknown } | { retire: true },
): void {
  if ("retire" in message) {
    // The event loop has control: the stopped task is not computing.
    if (currentTask() === undefined || taskStopped()) end(0);
    return;
  }
  const { id, args } = message;
  const take = awaiting.get(id);
  if (take === undefined) messages.set(id, args);
  else {
    awaiting.delete(id);
    take(args);
  }
}
parentPort!.on("message", onMessage);

/** The claim word of each place in the line, made once. */
const taskWords = Array.from(
  data.claims,
  (_, index) => ({ view: data.claims, index }),
);
/** Requests taken so far: the n-th uses claim word claimIndex(n). */
let taken = 0;

const requests = SimpleQueue.from<Request | typeof STOP>(data.requests);
const responses = SimpleQueue.from<Response>(data.responses);
const tasks = await TaskTable.load(data.module);

function messageOf(id: number): Promise<unknown> | unknown {
  if (messages.has(id)) {
    const args = messages.get(id);
    messages.delete(id);
    return args;
  }
  return new Promise((resolve) => awaiting.set(id, resolve));
}

function respond(
  id: number,
  status: number,
  value: unknown,
  target: string,
): void {
  try {
    responses.put([id, status, value]);
  } catch (original) {
    // What it returned or threw cannot cross (a function, a symbol): fail
    // the task with an error that says so, and which task it was.
    const what = status === OK ? "the result of" : "what was thrown by";
    let error = original;
    try {
      encode(
        value,
        heap(),
        `Cannot send ${what} task ${tasks.nameOf(target)}`,
      );
    } catch (thrown) {
      error = thrown;
    }
    responses.put([id, FAILED, toWire(error)]);
  }
  ringBell(data.bell);
}

/**
 * Runs a request and answers it; a promise only when the task (or its
 * arguments) must be awaited, so that a tiny sync task costs no turn.
 */
function runRequest(request: Request): Promise<void> | undefined {
  const [id, kind, target] = request;
  try {
    if (kind & BY_MESSAGE) return runAwaited(request);
    const args = request[3] as unknown[];
    if ((kind & CHUNK) !== 0) return runChunk(id, kind, target, args);
    const value = tasks.run(target, args);
    if (value instanceof Promise) return settle(id, target, value);
    respond(id, OK, value, target);
  } catch (error) {
    respond(id, FAILED, toWire(tasks.hinted(error, target)), target);
  }
  return undefined;
}

async function settle(
  id: number,
  target: string,
  value: Promise<unknown>,
): Promise<void> {
  try {
    respond(id, OK, await value, target);
  } catch (error) {
    respond(id, FAILED, toWire(tasks.hinted(error, target)), target);
  }
}

async function runChunk(
  id: number,
  kind: number,
  target: string,
  list: unknown[],
): Promise<void> {
  try {
    const items = (kind & ITEMS) !== 0;
    respond(id, OK, await tasks.runEach(target, list, items), target);
  } catch (error) {
    respond(id, FAILED, toWire(tasks.hinted(error, target)), target);
  }
}

/** A request whose arguments come by postMessage. */
async function runAwaited(request: Request): Promise<void> {
  const [id, kind, target] = request;
  try {
    let sent = messageOf(id);
    if (sent instanceof Promise) sent = await sent;
    const args = fromMessage(sent) as unknown[];
    if ((kind & CHUNK) !== 0) {
      return await runChunk(id, kind, target, args);
    }
    let value = tasks.run(target, args);
    if (value instanceof Promise) value = await value;
    respond(id, OK, value, target);
  } catch (error) {
    respond(id, FAILED, toWire(tasks.hinted(error, target)), target);
  }
}

if (data.initializer !== undefined) {
  const { target, args } = data.initializer;
  await tasks.run(target, fromMessage(args) as unknown[]);
}
Atomics.store(data.info, INFO_READY, 1);
// Messages posted before a worker listens are lost (Deno 2.9.6): the pool
// holds them until it hears this, and starts the clock of a task then.
parentPort!.postMessage("ready");

for (;;) {
  if (requests.qsize() === 0) spinUntil(() => requests.qsize() !== 0);
  const request = requests.qsize() !== 0
    ? requests.getNowait()
    : await requests.get();
  // A retired worker claims nothing more: the pool takes back what it sent.
  if (request === STOP || Atomics.load(data.info, INFO_RETIRE) !== 0) break;
  const [id, kind] = request;
  const claim = claimIndex(taken++);
  // The pool may cancel a task until the worker claims it.
  if (
    Atomics.compareExchange(data.claims, claim, QUEUED, CLAIMED) !== QUEUED
  ) {
    if (kind & BY_MESSAGE) messageOf(id); // drop its arguments when they come
    respond(id, SKIPPED, undefined, "");
    continue;
  }
  setCurrentTask(taskWords[claim]);
  const running = runRequest(request);
  if (running !== undefined) await running;
  setCurrentTask(undefined);
}
end(0);

// The loop of a process pool's child (`deno run` of this file, started by
// `_process_lane.ts`): read the setup from stdin, load the module, run the
// initializer, then run requests strictly in the order they come, one at a
// time, and answer each on stderr (`_process_wire.ts`). It blocks in a
// synchronous read only when it has nothing to do, which is what makes a
// round trip cost tens of microseconds and not hundreds; answers wait at
// most ANSWER_DELAY_MS to go out together. End of input (the pool shuts
// down, retires this child, or is gone) ends the child.

import {
  adoptHeap,
  adoptIdent,
  encode,
  heap,
  needsV8,
  V8NotLoaded,
} from "../primitives/_codec_internals.ts";
import { TaskTable } from "./_task_table.ts";
import { concatBytes } from "../internal/bytes.ts";
import { setProcessName } from "./_process_name.ts";
import {
  ANSWER,
  chunks,
  decodeMessage,
  encodeMessage,
  FAILED_TO_START,
  GO,
  MessageReader,
  type ProcessSetup,
  READY,
  SKIP,
  typed,
} from "./_process_wire.ts";
import {
  CHUNK,
  FAILED,
  hasHandles,
  ITEMS,
  OK,
  type Request,
  revived,
  SKIPPED,
  toWire,
} from "./_wire.ts";

/** How long an answer may wait for others to go out with it. */
const ANSWER_DELAY_MS = 0.05;

const stdin = Deno.stdin;
const readInput = stdin.readSync.bind(stdin);
// The pool's messages are not the task's to read: stdin ends at once for it.
for (const name of ["read", "readSync"] as const) {
  Object.defineProperty(stdin, name, {
    value: name === "read" ? () => Promise.resolve(null) : () => null,
  });
}

let outbox: Uint8Array[] = [];
/** When the oldest answer in the outbox was made (performance.now()). */
let oldest = 0;
let magic = new Uint8Array(0);

const input = new MessageReader();
let inputEnded = false;

/**
 * Loads node:v8 for the codec, the first time an item is not plain data:
 * a child that never meets one starts about 7 ms sooner without it.
 */
async function loadV8(): Promise<void> {
  await import("../primitives/_codec_clone.ts");
}

/** The next message, reading (and blocking) for it if `wait`. */
async function nextMessage(wait: boolean): Promise<unknown> {
  for (;;) {
    const body = input.next();
    if (body !== undefined) {
      // Nothing is read while it loads: the body stays where it is.
      if (needsV8(body[0]!)) await loadV8();
      return decodeMessage(body);
    }
    if (inputEnded || !wait) return undefined;
    flush();
    if (!input.fill(readInput)) {
      inputEnded = true;
      return undefined;
    }
  }
}

const setup = await nextMessage(true) as ProcessSetup | undefined;
if (setup === undefined) Deno.exit(0);
magic = new Uint8Array(setup.magic);
setProcessName(setup.name);
// Before anything takes a thread id: ids come from the heap's counter.
if (setup.heap !== undefined) adoptHeap(setup.heap);
if (setup.ident !== undefined) adoptIdent(setup.ident);

function send(message: Uint8Array): void {
  if (outbox.length === 0) oldest = performance.now();
  outbox.push(message);
}

function flush(): void {
  if (outbox.length === 0) return;
  const bytes = concatBytes(outbox);
  outbox = [];
  for (const chunk of chunks(magic, bytes)) Deno.stderr.writeSync(chunk);
}

let tasks: TaskTable;
try {
  tasks = await TaskTable.load(setup.module);
  if (setup.initializer !== undefined) {
    const { target, args } = setup.initializer;
    await tasks.run(target, await revived(args));
  }
} catch (error) {
  await loadV8(); // what the error carries may need it
  send(typed(FAILED_TO_START, failure(withPermissionHint(error))));
  flush();
  Deno.exit(1);
}
send(typed(READY));
flush();

/**
 * Adds to an error for a missing permission (Deno's own "Requires read
 * access to ...", a NotCapable error, or a TypeError from an import) how a
 * process gets it: a grant given in part cannot be read back, so it is not
 * passed on.
 */
function withPermissionHint(error: unknown): unknown {
  if (error instanceof Error && /Requires \w+ access/.test(error.message)) {
    error.message +=
      '; a process has each permission its program was granted in full, and none granted in part (such as --allow-read=<dir>): give it with the `permissions` option (for example { read: ["<dir>"] })';
  }
  return error;
}

/** An error's parts, as a message payload; what cannot be encoded, as text. */
function failure(error: unknown): Uint8Array {
  try {
    return encodeMessage(toWire(error), "Cannot send the error");
  } catch {
    return encodeMessage(toWire(new Error(String(error))), "");
  }
}

async function answer(
  id: number,
  status: number,
  value: unknown,
  target: string,
): Promise<void> {
  let message: Uint8Array;
  try {
    message = answerMessage(id, status, value, target);
  } catch (error) {
    if (!(error instanceof V8NotLoaded)) throw error;
    await loadV8();
    message = answerMessage(id, status, value, target);
  }
  send(message);
}

/** An answer, encoded; V8NotLoaded if it needs node:v8 first. */
function answerMessage(
  id: number,
  status: number,
  value: unknown,
  target: string,
): Uint8Array {
  try {
    return typed(ANSWER, encodeMessage([id, status, value], ""));
  } catch (refused) {
    if (refused instanceof V8NotLoaded) throw refused;
    // What it returned or threw cannot cross (a function, a symbol): fail
    // the task with an error that says so, and which task it was.
    const what = status === OK ? "the result of" : "what was thrown by";
    let error: unknown;
    try {
      encode(value, heap(), `Cannot send ${what} task ${tasks.nameOf(target)}`);
      error = new TypeError(
        `Cannot send ${what} task ${
          tasks.nameOf(target)
        }: the primitives of this module go to a process as arguments, and do not come back in results yet`,
      );
    } catch (thrown) {
      error = thrown;
    }
    return typed(ANSWER, encodeMessage([id, FAILED, toWire(error)], ""));
  }
}

/** Requests read and not yet run, and the ids the pool asked to skip. */
const waiting: Request[] = [];
const skipped = new Set<number>();

/** Files a request, or an order to skip one; whether it was GO. */
function file(message: Request | [number, number]): boolean {
  if (message[1] === GO) return true;
  if (message[1] === SKIP) skipped.add(message[0]);
  else waiting.push(message as Request);
  return false;
}

/**
 * Takes in every message already read; with `wait` and nothing to run, it
 * first blocks until one comes.
 */
async function takeIn(wait: boolean): Promise<void> {
  for (;;) {
    const message = await nextMessage(wait && waiting.length === 0) as
      | Request
      | [number, number]
      | undefined;
    if (message === undefined) return;
    file(message);
  }
}

// Nothing runs before GO: the parent learns that this process is ready only
// when READY arrives, and until then it stops a task by asking to skip it.
for (let go = false; !go;) {
  const message = await nextMessage(true) as
    | Request
    | [number, number]
    | undefined;
  if (message === undefined) break; // the pool ended: nothing will run
  go = file(message);
}

for (;;) {
  await takeIn(true);
  const request = waiting.shift();
  if (request === undefined) break;
  const [id, kind, target, given] = request;
  if (skipped.delete(id)) {
    await answer(id, SKIPPED, undefined, target);
    continue;
  }
  if (outbox.length > 0 && performance.now() - oldest > ANSWER_DELAY_MS) {
    flush();
  }
  try {
    const args = hasHandles(given) ? await revived(given) : given;
    let value = (kind & CHUNK) !== 0
      ? tasks.runEach(target, args as unknown[], (kind & ITEMS) !== 0)
      : tasks.run(target, args as unknown[]);
    if (value instanceof Promise) {
      // While it runs, the answers before it should not wait.
      flush();
      value = await value;
    }
    await answer(id, OK, value, target);
  } catch (error) {
    const hinted = withPermissionHint(tasks.hinted(error, target));
    await answer(id, FAILED, toWire(hinted), target);
  }
}
flush();
Deno.exit(0);

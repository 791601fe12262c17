// What the processes and threads of python_suite_test.ts run: the child
// halves (the classmethods) of CPython's Lib/test/_test_multiprocessing.py,
// on Manager proxies. A failed check throws, so a process ends with a
// non-zero exit code and a pool task rejects.

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  type ArrayProxy,
  type BarrierProxy,
  BrokenBarrierError,
  type ConditionProxy,
  type DictProxy,
  type EventProxy,
  type ListProxy,
  type LockProxy,
  Manager,
  type NamespaceProxy,
  type QueueProxy,
  type SemaphoreProxy,
  type TcpAddress,
  type UnixAddress,
  type ValueProxy,
} from "../../mod.ts";

/** The longest any wait here may take: a bound against hangs, not a timing. */
export const BOUND = 20_000;

/** The parties of the barrier tests (CPython's `_TestBarrier.N`). */
export const N = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// _TestQueue

/** `_test_put`: takes the six items once the parent says so. */
export async function queueGetSix(
  queue: QueueProxy<number>,
  childCanStart: EventProxy,
  parentCanContinue: EventProxy,
): Promise<void> {
  ok(await childCanStart.wait({ timeout: BOUND }));
  for (let i = 0; i < 6; i++) await queue.get({ timeout: BOUND });
  await parentCanContinue.set();
}

/** `_test_get`: puts 2, 3, 4 and 5 once the parent says so. */
export async function queuePutFour(
  queue: QueueProxy<number>,
  childCanStart: EventProxy,
  parentCanContinue: EventProxy,
): Promise<void> {
  ok(await childCanStart.wait({ timeout: BOUND }));
  for (const item of [2, 3, 4, 5]) await queue.put(item);
  await parentCanContinue.set();
}

/** `_test_fork`: puts 10 to 19. */
export async function queuePutTen(queue: QueueProxy<number>): Promise<void> {
  for (let i = 10; i < 20; i++) await queue.put(i);
}

/** `_test_task_done`: marks each item done until a null. */
export async function queueTaskDone(queue: QueueProxy): Promise<void> {
  while (await queue.get({ timeout: BOUND }) !== null) {
    await sleep(10);
    await queue.taskDone();
  }
}

/** `_join_worker`: waits until every item put is done. */
export async function queueJoin(queue: QueueProxy): Promise<void> {
  ok(await queue.join({ timeout: BOUND }), "the queue was joined");
}

/** `ProcessFuture.run(q.put, "data")`. */
export async function queuePut(
  queue: QueueProxy,
  item: unknown,
): Promise<void> {
  await queue.put(item, { timeout: BOUND });
}

/** `ProcessFuture.run(q.get)`. */
export function queueGet(queue: QueueProxy): Promise<unknown> {
  return queue.get({ timeout: BOUND });
}

// _TestCondition

/**
 * `_TestCondition.f`: takes the condition, says it sleeps, waits
 * (`timeout` ms, or up to the bound), then says it woke.
 */
export async function conditionSleeper(
  cond: ConditionProxy,
  sleeping: SemaphoreProxy,
  woken: SemaphoreProxy,
  timeout: number = BOUND,
): Promise<void> {
  await cond.acquire();
  await sleeping.release();
  await cond.wait({ timeout });
  await woken.release();
  await cond.release();
}

/** `_test_waitfor_f`: sets 0, then waits until the parent counts to 4. */
export async function conditionWaitForFour(
  cond: ConditionProxy,
  state: ValueProxy<number>,
): Promise<void> {
  await using _held = await cond.hold({ timeout: BOUND });
  await state.set(0);
  await cond.notify();
  const result = await cond.waitFor(async () => await state.get() === 4, {
    timeout: BOUND,
  });
  ok(result, "wait_for saw state 4");
  strictEqual(await state.get(), 4);
}

/** `_test_waitfor_timeout_f`: a wait_for that times out sets `success`. */
export async function conditionWaitForTimeout(
  cond: ConditionProxy,
  state: ValueProxy<number>,
  success: ValueProxy<boolean>,
  sem: SemaphoreProxy,
): Promise<void> {
  await sem.release();
  await using _held = await cond.hold({ timeout: BOUND });
  const result = await cond.waitFor(async () => await state.get() === 4, {
    timeout: 100,
  });
  if (!result) await success.set(true);
}

/** `_test_wait_result`: notifies once. */
export async function conditionNotify(cond: ConditionProxy): Promise<void> {
  await using _held = await cond.hold({ timeout: BOUND });
  await cond.notify();
}

// _TestEvent

/** `_test_event`: sets the event after a while. */
export async function eventSetLater(event: EventProxy): Promise<void> {
  await sleep(100);
  await event.set();
}

// _TestBarrier: each runs in N - 1 processes and in the main thread.

/** `multipass`: the parties pass in lockstep `n` times. */
export async function barrierMultipass(
  barrier: BarrierProxy,
  results: [ListProxy<boolean>, ListProxy<boolean>],
  n: number,
): Promise<void> {
  const m = await barrier.parties();
  strictEqual(m, N);
  for (let i = 0; i < n; i++) {
    await results[0].append(true);
    strictEqual(await results[1].length(), i * m);
    await barrier.wait({ timeout: BOUND });
    await results[1].append(true);
    strictEqual(await results[0].length(), (i + 1) * m);
    await barrier.wait({ timeout: BOUND });
  }
  strictEqual(await barrier.nWaiting(), 0);
  strictEqual(await barrier.broken(), false);
}

/** `_test_wait_return_f`: puts what `wait` returned. */
export async function barrierWaitReturn(
  barrier: BarrierProxy,
  queue: QueueProxy<number>,
): Promise<void> {
  await queue.put(await barrier.wait({ timeout: BOUND }));
}

/** `_test_abort_f`: the middle party aborts the second round. */
export async function barrierAbort(
  barrier: BarrierProxy,
  results1: ListProxy<boolean>,
  results2: ListProxy<boolean>,
): Promise<void> {
  try {
    const i = await barrier.wait({ timeout: BOUND });
    if (i === Math.floor(N / 2)) {
      await barrier.abort();
      return;
    }
    await barrier.wait({ timeout: BOUND });
    await results1.append(true);
  } catch (error) {
    if (!(error instanceof BrokenBarrierError)) throw error;
    await results2.append(true);
  }
}

/** `_test_reset_f`: the middle party resets the second round. */
export async function barrierReset(
  barrier: BarrierProxy,
  results1: ListProxy<boolean>,
  results2: ListProxy<boolean>,
  results3: ListProxy<boolean>,
): Promise<void> {
  const i = await barrier.wait({ timeout: BOUND });
  if (i === Math.floor(N / 2)) {
    // Wait until the other parties are all in the barrier.
    const end = performance.now() + BOUND;
    while (await barrier.nWaiting() < N - 1) {
      if (performance.now() > end) throw new Error("the parties never came");
      await sleep(1);
    }
    await barrier.reset();
  } else {
    try {
      await barrier.wait({ timeout: BOUND });
      await results1.append(true);
    } catch (error) {
      if (!(error instanceof BrokenBarrierError)) throw error;
      await results2.append(true);
    }
  }
  // Now, pass the barrier again.
  await barrier.wait({ timeout: BOUND });
  await results3.append(true);
}

/** `_test_abort_and_reset_f`: aborted, then reset, then passed again. */
export async function barrierAbortAndReset(
  barrier: BarrierProxy,
  barrier2: BarrierProxy,
  results1: ListProxy<boolean>,
  results2: ListProxy<boolean>,
  results3: ListProxy<boolean>,
): Promise<void> {
  try {
    const i = await barrier.wait({ timeout: BOUND });
    if (i === Math.floor(N / 2)) {
      await barrier.abort();
    } else {
      await barrier.wait({ timeout: BOUND });
      await results1.append(true);
    }
  } catch (error) {
    if (!(error instanceof BrokenBarrierError)) throw error;
    await results2.append(true);
  }
  // Synchronize and reset the barrier. Must synchronize first so that
  // everyone has left it when we reset, and after so that no one enters it
  // before the reset.
  if (await barrier2.wait({ timeout: BOUND }) === Math.floor(N / 2)) {
    await barrier.reset();
  }
  await barrier2.wait({ timeout: BOUND });
  await barrier.wait({ timeout: BOUND });
  await results3.append(true);
}

/** `_test_timeout_f`: one party is late, and the others' waits time out. */
export async function barrierTimeout(
  barrier: BarrierProxy,
  results: ListProxy<boolean>,
): Promise<void> {
  const i = await barrier.wait({ timeout: BOUND });
  if (i === Math.floor(N / 2)) {
    // One party is late!
    await sleep(1000);
  }
  try {
    await barrier.wait({ timeout: 500 });
  } catch (error) {
    if (!(error instanceof BrokenBarrierError)) throw error;
    await results.append(true);
  }
}

/**
 * `_test_default_timeout_f`: one party is later than the barrier's default
 * timeout, so the others' second waits (with no timeout of their own) break
 * it.
 */
export async function barrierDefaultTimeout(
  barrier: BarrierProxy,
  results: ListProxy<boolean>,
): Promise<void> {
  const i = await barrier.wait({ timeout: BOUND });
  if (i === Math.floor(N / 2)) await sleep(1000);
  try {
    await barrier.wait();
  } catch (error) {
    if (!(error instanceof BrokenBarrierError)) throw error;
    await results.append(true);
  }
}

// TestSyncManagerTypes: each checks, then changes, what the parent made.

/** `_test_event`. */
export async function syncEvent(obj: EventProxy): Promise<void> {
  strictEqual(await obj.isSet(), true);
  strictEqual(await obj.wait({ timeout: BOUND }), true);
  await obj.clear();
  strictEqual(await obj.wait({ timeout: 1 }), false);
}

/** `_test_lock`: acquires, and ends holding it. */
export async function syncLock(obj: LockProxy): Promise<void> {
  strictEqual(await obj.acquire({ timeout: BOUND }), true);
  strictEqual(await obj.locked(), true);
}

/** `_test_rlock`. */
export async function syncRLock(obj: LockProxy): Promise<void> {
  strictEqual(await obj.acquire({ timeout: BOUND }), true);
  await obj.release();
  strictEqual(await obj.locked(), false);
}

/** `_test_semaphore`: takes a permit, and ends. */
export async function syncSemaphore(obj: SemaphoreProxy): Promise<void> {
  strictEqual(await obj.acquire({ timeout: BOUND }), true);
}

/** `_test_condition`. */
export async function syncCondition(obj: ConditionProxy): Promise<void> {
  strictEqual(await obj.acquire({ timeout: BOUND }), true);
  await obj.release();
}

/** `_test_barrier`. */
export async function syncBarrier(obj: BarrierProxy): Promise<void> {
  strictEqual(await obj.parties(), 5);
  await obj.reset();
}

/** `_test_queue`. */
export async function syncQueue(obj: QueueProxy<number>): Promise<void> {
  strictEqual(await obj.qsize(), 2);
  strictEqual(await obj.full(), true);
  strictEqual(await obj.empty(), false);
  strictEqual(await obj.get({ timeout: BOUND }), 5);
  strictEqual(await obj.empty(), false);
  strictEqual(await obj.get({ timeout: BOUND }), 6);
  strictEqual(await obj.empty(), true);
  // What makes it a JoinableQueue too.
  await obj.taskDone();
  await obj.taskDone();
  strictEqual(await obj.join({ timeout: BOUND }), true);
}

/** `_test_list` (`obj += [7]` is `extend`; `obj * 2` is done on a copy). */
export async function syncList(obj: ListProxy<number>): Promise<void> {
  strictEqual(await obj.at(0), 5);
  strictEqual(await obj.count(5), 1);
  strictEqual(await obj.indexOf(5), 0);
  await obj.extend([7]);
  deepStrictEqual(await obj.toArray(), [5, 7]);
  await obj.extend(await obj.toArray()); // obj *= 2
  deepStrictEqual(await obj.toArray(), [5, 7, 5, 7]);
  const copy = await obj.slice();
  const double = [...copy, ...copy];
  deepStrictEqual(double, [5, 7, 5, 7, 5, 7, 5, 7]);
  await obj.extend([...double, ...copy]);
  await obj.sort();
  await obj.reverse();
  strictEqual(await obj.length(), 16);
  strictEqual(await obj.pop(0), 7);
  await obj.clear();
  strictEqual(await obj.length(), 0);
}

/** `_test_dict` (`obj |= {...}` is `update`). */
export async function syncDict(obj: DictProxy<string, number>): Promise<void> {
  strictEqual(await obj.size(), 1);
  strictEqual(await obj.get("foo"), 5);
  deepStrictEqual(await obj.entries(), [["foo", 5]]);
  deepStrictEqual(await obj.keys(), ["foo"]);
  deepStrictEqual(await obj.values(), [5]);
  deepStrictEqual(await obj.toMap(), new Map([["foo", 5]]));
  await obj.update({ bar: 6 });
  deepStrictEqual(await obj.toMap(), new Map([["foo", 5], ["bar", 6]]));
  deepStrictEqual((await obj.keys()).reverse(), ["bar", "foo"]);
  deepStrictEqual(await obj.popItem(), ["bar", 6]);
  strictEqual(await obj.setDefault("bar", 0), 0);
  await obj.update([["bar", 7]]);
  strictEqual(await obj.pop("bar"), 7);
  await obj.clear();
  strictEqual(await obj.size(), 0);
}

/** `_test_value`. */
export async function syncValue(obj: ValueProxy<number>): Promise<void> {
  strictEqual(await obj.get(), 1);
  await obj.set(2);
}

/** `_test_array`. */
export async function syncArray(obj: ArrayProxy<number>): Promise<void> {
  strictEqual(await obj.get(0), 0);
  strictEqual(await obj.get(1), 1);
  strictEqual(await obj.length(), 2);
  deepStrictEqual(await obj.toArray(), [0, 1]);
}

/** `_test_namespace`. */
export async function syncNamespace(obj: NamespaceProxy): Promise<void> {
  strictEqual(await obj.get("x"), 0);
  strictEqual(await obj.get("y"), 1);
}

// _TestRemoteManager and _TestManagerRestart

/** `_TestRemoteManager.values`: what travels through a remote queue. */
export const REMOTE_VALUES: readonly unknown[] = [
  "hello world",
  null,
  true,
  2.25,
  "hall\xe5 v\xe4rlden",
  "\u043f\u0440\u0438\u0432\u0456\u0442 \u0441\u0432\u0456\u0442",
  new TextEncoder().encode("hall\xe5 v\xe4rlden"),
];

/**
 * `_putter`: connects to the Manager by its address and key (no proxy
 * travels), and puts `item` on the queue shared as "queue".
 */
export async function remotePutter(
  address: TcpAddress | UnixAddress,
  authkey: Uint8Array,
  item: unknown,
): Promise<void> {
  await using manager = await Manager.connect({ address, authkey });
  const queue = await manager.get("queue") as QueueProxy;
  await queue.put(item);
}

// lock_tests.py

/** `acquire(False)` in another thread. */
export function tryAcquire(lock: LockProxy): Promise<boolean> {
  return lock.tryAcquire();
}

/** `release()` in another thread. */
export async function release(lock: LockProxy): Promise<void> {
  await lock.release();
}

/** `acquire()` in another thread, which ends holding it. */
export function acquire(lock: LockProxy): Promise<boolean> {
  return lock.acquire({ timeout: BOUND });
}

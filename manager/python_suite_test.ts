// CPython's test suite for a Manager, ported: the cases of
// Lib/test/_test_multiprocessing.py that run with TYPE = 'manager' (the
// WithManagerTest* classes: _TestQueue, _TestLock, _TestSemaphore,
// _TestCondition, _TestEvent, _TestBarrier, _TestContainers, _TestMyManager,
// _TestRemoteManager, _TestManagerRestart) and TestSyncManagerTypes, plus
// the cases of Lib/test/lock_tests.py (LockTests, RLockTests,
// BoundedSemaphoreTests, ConditionTests) that make sense for a Manager's
// locks. Each test's name gives the CPython class and test it comes from.
// The child halves (CPython's classmethods) are in
// testdata/python_suite_tasks.ts, run by real processes (Process,
// ProcessPool for CPython's ProcessFuture), threads (Thread) and pool
// threads (ThreadPool) against a Manager served from a child process; the
// single-process cases use `serveInProcess`. A task that fails a check
// throws: a process's exit code, a pool task's future, or (for a thread)
// what the test sees next says so.
//
// Adapted to this library (README, "The Manager"; ARCHITECTURE.md): methods
// are async and named as here (`getNowait`, `taskDone`, `notifyAll`,
// `nWaiting`, `setDefault`, `indexOf`); Python's `block=False` is
// `putNowait` / `getNowait` / `tryAcquire`; timeouts are `{ timeout }` in
// milliseconds; Python's RuntimeError and ValueError for a release too many
// are RangeErrors; values are copies; a Queue is joinable (Python's
// JoinableQueue); a client that ends holding a Lock gives it back and the
// next acquirer gets AbandonedLockError once (Python keeps it locked).
// Python's operators on proxies (`b *= 2`, `d |= {...}`, `b + [5, 6]`) are
// method calls or done on a copy; `wait_for` and `popitem` are `waitFor`
// (a loop on the client's side, as Python's) and `popItem`. No test asserts
// how long something took: timeouts only bound the waits.
//
// Not ported, and why:
// - _TestPool and TestSyncManagerTypes.test_pool: a Manager here serves no
//   Pool (the pools are ThreadPool and ProcessPool).
// - TestSyncManagerTypes.test_set, test_set_init, test_set_contain_all_method:
//   a Manager here serves no set.
// - _TestMyManager's registered FooBar, baz and IteratorProxy, and
//   TestInitializers.test_manager_initializer: `register` of arbitrary
//   Python callables and classes, and a server-side initializer (here
//   `register` names an existing proxy; only the built-in kinds are
//   served). What is ported is its check that only exposed methods can be
//   called.
// - _TestBarrier.test_action: Manager.Barrier takes no action (Python's is
//   a pickled callable run in the server); test_thousand, which CPython
//   skips for a manager.
// - _TestContainers.test_list_isinstance, test_dict_isinstance (the
//   collections.abc registration), test_list_iter, test_dict_iter (proxies
//   have no iterator protocol: toArray and entries are copies), and
//   test_namespace's `_hidden` (names starting with "_" are attributes of
//   the Python proxy itself, not of the Namespace).
// - _TestEvent.test_repr's regex: a proxy has no repr; what is checked is
//   its class and kind.
// - _TestCondition.test_wait_result's KeyboardInterrupt half (processes
//   only in CPython), and every case CPython runs only for 'processes' or
//   'threads' (test_repr_lock, test_lock_locked_2processes, test_timeout of
//   _TestSemaphore, _TestValue, _TestArray...): TestSyncManagerTypes covers
//   the Manager's Value and Array.
// - TestManagerExceptions (reference cycles of CPython's exceptions),
//   _TestRemoteManager's xmlrpclib serializer and pickling in general;
//   SharedMemoryManager and ShareableList (not a Manager here).

import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import {
  AbandonedLockError,
  type BarrierProxy,
  type DictProxy,
  EventProxy,
  ListProxy,
  Manager,
  Process,
  type ProcessPermissions,
  ProcessPool,
  QueueEmpty,
  QueueFull,
  type QueueProxy,
  QueueShutDown,
  type SemaphoreProxy,
  type TcpAddress,
  Thread,
  ThreadPool,
} from "../mod.ts";
import type * as Tasks from "./testdata/python_suite_tasks.ts";
import {
  barrierAbort,
  barrierAbortAndReset,
  barrierDefaultTimeout,
  barrierMultipass,
  barrierReset,
  barrierTimeout,
  barrierWaitReturn,
  BOUND,
  N,
  REMOTE_VALUES,
} from "./testdata/python_suite_tasks.ts";

const tasks = new URL("./testdata/python_suite_tasks.ts", import.meta.url);

type Task = {
  [K in keyof typeof Tasks]: (typeof Tasks)[K] extends (
    ...args: never[]
  ) => unknown ? K
    : never;
}[keyof typeof Tasks];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The processes and threads a test starts (CPython's `self.Process` and
 * `threading.Thread`): `join` checks that each ended within the bound, a
 * process with exit code 0; disposing kills the processes still alive and
 * waits for the threads (whose waits are bounded).
 */
class Workers implements AsyncDisposable {
  readonly #processes: Process[] = [];
  readonly #threads: Thread[] = [];
  readonly #permissions: ProcessPermissions;

  constructor(permissions: ProcessPermissions = "inherit") {
    this.#permissions = permissions;
  }

  process(target: Task, ...args: unknown[]): Process {
    const p = new Process({
      module: tasks,
      target,
      args,
      permissions: this.#permissions,
    });
    p.start();
    this.#processes.push(p);
    return p;
  }

  thread(target: Task, ...args: unknown[]): Thread {
    const t = new Thread({ target: { module: tasks, name: target }, args });
    t.start();
    this.#threads.push(t);
    return t;
  }

  async join(): Promise<void> {
    for (const t of this.#threads) {
      strictEqual(await t.join({ timeout: BOUND }), true, `${t.name} ended`);
    }
    for (const p of this.#processes) {
      strictEqual(await p.join({ timeout: BOUND }), true, `${p.name} ended`);
      strictEqual(p.exitCode, 0, `${p.name}'s exit code`);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const p of this.#processes) {
      if (p.isAlive) p.kill();
      await p.join();
    }
    for (const t of this.#threads) await t.join();
  }
}

/** CPython's `assertReachesEventually`: polls `read` until it gives `value`. */
async function eventually<T>(read: () => Promise<T>, value: T): Promise<void> {
  const end = performance.now() + BOUND;
  let last = await read();
  while (last !== value && performance.now() < end) {
    await sleep(5);
    last = await read();
  }
  strictEqual(last, value);
}

/** Proxies that reach the Manager from a ProcessPool's processes. */
function processPool(): ProcessPool<typeof Tasks> {
  return new ProcessPool<typeof Tasks>(tasks, {
    maxWorkers: 2,
    permissions: { read: true, net: ["127.0.0.1"] },
  });
}

// _TestQueue

Deno.test("Manager (CPython's _TestQueue.test_put): a full queue refuses a put that does not wait or whose timeout passes, and has room again once a process takes the items", async () => {
  await using manager = await Manager.start();
  const MAXSIZE = 6;
  const queue = await manager.Queue<number>(MAXSIZE);
  const childCanStart = await manager.Event();
  const parentCanContinue = await manager.Event();
  await using workers = new Workers();
  workers.process("queueGetSix", queue, childCanStart, parentCanContinue);

  strictEqual(await queue.empty(), true);
  strictEqual(await queue.full(), false);
  await queue.put(1);
  await queue.put(2); // put(2, True)
  await queue.put(3, { timeout: Infinity }); // put(3, True, None)
  await queue.putNowait(4); // put(4, False)
  await queue.putNowait(5); // put(5, False, None)
  await queue.putNowait(6);
  strictEqual(await queue.empty(), false);
  strictEqual(await queue.full(), true);

  await rejects(queue.putNowait(7), QueueFull); // put(7, False), put_nowait
  await rejects(queue.put(7, { timeout: 0 }), QueueFull);
  await rejects(queue.put(7, { timeout: 100 }), QueueFull); // TIMEOUT1, 3

  await childCanStart.set();
  strictEqual(await parentCanContinue.wait({ timeout: BOUND }), true);
  strictEqual(await queue.empty(), true);
  strictEqual(await queue.full(), false);
  await workers.join();
});

Deno.test("Manager (CPython's _TestQueue.test_get): items a process put come out in order, and an empty queue refuses a get that does not wait or whose timeout passes", async () => {
  await using manager = await Manager.start();
  const queue = await manager.Queue<number>();
  const childCanStart = await manager.Event();
  const parentCanContinue = await manager.Event();
  await using workers = new Workers();
  workers.process("queuePutFour", queue, childCanStart, parentCanContinue);

  strictEqual(await queue.empty(), true);
  await childCanStart.set();
  strictEqual(await parentCanContinue.wait({ timeout: BOUND }), true);
  strictEqual(await queue.empty(), false);
  strictEqual(await queue.get({ timeout: Infinity }), 2); // get(True, None)
  strictEqual(await queue.get(), 3); // get(True)
  strictEqual(await queue.get({ timeout: 1000 }), 4); // get(timeout=1)
  strictEqual(await queue.getNowait(), 5);
  strictEqual(await queue.empty(), true);

  await rejects(queue.getNowait(), QueueEmpty); // get(False), get_nowait
  await rejects(queue.get({ timeout: 0 }), QueueEmpty);
  await rejects(queue.get({ timeout: 100 }), QueueEmpty); // TIMEOUT1, 3
  await workers.join();
});

Deno.test("Manager (CPython's _TestQueue.test_fork): what this process put and what a child process put later both come out, in order", async () => {
  await using manager = await Manager.start();
  const queue = await manager.Queue<number>();
  for (let i = 0; i < 10; i++) await queue.put(i);
  await using workers = new Workers();
  workers.process("queuePutTen", queue);
  for (let i = 0; i < 20; i++) {
    strictEqual(await queue.get({ timeout: BOUND }), i);
  }
  await rejects(queue.getNowait(), QueueEmpty);
  await workers.join();
});

Deno.test("Manager (CPython's _TestQueue.test_qsize): qsize counts the items put and not yet taken", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const q = await manager.Queue<number>();
  strictEqual(await q.qsize(), 0);
  await q.put(1);
  strictEqual(await q.qsize(), 1);
  await q.put(5);
  strictEqual(await q.qsize(), 2);
  await q.get();
  strictEqual(await q.qsize(), 1);
  await q.get();
  strictEqual(await q.qsize(), 0);
});

Deno.test("Manager (CPython's _TestQueue.test_task_done): join returns once 4 worker processes have marked every item done", async () => {
  await using manager = await Manager.start();
  const queue = await manager.Queue<number | null>();
  await using workers = new Workers();
  for (let i = 0; i < 4; i++) workers.process("queueTaskDone", queue);
  for (let i = 0; i < 10; i++) await queue.put(i);
  strictEqual(await queue.join({ timeout: BOUND }), true);
  for (let i = 0; i < 4; i++) await queue.put(null);
  await workers.join();
});

Deno.test("Manager (CPython's _TestQueue.test_timeout): a get whose timeout passes on an empty queue is QueueEmpty", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const q = await manager.Queue();
  await rejects(q.get({ timeout: 200 }), {
    name: "QueueEmpty",
    message: /200 ms/,
  });
});

Deno.test("Manager (CPython's _TestQueue.test_shutdown_empty): an empty queue shut down releases its joiner, and refuses puts and gets, here and in other processes", async () => {
  await using manager = await Manager.start();
  await using pool = processPool();
  const q = await manager.Queue<string>();
  await using workers = new Workers();
  workers.process("queueJoin", q);
  await q.shutdown(); // immediate=False; unfinished tasks: 0 -> 0
  strictEqual(await q.qsize(), 0);
  await workers.join(); // the joiner ended
  await rejects(pool.submit("queuePut", q, "data"), { name: "QueueShutDown" });
  await rejects(q.putNowait("data"), QueueShutDown);
  await rejects(pool.submit("queueGet", q), { name: "QueueShutDown" });
  await rejects(q.getNowait(), QueueShutDown);
});

Deno.test("Manager (CPython's _TestQueue.test_shutdown_nonempty): a queue shut down still gives what it holds, refuses puts, and its joiner waits for the last taskDone", async () => {
  await using manager = await Manager.start();
  await using pool = processPool();
  const q = await manager.Queue<string>(1);
  await q.put("data");
  await using workers = new Workers();
  const joiner = workers.process("queueJoin", q);
  await q.shutdown(); // immediate=False; unfinished tasks: 1 -> 1
  strictEqual(await q.qsize(), 1);
  strictEqual(await pool.submit("queueGet", q), "data");
  strictEqual(joiner.isAlive, true);
  strictEqual(await q.join({ timeout: 0 }), false);
  await rejects(pool.submit("queuePut", q, "data"), { name: "QueueShutDown" });
  await rejects(q.putNowait("data"), QueueShutDown);
  await rejects(pool.submit("queueGet", q), { name: "QueueShutDown" });
  await rejects(q.getNowait(), QueueShutDown);
  await q.taskDone();
  await workers.join(); // the joiner ended
});

Deno.test("Manager (CPython's _TestQueue.test_shutdown_immediate): an immediate shutdown drops the items, counts them done (releasing the joiner), and refuses puts, gets and a taskDone too many", async () => {
  await using manager = await Manager.start();
  await using pool = processPool();
  const q = await manager.Queue<string>();
  await q.put("data");
  await using workers = new Workers();
  workers.process("queueJoin", q);
  await q.shutdown({ immediate: true });
  strictEqual(await q.qsize(), 0);
  await workers.join(); // the joiner ended
  await rejects(pool.submit("queuePut", q, "data"), { name: "QueueShutDown" });
  await rejects(q.putNowait("data"), QueueShutDown);
  await rejects(pool.submit("queueGet", q), { name: "QueueShutDown" });
  await rejects(q.getNowait(), QueueShutDown);
  await rejects(q.taskDone(), RangeError); // Python's ValueError
});

Deno.test("Manager (CPython's _TestQueue.test_shutdown_immediate_with_unfinished): after an immediate shutdown the joiner still waits for the item a process took, until its taskDone", async () => {
  await using manager = await Manager.start();
  await using pool = processPool();
  const q = await manager.Queue<string>();
  await q.put("data");
  await q.put("data");
  await using workers = new Workers();
  const joiner = workers.process("queueJoin", q);
  strictEqual(await pool.submit("queueGet", q), "data");
  await q.shutdown({ immediate: true });
  strictEqual(await q.qsize(), 0);
  strictEqual(joiner.isAlive, true);
  strictEqual(await q.join({ timeout: 0 }), false);
  await rejects(pool.submit("queuePut", q, "data"), { name: "QueueShutDown" });
  await rejects(q.putNowait("data"), QueueShutDown);
  await rejects(pool.submit("queueGet", q), { name: "QueueShutDown" });
  await rejects(q.getNowait(), QueueShutDown);
  await q.taskDone();
  await rejects(q.taskDone(), RangeError); // Python's ValueError
  await workers.join(); // the joiner ended
});

// _TestLock

Deno.test("Manager (CPython's _TestLock.test_lock): a Lock is held once; tryAcquire fails while held, and a release too many is a RangeError", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const lock = await manager.Lock();
  strictEqual(await lock.acquire(), true);
  strictEqual(await lock.locked(), true);
  strictEqual(await lock.tryAcquire(), false); // acquire(False)
  strictEqual(await lock.release(), undefined);
  strictEqual(await lock.locked(), false);
  await rejects(lock.release(), RangeError); // ValueError, ThreadError
});

Deno.test("Manager (CPython's _TestLock.test_rlock): an RLock is held as many times as it was acquired, and a release too many is a RangeError", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const lock = await manager.RLock();
  strictEqual(await lock.acquire(), true);
  strictEqual(await lock.locked(), true);
  strictEqual(await lock.acquire(), true);
  strictEqual(await lock.acquire(), true);
  strictEqual(await lock.release(), undefined);
  strictEqual(await lock.locked(), true);
  strictEqual(await lock.release(), undefined);
  strictEqual(await lock.release(), undefined);
  strictEqual(await lock.locked(), false);
  await rejects(lock.release(), RangeError); // AssertionError, RuntimeError
});

Deno.test("Manager (CPython's _TestLock.test_lock_context): `await using` a Lock's hold() holds it in the block and releases it after", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const lock = await manager.Lock();
  {
    await using _locked = await lock.hold();
    strictEqual(await lock.locked(), true);
  }
  strictEqual(await lock.locked(), false);
});

Deno.test("Manager (CPython's _TestLock.test_rlock_context): `await using` an RLock's hold() holds it in the block and releases it after", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const lock = await manager.RLock();
  {
    await using _locked = await lock.hold();
    strictEqual(await lock.locked(), true);
  }
  strictEqual(await lock.locked(), false);
});

// _TestSemaphore

async function checkSemaphore(sem: SemaphoreProxy): Promise<void> {
  strictEqual(await sem.value(), 2);
  strictEqual(await sem.acquire(), true);
  strictEqual(await sem.value(), 1);
  strictEqual(await sem.acquire(), true);
  strictEqual(await sem.value(), 0);
  strictEqual(await sem.tryAcquire(), false); // acquire(False)
  strictEqual(await sem.value(), 0);
  strictEqual(await sem.release(), undefined);
  strictEqual(await sem.value(), 1);
  strictEqual(await sem.release(), undefined);
  strictEqual(await sem.value(), 2);
}

Deno.test("Manager (CPython's _TestSemaphore.test_semaphore): a Semaphore counts its permits down and up, and past its initial value", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const sem = await manager.Semaphore(2);
  await checkSemaphore(sem);
  strictEqual(await sem.release(), undefined);
  strictEqual(await sem.value(), 3);
  strictEqual(await sem.release(), undefined);
  strictEqual(await sem.value(), 4);
});

Deno.test("Manager (CPython's _TestSemaphore.test_bounded_semaphore): a BoundedSemaphore counts its permits down and up", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  await checkSemaphore(await manager.BoundedSemaphore(2));
});

Deno.test("Manager (CPython's lock_tests.BoundedSemaphoreTests.test_release_unacquired): a BoundedSemaphore refuses to go past its initial value with a RangeError", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const sem = await manager.BoundedSemaphore();
  await rejects(sem.release(), RangeError); // Python's ValueError
  await sem.acquire();
  await sem.release();
  await rejects(sem.release(), RangeError);
  strictEqual(await sem.value(), 1);
});

Deno.test("Manager (CPython's lock_tests.SemaphoreTests.test_release_unacquired): a Semaphore may be released before it is acquired, which adds a permit", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const sem = await manager.Semaphore(1);
  await sem.release();
  strictEqual(await sem.acquire({ timeout: 0 }), true);
  strictEqual(await sem.acquire({ timeout: 0 }), true);
  await sem.release();
  strictEqual(await sem.value(), 1);
});

// _TestCondition: a process and a thread sleep on the condition (f).

Deno.test("Manager (CPython's _TestCondition.test_notify): each notify wakes one sleeper, a process's or a thread's", async () => {
  await using manager = await Manager.start();
  const cond = await manager.Condition();
  const sleeping = await manager.Semaphore(0);
  const woken = await manager.Semaphore(0);
  await using workers = new Workers();
  workers.process("conditionSleeper", cond, sleeping, woken);
  workers.thread("conditionSleeper", cond, sleeping, woken);

  // Wait for both to sleep.
  strictEqual(await sleeping.acquire({ timeout: BOUND }), true);
  strictEqual(await sleeping.acquire({ timeout: BOUND }), true);
  // None has woken up.
  await eventually(() => woken.value(), 0);
  // Wake up one.
  await cond.acquire();
  await cond.notify();
  await cond.release();
  await eventually(() => woken.value(), 1);
  // Wake up the other.
  await cond.acquire();
  await cond.notify();
  await cond.release();
  await eventually(() => woken.value(), 2);
  await workers.join();
});

Deno.test("Manager (CPython's _TestCondition.test_notify_all): sleepers whose timeout passes wake by themselves, and notifyAll wakes every other one", async () => {
  await using manager = await Manager.start();
  const cond = await manager.Condition();
  const sleeping = await manager.Semaphore(0);
  const woken = await manager.Semaphore(0);
  await using workers = new Workers();

  // Some processes and threads which will time out (TIMEOUT1).
  for (let i = 0; i < 3; i++) {
    workers.process("conditionSleeper", cond, sleeping, woken, 100);
    workers.thread("conditionSleeper", cond, sleeping, woken, 100);
  }
  // Wait for them all to sleep, then to time out.
  for (let i = 0; i < 6; i++) {
    strictEqual(await sleeping.acquire({ timeout: BOUND }), true);
  }
  for (let i = 0; i < 6; i++) {
    strictEqual(await woken.acquire({ timeout: BOUND }), true);
  }
  strictEqual(await woken.value(), 0);

  // Some more, which do not time out.
  for (let i = 0; i < 3; i++) {
    workers.process("conditionSleeper", cond, sleeping, woken);
    workers.thread("conditionSleeper", cond, sleeping, woken);
  }
  for (let i = 0; i < 6; i++) {
    strictEqual(await sleeping.acquire({ timeout: BOUND }), true);
  }
  strictEqual(await woken.value(), 0);
  // Wake them all up.
  await cond.acquire();
  await cond.notifyAll();
  await cond.release();
  for (let i = 0; i < 6; i++) {
    strictEqual(await woken.acquire({ timeout: BOUND }), true);
  }
  strictEqual(await woken.value(), 0);

  await workers.join();
});

Deno.test("Manager (CPython's _TestCondition.test_notify_n): notify(n) wakes n sleepers, and no more than are asleep", async () => {
  await using manager = await Manager.start();
  const cond = await manager.Condition();
  const sleeping = await manager.Semaphore(0);
  const woken = await manager.Semaphore(0);
  await using workers = new Workers();
  for (let i = 0; i < 3; i++) {
    workers.process("conditionSleeper", cond, sleeping, woken);
    workers.thread("conditionSleeper", cond, sleeping, woken);
  }
  for (let i = 0; i < 6; i++) {
    strictEqual(await sleeping.acquire({ timeout: BOUND }), true);
  }
  strictEqual(await woken.value(), 0);

  await cond.acquire();
  await cond.notify(2);
  await cond.release();
  await eventually(() => woken.value(), 2);

  await cond.acquire();
  await cond.notify(4);
  await cond.release();
  await eventually(() => woken.value(), 6);

  // Does not do anything more.
  await cond.acquire();
  await cond.notify(3);
  await cond.release();
  strictEqual(await woken.value(), 6);

  await workers.join();
});

Deno.test("Manager (CPython's _TestCondition.test_timeout): a wait nobody notifies returns false once its timeout passes", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const cond = await manager.Condition();
  await cond.acquire();
  const result = await cond.wait({ timeout: 100 });
  await cond.release();
  strictEqual(result, false);
});

Deno.test("Manager (CPython's _TestCondition.test_waitfor): wait_for, in this process and in a child, returns once the predicate on a shared Value holds", async () => {
  await using manager = await Manager.start();
  const cond = await manager.Condition();
  const state = await manager.Value("i", -1);
  await using workers = new Workers();
  workers.process("conditionWaitForFour", cond, state);
  {
    await using _held = await cond.hold();
    const result = await cond.waitFor(async () => await state.get() === 0, {
      timeout: BOUND,
    });
    strictEqual(result, true);
    strictEqual(await state.get(), 0);
  }
  for (let i = 0; i < 4; i++) {
    await sleep(10);
    await using _held = await cond.hold();
    await state.add(1);
    await cond.notify();
  }
  await workers.join();
});

Deno.test("Manager (CPython's _TestCondition.test_waitfor_timeout): a child's wait_for whose predicate never holds returns false once its timeout passes", async () => {
  await using manager = await Manager.start();
  const cond = await manager.Condition();
  const state = await manager.Value("i", 0);
  const success = await manager.Value("i", false);
  const sem = await manager.Semaphore(0);
  await using workers = new Workers();
  workers.process("conditionWaitForTimeout", cond, state, success, sem);
  strictEqual(await sem.acquire({ timeout: BOUND }), true);
  // Only increment 3 times, so state == 4 is never reached.
  for (let i = 0; i < 3; i++) {
    await sleep(10);
    await using _held = await cond.hold();
    await state.add(1);
    await cond.notify();
  }
  await workers.join();
  strictEqual(await success.get(), true);
});

Deno.test("Manager (CPython's _TestCondition.test_wait_result): wait is false when its timeout passes and true when a process notifies", async () => {
  await using manager = await Manager.start();
  const c = await manager.Condition();
  await using workers = new Workers();
  {
    await using _held = await c.hold();
    strictEqual(await c.wait({ timeout: 0 }), false);
    strictEqual(await c.wait({ timeout: 100 }), false);
    workers.process("conditionNotify", c);
    strictEqual(await c.wait({ timeout: BOUND }), true);
  }
  await workers.join();
});

Deno.test("Manager (CPython's lock_tests.ConditionTests.test_unacquired_wait, test_unacquired_notify): wait and notify without the condition's lock are RangeErrors", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const cond = await manager.Condition();
  await rejects(cond.wait(), RangeError); // Python's RuntimeError
  await rejects(cond.notify(), RangeError);
  await rejects(cond.notifyAll(), RangeError);
});

// _TestEvent

Deno.test("Manager (CPython's _TestEvent.test_event): wait is false until the event is set, true once set (by this process or by a child)", async () => {
  await using manager = await Manager.start();
  const event = await manager.Event();
  strictEqual(await event.isSet(), false);
  strictEqual(await event.wait({ timeout: 0 }), false);
  strictEqual(await event.wait({ timeout: 100 }), false);
  await event.set();
  strictEqual(await event.isSet(), true);
  strictEqual(await event.wait(), true);
  strictEqual(await event.wait({ timeout: 100 }), true);
  await event.clear();
  strictEqual(await event.isSet(), false);

  await using workers = new Workers();
  workers.process("eventSetLater", event);
  strictEqual(await event.wait({ timeout: BOUND }), true);
  await workers.join();
});

Deno.test("Manager (CPython's _TestEvent.test_repr): a Manager's Event is an EventProxy of kind Event, set or not", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const event = await manager.Event();
  ok(event instanceof EventProxy);
  strictEqual(event.kind, "Event");
  ok(Deno.inspect(event).startsWith("EventProxy"), Deno.inspect(event));
  await event.set();
  strictEqual(event.kind, "Event");
  ok(Deno.inspect(event).startsWith("EventProxy"));
});

// _TestBarrier: N - 1 processes and this one are the parties (Bunch), and
// Manager lists count (CPython's DummyList for a manager).

async function runParties<A extends unknown[]>(
  workers: Workers,
  target: Task,
  f: (...args: A) => Promise<void>,
  ...args: A
): Promise<void> {
  for (let i = 0; i < N - 1; i++) workers.process(target, ...args);
  await f(...args);
  await workers.join();
}

async function barrierTest(
  body: (
    manager: Manager,
    barrier: BarrierProxy,
    workers: Workers,
  ) => Promise<void>,
): Promise<void> {
  await using manager = await Manager.start();
  const barrier = await manager.Barrier(N);
  await using workers = new Workers();
  try {
    await body(manager, barrier, workers);
  } finally {
    await barrier.abort(); // tearDown
  }
}

for (const passes of [1, 10]) {
  const name = passes === 1 ? "test_barrier" : "test_barrier_10";
  Deno.test(
    `Manager (CPython's _TestBarrier.${name}): ${N} parties, ${
      N - 1
    } of them processes, pass the barrier in lockstep ${
      passes === 1 ? "once" : `${passes} times`
    }`,
    () =>
      barrierTest(async (manager, barrier, workers) => {
        const results: [ListProxy<boolean>, ListProxy<boolean>] = [
          await manager.list<boolean>(),
          await manager.list<boolean>(),
        ];
        await runParties(
          workers,
          "barrierMultipass",
          barrierMultipass,
          barrier,
          results,
          passes,
        );
      }),
  );
}

Deno.test("Manager (CPython's _TestBarrier.test_wait_return): wait gives each party of a round its own index, one of them 0", () =>
  barrierTest(async (manager, barrier, workers) => {
    const queue = await manager.Queue<number>();
    await runParties(
      workers,
      "barrierWaitReturn",
      barrierWaitReturn,
      barrier,
      queue,
    );
    const results = [];
    for (let i = 0; i < N; i++) results.push(await queue.get());
    strictEqual(results.filter((r) => r === 0).length, 1);
    deepStrictEqual(results.sort(), [0, 1, 2, 3, 4]);
  }));

Deno.test("Manager (CPython's _TestBarrier.test_abort): an abort breaks the barrier: the other parties' waits are BrokenBarrierError", () =>
  barrierTest(async (manager, barrier, workers) => {
    const results1 = await manager.list<boolean>();
    const results2 = await manager.list<boolean>();
    await runParties(
      workers,
      "barrierAbort",
      barrierAbort,
      barrier,
      results1,
      results2,
    );
    strictEqual(await results1.length(), 0);
    strictEqual(await results2.length(), N - 1);
    strictEqual(await barrier.broken(), true);
  }));

Deno.test("Manager (CPython's _TestBarrier.test_reset): a reset frees the waiting parties with BrokenBarrierError, and the barrier is passed again", () =>
  barrierTest(async (manager, barrier, workers) => {
    const results1 = await manager.list<boolean>();
    const results2 = await manager.list<boolean>();
    const results3 = await manager.list<boolean>();
    await runParties(
      workers,
      "barrierReset",
      barrierReset,
      barrier,
      results1,
      results2,
      results3,
    );
    strictEqual(await results1.length(), 0);
    strictEqual(await results2.length(), N - 1);
    strictEqual(await results3.length(), N);
  }));

Deno.test("Manager (CPython's _TestBarrier.test_abort_and_reset): a barrier broken by an abort can be reset, and passed again", () =>
  barrierTest(async (manager, barrier, workers) => {
    const results1 = await manager.list<boolean>();
    const results2 = await manager.list<boolean>();
    const results3 = await manager.list<boolean>();
    const barrier2 = await manager.Barrier(N);
    await runParties(
      workers,
      "barrierAbortAndReset",
      barrierAbortAndReset,
      barrier,
      barrier2,
      results1,
      results2,
      results3,
    );
    strictEqual(await results1.length(), 0);
    strictEqual(await results2.length(), N - 1);
    strictEqual(await results3.length(), N);
  }));

Deno.test({
  name:
    "Manager (CPython's _TestBarrier.test_timeout): a wait whose timeout passes breaks the barrier, so every party, the late one too, gets BrokenBarrierError",
  fn: () =>
    barrierTest(async (manager, barrier, workers) => {
      const results = await manager.list<boolean>();
      await runParties(
        workers,
        "barrierTimeout",
        barrierTimeout,
        barrier,
        results,
      );
      strictEqual(await results.length(), await barrier.parties());
      strictEqual(await barrier.broken(), true);
    }),
});

Deno.test("Manager (CPython's _TestBarrier.test_default_timeout): a party later than the barrier's default timeout breaks it for the waits that give none", async () => {
  await using manager = await Manager.start();
  const barrier = await manager.Barrier(N, { timeout: 500 });
  await using workers = new Workers();
  const results = await manager.list<boolean>();
  await runParties(
    workers,
    "barrierDefaultTimeout",
    barrierDefaultTimeout,
    barrier,
    results,
  );
  strictEqual(await results.length(), await barrier.parties());
  strictEqual(await barrier.broken(), true);
});

Deno.test("Manager (CPython's _TestBarrier.test_single_thread): a barrier of one party is passed at once, again and again", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const b = await manager.Barrier(1);
  strictEqual(await b.wait(), 0);
  strictEqual(await b.wait(), 0);
});

// TestSyncManagerTypes: the parent makes an object, a child process reads
// and changes it, and the parent sees what the child did.

async function runWorker(target: Task, obj: unknown): Promise<void> {
  await using workers = new Workers();
  workers.process(target, obj);
  await workers.join();
}

Deno.test("Manager (CPython's TestSyncManagerTypes.test_event): a child sees the event set, and the parent sees it cleared", async () => {
  await using manager = await Manager.start();
  const o = await manager.Event();
  await o.set();
  await runWorker("syncEvent", o);
  strictEqual(await o.isSet(), false);
  strictEqual(await o.wait({ timeout: 1 }), false);
});

Deno.test("Manager (CPython's TestSyncManagerTypes.test_lock): a Lock a child acquired and never released is given back when it ends, the next acquirer told once with AbandonedLockError", async () => {
  await using manager = await Manager.start();
  const o = await manager.Lock();
  await runWorker("syncLock", o);
  // Python's Manager keeps the lock locked (the parent releases it); here
  // it is given back when the child's connection ends (README).
  await rejects(o.acquire({ timeout: BOUND }), AbandonedLockError);
  await rejects(o.release(), RangeError); // already released
  strictEqual(await o.acquire({ timeout: 0 }), true);
  await o.release();
  await rejects(o.release(), RangeError);
});

Deno.test("Manager (CPython's TestSyncManagerTypes.test_rlock): an RLock a child acquired and released is free for the parent", async () => {
  await using manager = await Manager.start();
  const o = await manager.RLock();
  await runWorker("syncRLock", o);
  strictEqual(await o.locked(), false);
  strictEqual(await o.acquire({ timeout: 0 }), true);
  await o.release();
});

for (const kind of ["Semaphore", "BoundedSemaphore"] as const) {
  const name = kind === "Semaphore"
    ? "test_semaphore"
    : "test_bounded_semaphore";
  Deno.test(`Manager (CPython's TestSyncManagerTypes.${name}): a permit of a ${kind} a child took is given back by the parent`, async () => {
    await using manager = await Manager.start();
    const o = await manager[kind]();
    await runWorker("syncSemaphore", o);
    strictEqual(await o.value(), 0);
    await o.release();
    strictEqual(await o.value(), 1);
  });
}

Deno.test("Manager (CPython's TestSyncManagerTypes.test_condition): a child acquires and releases a Condition", async () => {
  await using manager = await Manager.start();
  const o = await manager.Condition();
  await runWorker("syncCondition", o);
  strictEqual(await o.tryAcquire(), true); // free again
  await o.release();
});

Deno.test({
  name:
    "Manager (CPython's TestSyncManagerTypes.test_condition): locked(), which a Condition's proxy has (Python's ConditionProxy exposes it too), says whether its lock is held",
  fn: async () => {
    await using manager = await Manager.start();
    const o = await manager.Condition();
    strictEqual(await o.locked(), false);
    await o.acquire();
    strictEqual(await o.locked(), true);
    await o.release();
    await runWorker("syncCondition", o);
    strictEqual(await o.locked(), false);
  },
});

Deno.test("Manager (CPython's TestSyncManagerTypes.test_barrier): a child reads a Barrier's parties and resets it", async () => {
  await using manager = await Manager.start();
  const o = await manager.Barrier(5);
  await runWorker("syncBarrier", o);
  strictEqual(await o.broken(), false);
  strictEqual(await o.nWaiting(), 0);
});

Deno.test("Manager (CPython's TestSyncManagerTypes.test_queue, test_joinable_queue): a child takes the two items of a full queue and marks them done", async () => {
  await using manager = await Manager.start();
  const o = await manager.Queue<number>(2);
  await o.put(5);
  await o.put(6);
  await runWorker("syncQueue", o);
  strictEqual(await o.empty(), true);
  strictEqual(await o.full(), false);
  strictEqual(await o.join({ timeout: 0 }), true);
});

Deno.test("Manager (CPython's TestSyncManagerTypes.test_list): a child reads, extends, sorts, pops and clears a list", async () => {
  await using manager = await Manager.start();
  const o = await manager.list<number>();
  await o.append(5);
  await runWorker("syncList", o);
  strictEqual(await o.length(), 0);
});

Deno.test("Manager (CPython's TestSyncManagerTypes.test_dict): a child reads, updates, pops and clears a dict", async () => {
  await using manager = await Manager.start();
  const o = await manager.dict<string, number>();
  await o.set("foo", 5);
  await runWorker("syncDict", o);
  strictEqual(await o.size(), 0);
});

Deno.test("Manager (CPython's TestSyncManagerTypes.test_value): the parent sees what a child set a Value to", async () => {
  await using manager = await Manager.start();
  const o = await manager.Value("i", 1);
  await runWorker("syncValue", o);
  strictEqual(await o.get(), 2);
});

Deno.test("Manager (CPython's TestSyncManagerTypes.test_array): a child reads an Array", async () => {
  await using manager = await Manager.start();
  const o = await manager.Array("i", [0, 1]);
  await runWorker("syncArray", o);
  deepStrictEqual(await o.toArray(), [0, 1]);
});

Deno.test("Manager (CPython's TestSyncManagerTypes.test_namespace): a child reads a Namespace's attributes", async () => {
  await using manager = await Manager.start();
  const o = await manager.Namespace();
  await o.set("x", 0);
  await o.set("y", 1);
  await runWorker("syncNamespace", o);
});

// _TestContainers

Deno.test("Manager (CPython's _TestContainers.test_list): slices, extend, index and repetition of a list (b *= 2 is an extend, b + [5, 6] a copy)", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const range = (n: number) => [...Array(n).keys()];
  const a = await manager.list<unknown>(range(10));
  deepStrictEqual(await a.slice(), range(10));
  const b = await manager.list<number>();
  deepStrictEqual(await b.slice(), []);
  await b.extend(range(5));
  deepStrictEqual(await b.slice(), range(5));
  strictEqual(await b.at(2), 2);
  deepStrictEqual(await b.slice(2, 10), [2, 3, 4]);
  await b.extend(await b.slice()); // b *= 2
  deepStrictEqual(await b.slice(), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
  deepStrictEqual([...await b.slice(), 5, 6], [
    0,
    1,
    2,
    3,
    4,
    0,
    1,
    2,
    3,
    4,
    5,
    6,
  ]);
  deepStrictEqual(await a.slice(), range(10));
});

Deno.test({
  name:
    "Manager (CPython's _TestContainers.test_list): a list made from proxies (Manager.list([a, b])) holds proxies of them, which see later changes",
  fn: async () => {
    await using manager = await Manager.start({ serveInProcess: true });
    const range = (n: number) => [...Array(n).keys()];
    const a = await manager.list<unknown>(range(10));
    const b = await manager.list<unknown>([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    const e = await manager.list([a, b]);
    const inner = [];
    for (let i = 0; i < await e.length(); i++) {
      inner.push(await (await e.at(i) as ListProxy).slice());
    }
    deepStrictEqual(inner, [range(10), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]]);
    const f = await manager.list([a]);
    await a.append("hello");
    deepStrictEqual(await (await f.at(0) as ListProxy).slice(), [
      ...range(10),
      "hello",
    ]);
  },
});

async function checkListsInList(a: ListProxy<ListProxy<number>>) {
  const inner = async (i: number) => (await a.at(i)).slice();
  deepStrictEqual(
    [await inner(0), await inner(1), await inner(2)],
    [[0, 1, 2], [0, 1, 2], [0, 1, 2]],
  );
  await (await a.at(0)).set(-1, 55);
  deepStrictEqual(await inner(0), [0, 1, 55]);
  for (let i = 1; i < 3; i++) deepStrictEqual(await inner(i), [0, 1, 2]);
  strictEqual(await (await a.at(1)).pop(), 2);
  strictEqual(await (await a.at(1)).length(), 2);
  for (const i of [0, 2]) strictEqual(await (await a.at(i)).length(), 3);
}

Deno.test({
  name:
    "Manager (CPython's _TestContainers.test_list_proxy_in_list): Manager.list of three lists holds proxies of them",
  fn: async () => {
    await using manager = await Manager.start({ serveInProcess: true });
    const lists = [];
    for (let i = 0; i < 3; i++) lists.push(await manager.list([0, 1, 2]));
    await checkListsInList(await manager.list(lists));
  },
});

Deno.test("Manager (CPython's _TestContainers.test_list_proxy_in_list): lists put in a list stay proxies of them (their changes are seen through it), and a list may hold itself", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const a = await manager.list<ListProxy<number>>();
  // Built by append here; the test above builds it as CPython does.
  for (let i = 0; i < 3; i++) await a.append(await manager.list([0, 1, 2]));
  await checkListsInList(a);

  const b = await manager.list<unknown>();
  await b.append(b);
  const itself = await b.at(0) as ListProxy;
  ok(itself instanceof ListProxy);
  strictEqual(await itself.length(), 1);
});

Deno.test("Manager (CPython's _TestContainers.test_dict): keys, values and items of a dict with number keys", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const d = await manager.dict<number, string>();
  const indices = [65, 66, 67, 68, 69];
  for (const i of indices) await d.set(i, String.fromCharCode(i));
  deepStrictEqual(
    await d.toMap(),
    new Map(indices.map((i) => [i, String.fromCharCode(i)])),
  );
  deepStrictEqual((await d.keys()).sort(), indices);
  deepStrictEqual(
    (await d.values()).sort(),
    indices.map((i) => String.fromCharCode(i)),
  );
  deepStrictEqual(
    (await d.entries()).sort(),
    indices.map((i) => [i, String.fromCharCode(i)]),
  );
});

async function checkNestedDicts(
  manager: Manager,
  d: DictProxy<string, DictProxy<string, number>>,
  pets: DictProxy<string, number>,
  supplies: DictProxy<string, number>,
  listOf: (items: DictProxy[]) => Promise<ListProxy<DictProxy>>,
): Promise<void> {
  const at = async (key: string) => (await d.get(key))!;
  strictEqual(await supplies.get("water"), 10);
  strictEqual(await (await at("supplies")).get("water"), 10);

  await (await at("supplies")).set("blankets", 5);
  strictEqual(await supplies.get("blankets"), 5);
  strictEqual(await (await at("supplies")).get("blankets"), 5);

  await (await at("supplies")).set("water", 7);
  strictEqual(await supplies.get("water"), 7);
  strictEqual(await (await at("supplies")).get("water"), 7);

  // del pets, supplies: the objects live on in the Manager.
  strictEqual(await (await at("pets")).get("ferrets"), 2);
  await (await at("supplies")).set("blankets", 11);
  strictEqual(await (await at("supplies")).get("blankets"), 11);

  pets = await at("pets");
  supplies = await at("supplies");
  await supplies.set("water", 7);
  strictEqual(await supplies.get("water"), 7);
  strictEqual(await (await at("supplies")).get("water"), 7);

  await d.clear();
  strictEqual(await d.size(), 0);
  strictEqual(await supplies.get("water"), 7);
  strictEqual(await pets.get("hamsters"), 4);

  const l = await listOf([pets, supplies]);
  await (await l.at(0)).set("marmots", 1);
  strictEqual(await pets.get("marmots"), 1);
  strictEqual(await (await l.at(0)).get("marmots"), 1);
  strictEqual(await (await l.at(0)).get("marmots"), 1);

  const outer = await manager.list<unknown>();
  await outer.extend([[88, 99], l]);
  deepStrictEqual(await outer.at(0), [88, 99]); // not a ListProxy
  ok(!((await outer.at(0)) instanceof ListProxy));
  const last = await outer.at(-1) as ListProxy<DictProxy>;
  strictEqual(await (await last.at(-1)).get("feed"), 3);
}

Deno.test({
  name:
    "Manager (CPython's _TestContainers.test_dict_proxy_nested): Manager.dict({ pets, supplies }) and Manager.list([pets, supplies]) hold proxies of the dicts",
  fn: async () => {
    await using manager = await Manager.start({ serveInProcess: true });
    const pets = await manager.dict<string, number>({
      ferrets: 2,
      hamsters: 4,
    });
    const supplies = await manager.dict<string, number>({ water: 10, feed: 3 });
    const d = await manager.dict<string, DictProxy<string, number>>({
      pets,
      supplies,
    });
    await checkNestedDicts(
      manager,
      d,
      pets,
      supplies,
      (items) => manager.list(items),
    );
  },
});

Deno.test("Manager (CPython's _TestContainers.test_dict_proxy_nested): dicts set in a dict or put in a list stay proxies of them, the changes seen both ways, and they outlive the dict's clear", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const pets = await manager.dict<string, number>({ ferrets: 2, hamsters: 4 });
  const supplies = await manager.dict<string, number>({ water: 10, feed: 3 });
  // Built by set and extend here; the test above builds them as CPython
  // does, with Manager.dict({ pets }) and Manager.list([...]).
  const d = await manager.dict<string, DictProxy<string, number>>();
  await d.set("pets", pets);
  await d.set("supplies", supplies);
  await checkNestedDicts(manager, d, pets, supplies, async (items) => {
    const l = await manager.list<DictProxy>();
    await l.extend(items);
    return l;
  });
});

Deno.test("Manager (CPython's _TestContainers.test_nested_queue): a queue in a list or a dict stays a queue that puts and gets", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const a = await manager.list<QueueProxy<number>>();
  await a.append(await manager.Queue<number>());
  await (await a.at(0)).put(123);
  strictEqual(await (await a.at(0)).get(), 123);
  const b = await manager.dict<number, QueueProxy<number>>();
  await b.set(0, await manager.Queue<number>());
  await (await b.get(0))!.put(456);
  strictEqual(await (await b.get(0))!.get(), 456);
});

Deno.test("Manager (CPython's _TestContainers.test_namespace): a Namespace's attributes are set, read and deleted", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const n = await manager.Namespace();
  await n.set("name", "Bob");
  await n.set("job", "Builder");
  deepStrictEqual([await n.get("name"), await n.get("job")], [
    "Bob",
    "Builder",
  ]);
  strictEqual(await n.delete("job"), true);
  deepStrictEqual(await n.toObject(), { name: "Bob" }); // str(n)
  strictEqual(await n.has("name"), true);
  strictEqual(await n.has("job"), false);
  await rejects(n.get("job"), RangeError); // Python's AttributeError
});

// _TestMyManager: only what a kind exposes can be called.

Deno.test("Manager (CPython's _TestMyManager.test_mymanager): a method a kind does not expose is refused with a TypeError (Python's RemoteError), and the object goes on serving", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const d = await manager.dict([["a", 1]]);
  // BaseProxy's own call(), as Python's _callmethod.
  const callmethod = (method: string) =>
    (d as unknown as {
      call(method: string, args: unknown[]): Promise<unknown>;
    }).call(method, []);
  for (
    const method of [
      "_h",
      "constructor",
      "__proto__",
      "toString",
      "hasOwnProperty",
    ]
  ) {
    await rejects(callmethod(method), {
      name: "TypeError",
      message: new RegExp(`dict has no method "${method}"`),
    });
  }
  strictEqual(await callmethod("size"), 1);
  strictEqual(await d.get("a"), 1);
});

// _TestRemoteManager and _TestManagerRestart

Deno.test("Manager (CPython's _TestRemoteManager.test_remote): a process that connects by address and key puts values of every plain type on a shared queue that another client reads; a function cannot be put", async () => {
  const authkey = crypto.getRandomValues(new Uint8Array(32));
  await using manager = await Manager.start({
    address: { hostname: "127.0.0.1", port: 0 },
    authkey,
  });
  await manager.share("queue", await manager.Queue());
  // No proxy travels, so the process is given the address to reach.
  await using workers = new Workers({ read: true, net: ["127.0.0.1"] });
  workers.process("remotePutter", manager.address, authkey, REMOTE_VALUES);

  await using manager2 = await Manager.connect({
    address: manager.address,
    authkey,
  });
  const queue = await manager2.get("queue") as QueueProxy;
  deepStrictEqual(await queue.get({ timeout: BOUND }), REMOTE_VALUES);
  await rejects(queue.put(setTimeout as never), TypeError);
  strictEqual(await queue.qsize(), 0);
  await workers.join();
});

Deno.test("Manager (CPython's _TestManagerRestart.test_rapid_restart): a Manager started at once on the address of one just shut down serves there", async () => {
  const authkey = crypto.getRandomValues(new Uint8Array(32));
  let address: TcpAddress;
  {
    await using manager = await Manager.start({
      address: { hostname: "127.0.0.1", port: 0 },
      authkey,
    });
    address = manager.address as TcpAddress;
    await manager.share("queue", await manager.Queue());
    await using workers = new Workers({ read: true, net: ["127.0.0.1"] });
    workers.process("remotePutter", address, authkey, "hello world");
    await workers.join();
    const queue = await manager.get("queue") as QueueProxy;
    strictEqual(await queue.get({ timeout: BOUND }), "hello world");
  }
  await using manager = await Manager.start({ address, authkey });
  deepStrictEqual(manager.address, address);
  await manager.share("queue", await manager.Queue());
  await using workers = new Workers({ read: true, net: ["127.0.0.1"] });
  workers.process("remotePutter", address, authkey, "hello again");
  await workers.join();
  const queue = await manager.get("queue") as QueueProxy;
  strictEqual(await queue.get({ timeout: BOUND }), "hello again");
});

Deno.test({
  name:
    "Manager (CPython's _TestManagerRestart.test_rapid_restart): a proxy of the Manager that was shut down fails, and does not reach an object of the new Manager at its address",
  // A proxy whose connection is gone connects again, here to the new
  // Manager, whose object numbers start elsewhere (at random), so the old
  // proxy finds nothing: a RangeError, as Python's server raises KeyError.
  fn: async () => {
    const authkey = crypto.getRandomValues(new Uint8Array(32));
    const first = await Manager.start({
      address: { hostname: "127.0.0.1", port: 0 },
      authkey,
    });
    const old = await first.Queue<string>();
    await first.shutdown();
    await using manager = await Manager.start({
      address: first.address,
      authkey,
    });
    const queue = await manager.Queue<string>();
    await queue.put("new");
    const stale = { name: "RangeError", message: /serves no object/ };
    await rejects(old.qsize(), stale);
    await rejects(old.get({ timeout: 0 }), stale);
    strictEqual(await queue.qsize(), 1);
  },
});

// lock_tests.py, with threads of a ThreadPool (each its own client).

Deno.test({
  name:
    "Manager (CPython's lock_tests.LockTests.test_different_thread): a Lock acquired in one thread can be released from another",
  fn: async () => {
    await using manager = await Manager.start();
    await using threads = new ThreadPool<typeof Tasks>(tasks, {
      maxWorkers: 1,
    });
    const lock = await manager.Lock();
    await lock.acquire();
    await threads.submit("release", lock);
    strictEqual(await lock.locked(), false);
    strictEqual(await lock.acquire({ timeout: 0 }), true);
    await lock.release();
  },
});

Deno.test("Manager (CPython's lock_tests.RLockTests.test_different_thread): an RLock held by another thread cannot be released from this one", async () => {
  await using manager = await Manager.start();
  await using threads = new ThreadPool<typeof Tasks>(tasks, { maxWorkers: 1 });
  const lock = await manager.RLock();
  strictEqual(await threads.submit("acquire", lock), true);
  await rejects(lock.release(), RangeError); // Python's RuntimeError
  strictEqual(await lock.locked(), true);
  await threads.submit("release", lock); // the same worker thread
  strictEqual(await lock.locked(), false);
});

Deno.test("Manager (CPython's lock_tests.BaseLockTests.test_try_acquire_contended): another thread's tryAcquire of a held Lock and RLock is false", async () => {
  await using manager = await Manager.start();
  await using threads = new ThreadPool<typeof Tasks>(tasks, { maxWorkers: 1 });
  for (const lock of [await manager.Lock(), await manager.RLock()]) {
    await lock.acquire();
    strictEqual(await threads.submit("tryAcquire", lock), false);
    await lock.release();
  }
});

Deno.test("Manager (CPython's lock_tests.LockTests.test_state_after_timeout): a Lock is in a proper state after an acquire timed out", async () => {
  await using manager = await Manager.start({ serveInProcess: true });
  const lock = await manager.Lock();
  await lock.acquire();
  strictEqual(await lock.acquire({ timeout: 10 }), false);
  await lock.release();
  strictEqual(await lock.locked(), false);
  strictEqual(await lock.tryAcquire(), true);
  await lock.release();
});

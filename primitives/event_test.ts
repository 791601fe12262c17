// Ported from CPython's Lib/test/lock_tests.py (EventTests), with real
// Workers for the threads.
import {
  deepStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { Event } from "./event.ts";
import { Semaphore } from "./semaphore.ts";
import {
  delay,
  handled,
  int32s,
  SETTLE_MS,
  startWorkers,
  waitFor,
  wakeAll,
  within,
  wordsOf,
} from "../testing/workers.ts";

/**
 * Counts the threads asleep on any word of `event`, by waking them: a waiter
 * takes a wake-up that no set() caused as spurious and sleeps again. A
 * thread counted here is inside its wait, past its first look at the flag.
 */
function asleep(event: Event): number {
  const words = wordsOf(event.handle);
  let count = 0;
  for (let i = 0; i < words.length; i++) count += wakeAll(words, i);
  return count;
}

/** Waits until `n` threads are asleep in a wait on `event`. */
function untilAsleep(event: Event, n: number): Promise<void> {
  return waitFor(`${n} threads wait on the event`, () => asleep(event) >= n);
}

/**
 * Whether `promise` settles before a timer of 0 ms fires: it does when it
 * needs no more than microtasks, that is, when the call answered at once.
 */
async function settlesAtOnce<T>(promise: Promise<T>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = Symbol("late");
  const tick = new Promise<typeof late>((resolve) => {
    timer = setTimeout(() => resolve(late), 0);
  });
  try {
    return await Promise.race([promise, tick]) !== late;
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("Event: isSet follows set() and clear()", () => {
  // CPython's test_is_set.
  const event = new Event();
  strictEqual(event.isSet, false);
  event.set();
  strictEqual(event.isSet, true);
  event.set();
  strictEqual(event.isSet, true);
  event.clear();
  strictEqual(event.isSet, false);
  event.clear();
  strictEqual(event.isSet, false);
});

Deno.test("Event: wait returns true once set and false on timeout, in both faces", async () => {
  const event = new Event();
  strictEqual(await event.wait({ timeout: 5 }), false);
  strictEqual(event.waitSync({ timeout: 5 }), false);
  event.set();
  strictEqual(await event.wait(), true);
  strictEqual(event.waitSync(), true);
  strictEqual(await event.wait({ timeout: 5 }), true);
  strictEqual(event.waitSync({ timeout: 5 }), true);
  event.clear();
  strictEqual(await event.wait({ timeout: 5 }), false);
  strictEqual(event.waitSync({ timeout: 5 }), false);
});

Deno.test("Event: wait({ timeout: 0 }) answers at once, set or not", async () => {
  const event = new Event();
  strictEqual(event.waitSync({ timeout: 0 }), false);
  let answer = event.wait({ timeout: 0 });
  strictEqual(await settlesAtOnce(answer), true);
  strictEqual(await answer, false);
  event.set();
  strictEqual(event.waitSync({ timeout: 0 }), true);
  answer = event.wait({ timeout: 0 });
  strictEqual(await settlesAtOnce(answer), true);
  strictEqual(await answer, true);
});

Deno.test("Event: waiting on an event that is already set returns at once", async () => {
  const event = new Event();
  event.set();
  const signal = new AbortController().signal;
  for (const options of [undefined, {}, { timeout: Infinity, signal }]) {
    strictEqual(event.waitSync(options), true);
    const answer = event.wait(options);
    strictEqual(await settlesAtOnce(answer), true);
    strictEqual(await answer, true);
  }
  strictEqual(event.isSet, true);
});

Deno.test("Event: from() shares the flag", () => {
  const event = new Event();
  const copy = Event.from(event.handle);
  ok(copy instanceof Event);
  copy.set();
  strictEqual(event.isSet, true);
  strictEqual(event.waitSync({ timeout: 0 }), true);
  event.clear();
  strictEqual(copy.isSet, false);
});

Deno.test("Event: from() refuses a handle that is not an Event's", () => {
  throws(() => Event.from(new Semaphore().handle), {
    name: "TypeError",
    message:
      'Cannot create Event from handle: expected an Event handle, received a handle of kind "Semaphore"',
  });
  // deno-lint-ignore no-explicit-any
  throws(() => Event.from({} as any), TypeError);
  // deno-lint-ignore no-explicit-any
  throws(() => Event.from(null as any), TypeError);
  // deno-lint-ignore no-explicit-any
  throws(() => Event.from("Event" as any), TypeError);
  // The right kind, but memory that is not an Event's.
  const forged = {
    ...new Event().handle,
    buffer: new SharedArrayBuffer(12),
    byteOffset: 0,
  };
  throws(() => Event.from(forged), {
    name: "TypeError",
    message:
      "Cannot create Event from handle: its buffer (12 bytes) at offset 0 is not the memory of an Event",
  });
});

Deno.test("Event: a bad timeout or option is refused and the event still works", async () => {
  const event = new Event();
  for (const timeout of [-1, NaN, -Infinity]) {
    throws(() => event.waitSync({ timeout }), {
      name: "RangeError",
      message:
        `Cannot wait for Event: 'timeout' must be a non-negative number of milliseconds, received ${timeout}`,
    });
    await rejects(event.wait({ timeout }), RangeError);
  }
  // deno-lint-ignore no-explicit-any
  const bad: any[] = [{ timeout: "10" }, { signal: "stop" }, null, 10];
  for (const options of bad) {
    throws(() => event.waitSync(options), TypeError);
    await rejects(event.wait(options), TypeError);
  }
  throws(() => event.waitSync({ timeout: "10" as unknown as number }), {
    name: "TypeError",
    message:
      `Cannot wait for Event: 'timeout' must be a number of milliseconds, received "10"`,
  });
  strictEqual(event.isSet, false);
  strictEqual(event.waitSync({ timeout: 1 }), false);
  event.set();
  strictEqual(await event.wait(), true);
  strictEqual(event.waitSync(), true);
});

Deno.test("Event: a pre-aborted signal throws its reason, in both faces", async () => {
  const event = new Event();
  const reason = new Error("stop");
  const signal = AbortSignal.abort(reason);
  throws(() => event.waitSync({ signal }), (e) => e === reason);
  await rejects(event.wait({ signal }), (e) => e === reason);
  await rejects(
    event.wait({ signal: AbortSignal.abort() }),
    { name: "AbortError" },
  );
  strictEqual(event.isSet, false);
  event.set();
  strictEqual(event.waitSync({ timeout: 0 }), true);
});

Deno.test("Event: aborting a wait rejects with the reason, and set() still wakes the others", async () => {
  const event = new Event();
  await using workers = startWorkers(1);
  const worker = handled(workers[0]!.run(
    (_p, event: Event) => event.waitSync(),
    event.handle,
  ));
  await untilAsleep(event, 1);
  const controller = new AbortController();
  const aborted = event.wait({ signal: controller.signal });
  const other = event.wait();
  const timed = event.wait({ timeout: 60_000 });
  await delay(10);
  const reason = new Error("stop");
  controller.abort(reason);
  await rejects(aborted, (e) => e === reason);
  strictEqual(event.isSet, false);

  event.set();
  strictEqual(await within(other, "the other waiter wakes"), true);
  strictEqual(await within(timed, "the waiter with a timeout wakes"), true);
  strictEqual(await within(worker, "the Worker wakes"), true);
});

Deno.test("Event: set() wakes every waiting Worker, and again after a clear()", async () => {
  // CPython's test_notify.
  const event = new Event();
  const woken = int32s(1);
  await using workers = startWorkers(3);
  for (const round of [1, 2]) {
    Atomics.store(woken, 0, 0);
    const done = handled(Promise.all(workers.map((worker) =>
      worker.run(
        (_p, event: Event, woken: Int32Array) => {
          const first = event.waitSync();
          Atomics.add(woken, 0, 1);
          return [first, event.waitSync()];
        },
        event.handle,
        woken,
      )
    )));
    await untilAsleep(event, 3);
    await delay(SETTLE_MS);
    strictEqual(Atomics.load(woken, 0), 0, `round ${round}`);
    event.set();
    deepStrictEqual(
      await within(done, "every Worker wakes"),
      [[true, true], [true, true], [true, true]],
    );
    event.set();
    event.clear();
  }
});

Deno.test("Event: set() then clear() still wakes each of 3 waiting Workers", async () => {
  // CPython's test_set_and_clear (gh-57711): every waiter returns true, even
  // though the flag was cleared again before it woke.
  const event = new Event();
  await using workers = startWorkers(3);
  const done = handled(
    Promise.all(
      workers.map((worker) =>
        worker.run((_p, event: Event) => event.waitSync(), event.handle)
      ),
    ),
  );
  await untilAsleep(event, 3);
  event.set();
  event.clear();
  deepStrictEqual(
    await within(done, "every Worker wakes"),
    [true, true, true],
  );
  strictEqual(event.isSet, false);
});

Deno.test("Event: set() then clear() still wakes async waiters", async () => {
  const event = new Event();
  const waits = [event.wait(), event.wait({ timeout: 60_000 })];
  event.set();
  event.clear();
  deepStrictEqual(
    await within(Promise.all(waits), "every waiter wakes"),
    [true, true],
  );
});

Deno.test("Event: a Worker's waitSync returns once the main thread sets", async () => {
  const event = new Event();
  await using workers = startWorkers(1);
  const worker = handled(workers[0]!.run(
    (_p, event: Event) => [event.waitSync(), event.isSet],
    event.handle,
  ));
  await untilAsleep(event, 1);
  event.set();
  deepStrictEqual(await within(worker, "the Worker wakes"), [true, true]);
});

Deno.test("Event: the main thread's wait() returns once a Worker sets", async () => {
  const event = new Event();
  const waiting = event.wait();
  await using workers = startWorkers(1);
  await workers[0]!.run((_p, event: Event) => event.set(), event.handle);
  strictEqual(await within(waiting, "the main thread wakes"), true);
  strictEqual(event.isSet, true);
});

Deno.test("Event: Workers time out on a clear event and pass a set one", async () => {
  // CPython's test_timeout.
  const event = new Event();
  await using workers = startWorkers(2);
  const run = () =>
    Promise.all(workers.map((worker) =>
      worker.run(
        async (_p, event: Event) => [
          event.waitSync({ timeout: 0 }),
          event.waitSync({ timeout: 20 }),
          await event.wait({ timeout: 0 }),
          await event.wait({ timeout: 20 }),
        ],
        event.handle,
      )
    ));
  deepStrictEqual(await run(), [
    [false, false, false, false],
    [false, false, false, false],
  ]);
  event.set();
  deepStrictEqual(await run(), [
    [true, true, true, true],
    [true, true, true, true],
  ]);
});

Deno.test("Event: a two-Worker ping-pong never wakes early nor deadlocks", async () => {
  // set() once wrote the flag and bumped the generation in two steps: a
  // fast waiter could see the flag, clear it, wait again, and be woken by
  // that same set()'s late bump with the flag clear.
  await using workers = startWorkers(2);
  const ping = new Event();
  const pong = new Event();
  const rounds = 20_000;
  const results = await Promise.all([
    workers[0]!.run(
      (_p, ping: Event, pong: Event, rounds: number) => {
        for (let i = 0; i < rounds; i++) {
          ping.set();
          if (!pong.waitSync({ timeout: 5000 })) return `stuck at ${i}`;
          if (!pong.isSet) return `woke early at ${i}`;
          pong.clear();
        }
        return "ok";
      },
      ping.handle,
      pong.handle,
      rounds,
    ),
    workers[1]!.run(
      (_p, ping: Event, pong: Event, rounds: number) => {
        for (let i = 0; i < rounds; i++) {
          if (!ping.waitSync({ timeout: 5000 })) return `stuck at ${i}`;
          if (!ping.isSet) return `woke early at ${i}`;
          ping.clear();
          pong.set();
        }
        return "ok";
      },
      ping.handle,
      pong.handle,
      rounds,
    ),
  ]);
  deepStrictEqual(results, ["ok", "ok"]);
});

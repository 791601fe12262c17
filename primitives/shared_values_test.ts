// Value and SharedArray (Python's multiprocessing.Value and Array), with real
// Workers for the threads: every type round-trips, the Atomics-backed
// helpers are exact with no lock, the lock makes float read-modify-writes
// exact and is shared across Workers, and bad input is refused.
import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { memoryLength, openMemory } from "./_memory.ts";
import { revive } from "./_handle.ts";
import { Barrier } from "./barrier.ts";
import { Event } from "./event.ts";
import { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";
import { type ElementOf, Value, type ValueType } from "./value.ts";
import { SharedArray } from "./shared_array.ts";
import { handled, startWorkers, within } from "../testing/workers.ts";

// Edge values of every type: the limits, negative zero, NaN and infinities.
const SAMPLES: { [T in ValueType]: ElementOf<T>[] } = {
  i8: [0, 1, -1, -128, 127],
  u8: [0, 1, 128, 255],
  i16: [0, -32768, 32767, -2],
  u16: [0, 1, 65535],
  i32: [0, -2147483648, 2147483647, 12345],
  u32: [0, 4294967295, 2147483648],
  f32: [0, -0, 1.5, -2.25, Math.fround(0.1), Infinity, -Infinity, NaN],
  f64: [0, -0, 0.1, -1e308, Number.MIN_VALUE, Infinity, NaN, Math.PI],
  bigint64: [0n, -1n, -(2n ** 63n), 2n ** 63n - 1n],
  biguint64: [0n, 1n, 2n ** 63n, 2n ** 64n - 1n],
};
const TYPES = Object.keys(SAMPLES) as ValueType[];

/** `RangeError`/`TypeError` whose message contains every one of `parts`. */
function fails(kind: typeof TypeError, ...parts: string[]) {
  return (error: unknown) => {
    ok(error instanceof kind, `expected a ${kind.name}, got ${error}`);
    for (const part of parts) {
      ok(
        (error as Error).message.includes(part),
        `${JSON.stringify((error as Error).message)} lacks ${part}`,
      );
    }
    return true;
  };
}

const isTimeout = (error: unknown) =>
  error instanceof DOMException && error.name === "TimeoutError";

// ---------------------------------------------------------------------------
// Values round-trip

Deno.test("Value: every type round-trips its values through the constructor, set() and a Worker", async () => {
  await using workers = startWorkers(1);
  const values: Value[] = [];
  const writes: unknown[] = [];
  for (const type of TYPES) {
    const samples = SAMPLES[type] as (number | bigint)[];
    for (const sample of samples) {
      const value = new Value(type, sample);
      strictEqual(value.type, type);
      strictEqual(value.value, sample, `${type} ${sample}`);
      strictEqual(value.get(), sample);
      value.set(samples[0]!);
      strictEqual(value.value, samples[0]);
      value.value = sample;
      strictEqual(value.value, sample);
      values.push(value);
      writes.push(samples[(samples.indexOf(sample) + 1) % samples.length]);
    }
  }
  const before = values.map((value) => [value.type, value.value]);
  // The Worker reads every value, then writes the next sample of its type.
  const seen = await workers[0]!.run(
    (_p, writes: (number | bigint)[], ...values: Value[]) => {
      const seen = values.map((value) => [value.type, value.value]);
      values.forEach((value, i) => value.set(writes[i]!));
      return seen;
    },
    writes,
    ...values.map((value) => value.handle),
  );
  deepStrictEqual(seen, before);
  deepStrictEqual(values.map((value) => value.value), writes);
});

Deno.test("Value: the initial value defaults to zero of the type", () => {
  for (const type of TYPES) {
    strictEqual(
      new Value(type).value,
      type.startsWith("big") ? 0n : 0,
      type,
    );
  }
});

Deno.test("Value: f32 rounds to float32 precision", () => {
  const value = new Value("f32", 0.1);
  strictEqual(value.value, Math.fround(0.1));
  value.value = 1e40;
  strictEqual(value.value, Infinity);
});

Deno.test("SharedArray: every type round-trips its values through the constructor, set() and a Worker", async () => {
  await using workers = startWorkers(1);
  const arrays = TYPES.map((type) => {
    const samples = SAMPLES[type] as (number | bigint)[];
    const arr = new SharedArray(type, samples);
    strictEqual(arr.type, type);
    strictEqual(arr.length, samples.length);
    deepStrictEqual(arr.toArray(), samples, type);
    deepStrictEqual([...arr], samples);
    deepStrictEqual([...arr.array], samples);
    samples.forEach((sample, i) => strictEqual(arr.get(i), sample));
    return arr;
  });
  // The Worker reads every array, then writes it reversed.
  const seen = await workers[0]!.run(
    (_p, ...arrays: SharedArray[]) =>
      arrays.map((arr) => {
        const values = arr.toArray();
        values.toReversed().forEach((value, i) => arr.set(i, value));
        return [arr.type, values];
      }),
    ...arrays.map((arr) => arr.handle),
  );
  deepStrictEqual(
    seen,
    TYPES.map((type) => [type, SAMPLES[type]]),
  );
  arrays.forEach((arr, i) =>
    deepStrictEqual(arr.toArray(), SAMPLES[TYPES[i]!].toReversed())
  );
});

Deno.test("SharedArray: a length gives zeros; values may be any iterable; empty is allowed", () => {
  deepStrictEqual(new SharedArray("f64", 3).toArray(), [0, 0, 0]);
  deepStrictEqual(new SharedArray("biguint64", 2).toArray(), [0n, 0n]);
  deepStrictEqual(
    new SharedArray("i16", new Set([3, -4])).toArray(),
    [3, -4],
  );
  deepStrictEqual(
    new SharedArray("u8", new Uint8Array([9, 8])).toArray(),
    [9, 8],
  );
  const source = new SharedArray("i32", [1, 2]);
  deepStrictEqual(new SharedArray("i32", source).toArray(), [1, 2]);
  const empty = new SharedArray("f32", []);
  strictEqual(empty.length, 0);
  deepStrictEqual(empty.toArray(), []);
  deepStrictEqual(SharedArray.from(empty.handle).toArray(), []);
  // No elements: the buffer holds only the tag that ties it to its array.
  strictEqual(
    memoryLength(openMemory(new SharedArray("u8", 0).handle.data)!),
    8,
  );
});

Deno.test("SharedArray: toArray() is a copy, and `array` is the shared memory", () => {
  const arr = new SharedArray("i32", [1, 2, 3]);
  const copy = arr.toArray();
  copy[0] = 100;
  strictEqual(arr.get(0), 1);
  arr.array[1] = 20;
  strictEqual(arr.get(1), 20);
  strictEqual(SharedArray.from(arr.handle).array[1], 20);
  ok(arr.array instanceof Int32Array);
  strictEqual(arr.array.buffer, openMemory(arr.handle.data));
  strictEqual(arr.array, arr.array);
});

// ---------------------------------------------------------------------------
// Atomic helpers

Deno.test("Value: add, sub, exchange and compareExchange return the value before, and wrap around", () => {
  const i8 = new Value("i8", 127);
  strictEqual(i8.add(1), 127);
  strictEqual(i8.value, -128);
  strictEqual(i8.sub(1), -128);
  strictEqual(i8.value, 127);
  const u8 = new Value("u8", 0);
  strictEqual(u8.sub(1), 0);
  strictEqual(u8.value, 255);
  strictEqual(u8.add(-255), 255);
  strictEqual(u8.value, 0);
  const u32 = new Value("u32", 5);
  strictEqual(u32.exchange(4294967295), 5);
  strictEqual(u32.compareExchange(4294967295, 1), 4294967295);
  strictEqual(u32.compareExchange(4294967295, 2), 1);
  strictEqual(u32.value, 1);
  const big = new Value("bigint64", 2n ** 63n - 1n);
  strictEqual(big.add(1n), 2n ** 63n - 1n);
  strictEqual(big.value, -(2n ** 63n));
  const ubig = new Value("biguint64", 0n);
  strictEqual(ubig.sub(1n), 0n);
  strictEqual(ubig.value, 2n ** 64n - 1n);
  strictEqual(ubig.compareExchange(2n ** 64n - 1n, 7n), 2n ** 64n - 1n);
  strictEqual(ubig.exchange(8n), 7n);
  strictEqual(ubig.value, 8n);
});

Deno.test("Value: add(1) from 4 Workers with no lock counts exactly, each previous value seen once", async () => {
  const PER_WORKER = 20_000;
  await using workers = startWorkers(4);
  const start = new Barrier(4);
  const counter = new Value("i32", 0, { lock: false });
  const big = new Value("bigint64", 0n, { lock: false });
  const results = await within(
    Promise.all(workers.map((worker) =>
      worker.run(
        (
          _p,
          start: Barrier,
          counter: Value<"i32">,
          big: Value<"bigint64">,
          n: number,
        ) => {
          const before = new Int32Array(n);
          start.waitSync(); // all four run at once
          for (let i = 0; i < n; i++) {
            before[i] = counter.add(1);
            big.add(3n);
          }
          return before;
        },
        start.handle,
        counter.handle,
        big.handle,
        PER_WORKER,
      )
    )),
    "the Workers count",
  );
  const total = 4 * PER_WORKER;
  strictEqual(counter.value, total);
  strictEqual(big.value, 3n * BigInt(total));
  // Every value from 0 to total - 1 was returned by exactly one add.
  const seen = new Uint8Array(total);
  for (const before of results) for (const n of before) seen[n]!++;
  ok(seen.every((count) => count === 1));
});

Deno.test("Value: update() under the lock from 3 Workers keeps every f64 increment", async () => {
  const PER_WORKER = 1_500;
  await using workers = startWorkers(3);
  const start = new Barrier(3);
  const total = new Value("f64", 0);
  await within(
    Promise.all(workers.map((worker) =>
      worker.run(
        async (_p, start: Barrier, total: Value<"f64">, n: number) => {
          start.waitSync();
          for (let i = 0; i < n; i++) {
            // The three ways to hold the lock around a read-modify-write.
            if (i % 3 === 0) total.updateSync((x) => x + 0.5);
            else if (i % 3 === 1) await total.update((x) => x + 0.5);
            else {
              const lock = total.getLock();
              lock.acquireSync();
              try {
                total.value += 0.5;
              } finally {
                lock.release();
              }
            }
          }
        },
        start.handle,
        total.handle,
        PER_WORKER,
      )
    )),
    "the Workers add",
  );
  strictEqual(total.value, 3 * PER_WORKER * 0.5);
  strictEqual(total.getLock().locked, false);
});

Deno.test("SharedArray: Workers fill their own slices and the main thread sees every element", async () => {
  const SLICE = 1_000;
  await using workers = startWorkers(4);
  const squares = new SharedArray("f64", 4 * SLICE);
  const hits = new SharedArray("i32", 10, { lock: false });
  await within(
    Promise.all(workers.map((worker, w) =>
      worker.run(
        (
          _p,
          squares: SharedArray<"f64">,
          hits: SharedArray<"i32">,
          start: number,
          end: number,
        ) => {
          for (let i = start; i < end; i++) {
            // Half through set(), half through the raw view.
            if (i % 2 === 0) squares.set(i, i * i + 0.5);
            else squares.array[i] = i * i + 0.5;
            Atomics.add(hits.array, i % hits.length, 1);
          }
        },
        squares.handle,
        hits.handle,
        w * SLICE,
        (w + 1) * SLICE,
      )
    )),
    "the Workers fill the array",
  );
  const values = squares.toArray();
  for (let i = 0; i < values.length; i++) strictEqual(values[i], i * i + 0.5);
  deepStrictEqual(hits.toArray(), new Array(10).fill(4 * SLICE / 10));
});

Deno.test("SharedArray: update() under the lock from 2 Workers keeps every increment", async () => {
  const PER_WORKER = 1_000;
  await using workers = startWorkers(2);
  const start = new Barrier(2);
  const sums = new SharedArray("f32", 2);
  await within(
    Promise.all(workers.map((worker) =>
      worker.run(
        async (_p, start: Barrier, sums: SharedArray<"f32">, n: number) => {
          start.waitSync();
          for (let i = 0; i < n; i++) {
            sums.updateSync(i % 2, (x) => x + 0.25);
            await sums.update(1 - i % 2, (x) => x + 0.25);
          }
        },
        start.handle,
        sums.handle,
        PER_WORKER,
      )
    )),
    "the Workers add",
  );
  deepStrictEqual(sums.toArray(), [PER_WORKER * 0.5, PER_WORKER * 0.5]);
});

// ---------------------------------------------------------------------------
// The lock

Deno.test("Value: getLock() is shared with Workers: one held there blocks the main thread", async () => {
  await using workers = startWorkers(1);
  const value = new Value("f64", 1);
  const held = new Event();
  const done = new Event();
  const running = handled(workers[0]!.run(
    (p, value: Value<"f64">, held: Event, done: Event) => {
      const lock = value.getLock();
      lock.acquireSync();
      value.value = 2;
      held.set();
      done.waitSync();
      value.value += 1;
      lock.release();
      return lock instanceof p.RLock;
    },
    value.handle,
    held.handle,
    done.handle,
  ));
  try {
    await within(held.wait(), "the Worker holds the lock");
    ok(value.getLock() instanceof RLock);
    strictEqual(value.getLock().locked, true);
    strictEqual(value.getLock().tryAcquire(), false);
    throws(() => value.updateSync((x) => x * 10, { timeout: 0 }), isTimeout);
    await rejects(value.update((x) => x * 10, { timeout: 10 }), isTimeout);
    strictEqual(value.value, 2);
  } finally {
    done.set();
  }
  strictEqual(await within(running, "the Worker releases"), true);
  strictEqual(value.value, 3);
  strictEqual(value.updateSync((x) => x * 10), 30);
  strictEqual(value.getLock().tryAcquire(), true);
  value.getLock().release();
});

Deno.test("SharedArray and Value: a Lock passed as `lock` is shared by both, across Workers", async () => {
  await using workers = startWorkers(1);
  const lock = new Lock();
  const arr = new SharedArray("u8", 2, { lock });
  const value = new Value("u8", 0, { lock });
  strictEqual(arr.getLock(), lock);
  strictEqual(value.getLock(), lock);
  strictEqual(arr.handle.parts[0]!.kind, "Lock");
  const held = new Event();
  const done = new Event();
  const running = handled(workers[0]!.run(
    (p, arr: SharedArray<"u8">, held: Event, done: Event) => {
      const lock = arr.getLock();
      lock.acquireSync();
      held.set();
      done.waitSync();
      lock.release();
      return lock instanceof p.Lock;
    },
    arr.handle,
    held.handle,
    done.handle,
  ));
  try {
    await within(held.wait(), "the Worker holds the lock");
    strictEqual(value.getLock().tryAcquire(), false);
    throws(() => arr.updateSync(0, (x) => x + 1, { timeout: 0 }), isTimeout);
    await rejects(value.update((x) => x + 1, { timeout: 10 }), isTimeout);
  } finally {
    done.set();
  }
  strictEqual(await within(running, "the Worker releases"), true);
  strictEqual(arr.updateSync(0, (x) => x + 1), 1);
  strictEqual(value.updateSync((x) => x + 1), 1);
  strictEqual(lock.locked, false);
});

Deno.test("Value: update() re-enters an RLock this thread holds, and times out on a held Lock", async () => {
  const value = new Value("i32", 1);
  {
    using _ = value.getLock().holdSync();
    strictEqual(value.updateSync((x) => x + 1), 2);
    strictEqual(await value.update((x) => x + 1), 3);
  }
  strictEqual(value.getLock().locked, false);
  const plain = new Value("i32", 1, { lock: new Lock() });
  {
    using _ = plain.getLock().holdSync();
    throws(() => plain.updateSync((x) => x + 1, { timeout: 0 }), isTimeout);
    await rejects(plain.update((x) => x + 1, { timeout: 5 }), isTimeout);
  }
  strictEqual(plain.value, 1);
  const reason = new Error("stop");
  await rejects(
    plain.update((x) => x + 1, { signal: AbortSignal.abort(reason) }),
    (error) => error === reason,
  );
  strictEqual(plain.getLock().locked, false);
});

Deno.test("Value and SharedArray: with lock: false, getLock() and update() throw TypeError and the rest works", async () => {
  const value = new Value("i32", 1, { lock: false });
  const noLock = fails(TypeError, "no lock", "lock: false");
  throws(() => value.getLock(), noLock);
  throws(() => value.updateSync((x) => x + 1), noLock);
  await rejects(value.update((x) => x + 1), noLock);
  deepStrictEqual(value.handle.parts, []);
  const copy = Value.from<"i32">(value.handle);
  throws(() => copy.getLock(), noLock);
  strictEqual(copy.add(1), 1);
  strictEqual(value.value, 2);

  const arr = new SharedArray("f64", [1], { lock: false });
  throws(() => arr.getLock(), noLock);
  throws(() => arr.updateSync(0, (x) => x + 1), noLock);
  await rejects(arr.update(0, (x) => x + 1), noLock);
  deepStrictEqual(arr.handle.parts, []);
  arr.set(0, 2.5);
  strictEqual(SharedArray.from(arr.handle).get(0), 2.5);
});

Deno.test("Value: an update whose fn throws or returns a bad value changes nothing and frees the lock", async () => {
  const value = new Value("i32", 5);
  const boom = new Error("boom");
  throws(() =>
    value.updateSync(() => {
      throw boom;
    }), (error) => error === boom);
  await rejects(
    value.update(() => {
      throw boom;
    }),
    (error) => error === boom,
  );
  throws(
    () => value.updateSync(() => 1.5),
    fails(RangeError, "the result of 'fn'", "1.5", '"i32"'),
  );
  await rejects(
    value.update(() => "6" as never),
    fails(TypeError, "the result of 'fn'", '"6"'),
  );
  throws(
    () => value.updateSync(42 as never),
    fails(TypeError, "'fn' must be a function", "42"),
  );
  strictEqual(value.value, 5);
  strictEqual(value.getLock().locked, false);
  strictEqual(value.updateSync((x) => x + 1), 6);
});

// ---------------------------------------------------------------------------
// Bad input

Deno.test("Value and SharedArray: a bad type is a TypeError or a RangeError listing the valid ones", () => {
  for (
    const make of [
      (type: unknown) => new Value(type as ValueType),
      (type: unknown) => new SharedArray(type as ValueType, 1),
    ]
  ) {
    throws(() => make(42), fails(TypeError, "'type' must be a string", "42"));
    throws(() => make(undefined), fails(TypeError, "undefined"));
    for (const bad of ["int", "u8clamped", "I32", "f16", ""]) {
      throws(
        () => make(bad),
        fails(RangeError, JSON.stringify(bad), '"i8"', '"f64"', '"biguint64"'),
      );
    }
  }
});

Deno.test("Value: a value of the wrong type or out of range is refused and the value is unchanged", () => {
  throws(
    () => new Value("i32", 1n as never),
    fails(TypeError, "'initial' must be a number", '"i32"', "1n"),
  );
  throws(
    () => new Value("bigint64", 1 as never),
    fails(TypeError, "'initial' must be a bigint", '"bigint64"', "received 1"),
  );
  throws(() => new Value("i32", 1.5), fails(RangeError, "1.5"));
  throws(() => new Value("u8", 256), fails(RangeError, "from 0 to 255", "256"));
  throws(() => new Value("i8", -129), fails(RangeError, "-129"));
  throws(() => new Value("u32", NaN), fails(RangeError, "NaN"));
  throws(() => new Value("biguint64", -1n), fails(RangeError, "-1n"));
  throws(
    () => new Value("bigint64", 2n ** 63n),
    fails(RangeError, "9223372036854775808n"),
  );
  throws(
    () => new Value("f64", "1" as never),
    fails(TypeError, '"1"'),
  );
  throws(
    () => new Value("i32", 0, { lock: "yes" as never }),
    fails(TypeError, "'lock'", '"yes"'),
  );
  throws(
    () => new Value("i32", 0, { lock: new Event() as never }),
    fails(TypeError, "'lock'", "an Event"),
  );
  throws(
    () => new Value("i32", 0, 5 as never),
    fails(TypeError, "'options'", "5"),
  );

  const value = new Value("u16", 7);
  throws(() => value.set(-1), fails(RangeError, "Cannot set Value", "-1"));
  throws(() => (value.value = 1n as never), fails(TypeError, "1n"));
  throws(() => value.add(1.5), fails(RangeError, "'n'", "1.5"));
  throws(() => value.add(1n as never), fails(TypeError, "'n'", "1n"));
  throws(() => value.exchange(70000), fails(RangeError, "70000"));
  throws(
    () => value.compareExchange(-1, 1),
    fails(RangeError, "'expected'", "-1"),
  );
  const float = new Value("f64", 0.5);
  for (
    const op of [
      () => float.add(1),
      () => float.sub(1),
      () => float.exchange(1),
      () => float.compareExchange(0.5, 1),
    ]
  ) {
    throws(op, fails(TypeError, '"f64" is a float type', "update"));
  }
  strictEqual(value.value, 7);
  strictEqual(float.value, 0.5);
  value.value = 8;
  strictEqual(value.add(1), 8);
  strictEqual(value.value, 9);
});

Deno.test("SharedArray: a bad length or bad values are refused", () => {
  throws(
    () => new SharedArray("i32", -1),
    fails(RangeError, "'length'", "-1"),
  );
  throws(() => new SharedArray("i32", 1.5), fails(RangeError, "1.5"));
  throws(() => new SharedArray("i32", NaN), fails(RangeError, "NaN"));
  throws(
    () => new SharedArray("i32", "3" as never),
    fails(TypeError, "'lengthOrValues'", '"3"'),
  );
  throws(
    () => new SharedArray("i32", 3n as never),
    fails(TypeError, "'lengthOrValues'", "3n"),
  );
  throws(() => new SharedArray("i32", null as never), fails(TypeError, "null"));
  throws(
    () => new SharedArray("i32", [1, 2n] as never),
    fails(TypeError, "'values[1]'", "2n"),
  );
  throws(
    () => new SharedArray("bigint64", [1n, 2] as never),
    fails(TypeError, "'values[1]'", "received 2"),
  );
  throws(
    () => new SharedArray("u8", [1, 300]),
    fails(RangeError, "'values[1]'", "300"),
  );
  throws(
    () => new SharedArray("f64", 1, { lock: 1 as never }),
    fails(TypeError, "'lock'", "1"),
  );
});

Deno.test("SharedArray: an index out of range or of the wrong type is refused and the array still works", async () => {
  const arr = new SharedArray("i32", 10);
  for (const index of [10, -1, 1.5, NaN, Infinity]) {
    throws(
      () => arr.get(index),
      fails(RangeError, "Cannot get", "from 0 to 9", `received ${index}`),
    );
    throws(() => arr.set(index, 1), fails(RangeError, `received ${index}`));
    throws(() => arr.updateSync(index, (x) => x), RangeError);
    await rejects(arr.update(index, (x) => x), RangeError);
  }
  throws(() => arr.get("0" as never), fails(TypeError, "'index'", '"0"'));
  throws(() => arr.set(undefined as never, 1), fails(TypeError, "undefined"));
  throws(() => arr.set(0, 1n as never), fails(TypeError, "'value'", "1n"));
  throws(() => arr.set(0, 2 ** 31), fails(RangeError, "2147483648"));
  throws(
    () => new SharedArray("u8", 0).get(0),
    fails(RangeError, "empty", "received 0"),
  );
  deepStrictEqual(arr.toArray(), new Array(10).fill(0));
  arr.set(9, -5);
  strictEqual(arr.get(9), -5);
  strictEqual(arr.updateSync(9, (x) => x * 2), -10);
});

// ---------------------------------------------------------------------------
// Handles

Deno.test("Value and SharedArray: handles survive structuredClone and revive as their class, with the lock", () => {
  const value = new Value("f64", 1.25);
  const arr = new SharedArray("i16", [1, 2]);
  const valueCopy = revive(structuredClone(value.handle));
  const arrCopy = revive(structuredClone(arr.handle));
  ok(valueCopy instanceof Value);
  ok(arrCopy instanceof SharedArray);
  strictEqual(valueCopy.value, 1.25);
  deepStrictEqual(arrCopy.toArray(), [1, 2]);
  strictEqual(value.handle.parts[0]!.kind, "RLock");
  strictEqual(arr.handle.parts[0]!.kind, "RLock");
  valueCopy.getLock().acquireSync();
  strictEqual(value.getLock().locked, true);
  valueCopy.getLock().release();
  arrCopy.getLock().acquireSync();
  strictEqual(arr.getLock().locked, true);
  arrCopy.getLock().release();
  // Two values never share memory.
  notStrictEqual(new Value("i32").handle.byteOffset, value.handle.byteOffset);
});

Deno.test("Value.from and SharedArray.from refuse foreign handles with a TypeError, and leave nothing behind", () => {
  const value = new Value("i32", 1);
  const arr = new SharedArray("f64", [1, 2]);
  throws(() => Value.from(new Lock().handle), fails(TypeError, '"Lock"'));
  throws(() => Value.from(arr.handle), fails(TypeError, '"SharedArray"'));
  throws(() => SharedArray.from(value.handle), fails(TypeError, '"Value"'));
  for (const bad of [null, undefined, 42, "Value", {}, []]) {
    throws(() => Value.from(bad as never), TypeError);
    throws(() => SharedArray.from(bad as never), TypeError);
  }
  // The elements' buffer must match the header.
  const short = { ...arr.handle, data: new SharedArrayBuffer(8) };
  throws(
    () => SharedArray.from(short),
    fails(TypeError, "'data'", "24 bytes", "one of 8 bytes"), // 16 and a tag
  );
  throws(
    () => SharedArray.from({ ...arr.handle, data: undefined } as never),
    fails(TypeError, "'data'", "undefined"),
  );
  // The lock must be there, and be a lock.
  throws(
    () => Value.from({ ...value.handle, parts: [] }),
    fails(TypeError, "'parts'"),
  );
  throws(
    () =>
      Value.from({
        ...value.handle,
        parts: [new Value("i32", 0, { lock: false }).handle],
      }),
    fails(TypeError, "a Lock or an RLock", '"Value"'),
  );
  throws(
    () => Value.from({ ...value.handle, parts: [{ kind: "RLock" }] } as never),
    fails(TypeError, "a Lock or an RLock", "an object"),
  );
  throws(
    () =>
      SharedArray.from({
        ...new SharedArray("u8", 1, { lock: false }).handle,
        parts: [new Lock().handle],
      }),
    fails(TypeError, "'parts'"),
  );
  // A handle of another memory: a Value's header is not a SharedArray's.
  throws(
    () =>
      Value.from({ ...value.handle, byteOffset: value.handle.byteOffset + 8 }),
    TypeError,
  );
  // Nothing opened by a failed from() leaks into the next constructor.
  const fresh = new Value("i32", 5);
  notStrictEqual(fresh.handle.byteOffset, value.handle.byteOffset);
  strictEqual(fresh.value, 5);
  strictEqual(value.value, 1);
  const freshArray = new SharedArray("u8", [7]);
  deepStrictEqual(freshArray.toArray(), [7]);
  deepStrictEqual(arr.toArray(), [1, 2]);
  strictEqual(Value.from(value.handle).add(1), 1);
  strictEqual(value.value, 2);
});

Deno.test("Value: inside a queue item it arrives as a Value sharing the memory; a SharedArray is refused", async () => {
  const { SimpleQueue } = await import("./queue.ts");
  const queue = new SimpleQueue<[Value<"i32">]>();
  const value = new Value("i32", 5);
  queue.put([value]);
  const [copy] = queue.getNowait();
  ok(copy instanceof Value);
  copy.value = 7;
  strictEqual(value.value, 7);
  // A SharedArray's elements live in a buffer of their own, which bytes in
  // shared memory cannot name: its handle goes by postMessage instead.
  throws(
    () => queue.put([new SharedArray("f64", 2)] as never),
    { name: "TypeError", message: /SharedArray cannot travel inside an item/ },
  );
  strictEqual(queue.qsize(), 0);
});

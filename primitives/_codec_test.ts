// The codec on its own (encode, then decode) and through a Queue between the
// main thread and a Worker: every value it carries arrives equal, every value
// it cannot carry is a TypeError before anything is enqueued, and the
// primitives of this module arrive as the same class, sharing their state.

import "./_codec_clone.ts"; // node:v8 for the codec
import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import {
  CLONE,
  CLONE_WITH_PRIMITIVES,
  decode,
  encode,
  PLAIN,
  received,
  written,
} from "./_codec.ts";
import { heap } from "./_heap.ts";
import { Barrier } from "./barrier.ts";
import { Condition } from "./condition.ts";
import { Event } from "./event.ts";
import { Lock } from "./lock.ts";
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from "./queue.ts";
import { RLock } from "./rlock.ts";
import { BoundedSemaphore, Semaphore } from "./semaphore.ts";
import {
  handled,
  type Parallel,
  startWorkers,
  waitFor,
  within,
} from "../testing/workers.ts";

function roundTrip<T>(value: T): T {
  const encoded = encode(value, heap(), "Cannot test");
  return decode(encoded.tag, encoded.bytes) as T;
}

function tagOf(value: unknown): number {
  return encode(value, heap(), "Cannot test").tag;
}

/** Every kind of value the codec carries, made fresh (some are cyclic). */
function supported(): Record<string, unknown> {
  const sparse: unknown[] = [1, , 3]; // a hole at 1
  sparse.length = 6; // and holes at the end
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const cyclicArray: unknown[] = ["a"];
  cyclicArray.push(cyclicArray);
  const shared = { shared: true };
  const nullProto = Object.assign(Object.create(null), { a: 1, b: [2] });
  const buffer = new ArrayBuffer(16);
  new Uint8Array(buffer).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  return {
    // The PLAIN fast path.
    "empty string": "",
    "ASCII string": "hello",
    "non-BMP string": "a😀b𝄞c\u{10FFFF}",
    "lone high surrogate": "x\uD800y",
    "lone low surrogate": "x\uDC00y",
    "surrogates in the wrong order": "\uDC00\uD800",
    "lone surrogate at the end": "end\uDBFF",
    "control characters": '\u0000\u0001\n\t"\\\u2028\u2029',
    "long string": "ab😀".repeat(30_000),
    "integer": 42,
    "negative float": -1.5e-300,
    "largest number": Number.MAX_VALUE,
    "true": true,
    "false": false,
    "null": null,
    "nested objects and arrays": {
      a: [1, "two", { three: [3, [4, [5]]] }],
      b: { c: { d: { e: null } } },
      "": "empty key",
      "__proto__ look-alike": 1,
    },
    "array of strings": ["a", "😀", "\uD800"],
    "NaN": NaN,
    "-0": -0,
    "Infinity": Infinity,
    "-Infinity": -Infinity,
    "undefined": undefined,
    "object with undefined": { a: undefined, b: [undefined] },
    // node:v8.
    "bigint": 2n ** 100n,
    "negative bigint": -(2n ** 64n),
    "sparse array": sparse,
    "Map": new Map<unknown, unknown>([
      ["a", 1],
      [2, { two: 2 }],
      [shared, new Set([shared])],
    ]),
    "Set": new Set([1, "a", NaN, -0, null, undefined, shared]),
    "Date": new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789)),
    "invalid Date": new Date(NaN),
    "RegExp": /a(b)?c\u{1F600}/giu,
    "RegExp with lastIndex 0 and sticky flag": /x/y,
    "Error": new Error("plain"),
    "TypeError": new TypeError("wrong type"),
    "RangeError": new RangeError("out of range"),
    "SyntaxError": new SyntaxError("syntax"),
    "ReferenceError": new ReferenceError("reference"),
    "EvalError": new EvalError("eval"),
    "URIError": new URIError("uri"),
    "Uint8Array": new Uint8Array([0, 1, 255]),
    "Int8Array": new Int8Array([-128, 0, 127]),
    "Uint8ClampedArray": new Uint8ClampedArray([0, 128, 255]),
    "Int16Array": new Int16Array([-32768, 32767]),
    "Uint16Array": new Uint16Array([0, 65535]),
    "Int32Array": new Int32Array([-(2 ** 31), 2 ** 31 - 1]),
    "Uint32Array": new Uint32Array([0, 2 ** 32 - 1]),
    "Float32Array": new Float32Array([1.5, NaN, -0, Infinity]),
    "Float64Array": new Float64Array([Math.PI, NaN, -0, -Infinity]),
    "BigInt64Array": new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
    "BigUint64Array": new BigUint64Array([0n, 2n ** 64n - 1n]),
    "typed array at an offset": new Uint16Array(buffer, 4, 3),
    "DataView": new DataView(buffer, 2, 5),
    "ArrayBuffer": buffer,
    "empty ArrayBuffer": new ArrayBuffer(0),
    "boxed values": [new Number(3), new String("s"), new Boolean(false)],
    "cyclic object": cyclic,
    "cyclic array": cyclicArray,
    // An object reached twice, so off the PLAIN path: it would copy the
    // shared object once per reference.
    "shared references": { first: shared, second: shared, none: undefined },
    "object with a null prototype": nullProto,
    "deep nesting": JSON.parse("[".repeat(100) + "]".repeat(100)),
    "plain data with a Date inside": { when: new Date(0), list: [1, 2] },
  };
}

/** What structured clone makes of a value: an object with a null prototype arrives plain. */
function expected(name: string, value: unknown): unknown {
  return name === "object with a null prototype"
    ? { ...(value as object) }
    : value;
}

/** Checks that deepStrictEqual does not make. */
function checkDetails(name: string, out: unknown): void {
  switch (name) {
    case "-0":
      ok(Object.is(out, -0), "-0 arrived as 0");
      break;
    case "sparse array": {
      const array = out as unknown[];
      strictEqual(array.length, 6);
      deepStrictEqual(Object.keys(array), ["0", "2"]);
      break;
    }
    case "cyclic object": {
      const object = out as Record<string, unknown>;
      strictEqual(object.self, object);
      break;
    }
    case "cyclic array": {
      const array = out as unknown[];
      strictEqual(array[1], array);
      break;
    }
    case "shared references": {
      const object = out as Record<string, unknown>;
      strictEqual(object.first, object.second);
      break;
    }
    case "Map": {
      const keys = [...(out as Map<unknown, unknown>).keys()];
      const set = (out as Map<unknown, Set<unknown>>).get(keys[2]);
      strictEqual([...set!][0], keys[2]);
      break;
    }
    case "object with a null prototype":
      strictEqual(Object.getPrototypeOf(out), Object.prototype);
      break;
    case "Error":
    case "TypeError":
    case "RangeError":
      ok(out instanceof Error);
      strictEqual((out as Error).name, name);
      break;
    case "typed array at an offset": {
      const array = out as Uint16Array;
      deepStrictEqual([...array], [0x0605, 0x0807, 0x0a09]);
      break;
    }
  }
}

// ---------------------------------------------------------------------------
// encode and decode

Deno.test("codec: every supported value survives encode and decode", () => {
  for (const [name, value] of Object.entries(supported())) {
    const out = roundTrip(value);
    deepStrictEqual(out, expected(name, value), name);
    checkDetails(name, out);
    if (typeof value === "object" && value !== null) {
      notStrictEqual(out, value, `${name} was not copied`);
    }
  }
});

Deno.test("codec: strings keep every UTF-16 code unit, lone surrogates included", () => {
  const units = new Uint16Array(0x10000).map((_, i) => i);
  let all = "";
  for (let i = 0; i < units.length; i += 4096) {
    all += String.fromCharCode(...units.subarray(i, i + 4096));
  }
  for (const text of [all, all.split("").reverse().join("")]) {
    const out = roundTrip(text);
    strictEqual(out.length, text.length);
    ok(out === text, "a code unit changed");
    const inArray = roundTrip([text, -0]); // through node:v8 this time
    ok(inArray[0] === text, "a code unit changed in node:v8");
  }
});

Deno.test("codec: plain data takes the PLAIN path, the rest node:v8", () => {
  for (
    const value of [
      "s",
      1,
      true,
      null,
      { a: [1, { b: "c" }] },
      [],
      {},
      Object.create(null),
      undefined,
      NaN,
      -0,
      Infinity,
      { a: undefined },
      [undefined],
    ]
  ) {
    strictEqual(tagOf(value), PLAIN, Deno.inspect(value));
  }
  for (
    const value of [
      1n,
      [1, , 3],
      [1, 2, ,],
      new Date(0),
      new Map(),
      { nested: [new Set()] },
      new Uint8Array(1),
      new (class Point {
        x = 1;
      })(),
    ]
  ) {
    strictEqual(tagOf(value), CLONE);
  }
  strictEqual(tagOf({ lock: new Lock() }), CLONE_WITH_PRIMITIVES);
  strictEqual(tagOf(new Event()), CLONE_WITH_PRIMITIVES);
});

Deno.test("codec: an instance of a class arrives as a plain object with its own fields", () => {
  class Point {
    x = 1;
    y = 2;
    get sum() {
      return this.x + this.y;
    }
  }
  const out = roundTrip(new Point());
  strictEqual(Object.getPrototypeOf(out), Object.prototype);
  deepStrictEqual(out, { x: 1, y: 2 });
});

/** Values that cannot be sent, each with what its message must say. */
function unsupported(): [string, unknown, RegExp][] {
  const fn = function named() {};
  return [
    ["a function", fn, /function named cannot be sent to another thread/],
    ["an arrow function", () => 1, /function .* cannot be sent/],
    ["a symbol", Symbol("s"), /Symbol\(s\) cannot be sent to another thread/],
    [
      "an object containing a function",
      { a: { b: [1, fn] } },
      /function named/,
    ],
    ["a Map holding a function", new Map([["k", fn]]), /function named/],
    ["a Map keyed by a symbol", new Map([[Symbol("k"), 1]]), /Symbol\(k\)/],
    ["a Set holding a symbol", new Set([Symbol("t")]), /Symbol\(t\)/],
    ["a class", class Thing {}, /function Thing/],
    ["a Queue", new Queue(), /a Queue cannot travel inside an item/],
    ["a Queue in an object", { q: new Queue() }, /a Queue cannot travel/],
    ["a LifoQueue", [new LifoQueue()], /a LifoQueue cannot travel/],
    [
      "a PriorityQueue",
      new Map([[1, new PriorityQueue()]]),
      /a PriorityQueue cannot travel/,
    ],
    ["a SimpleQueue", new Set([new SimpleQueue()]), /a SimpleQueue cannot/],
    ["a SharedArrayBuffer", new SharedArrayBuffer(8), /cannot be sent/],
    ["a WeakMap", { w: new WeakMap() }, /cannot be sent/],
    ["a Promise", Promise.resolve(1), /cannot be sent/],
  ];
}

Deno.test("codec: a value that cannot be sent is a TypeError at encode", () => {
  for (const [name, value, message] of unsupported()) {
    throws(
      () => encode(value, heap(), "Cannot put into Queue"),
      (error: Error) =>
        error instanceof TypeError &&
        error.message.startsWith("Cannot put into Queue: ") &&
        message.test(error.message),
      name,
    );
  }
});

Deno.test("codec: a refused put is a TypeError in every face and enqueues nothing", async () => {
  const queue = new Queue<unknown>(4);
  const simple = new SimpleQueue<unknown>();
  const priority = new PriorityQueue<unknown>();
  for (const [name, value] of unsupported()) {
    throws(() => queue.putNowait(value), TypeError, name);
    throws(() => queue.putSync(value), TypeError, name);
    throws(() => queue.putSync(value, { timeout: 0 }), TypeError, name);
    await rejects(queue.put(value), TypeError, name);
    throws(() => simple.put(value), TypeError, name);
    throws(() => priority.putNowait([1, value]), TypeError, name);
    await rejects(priority.put([1, value]), TypeError, name);
  }
  // Nothing was enqueued, nor counted as a task.
  strictEqual(queue.qsize(), 0);
  strictEqual(simple.qsize(), 0);
  strictEqual(priority.qsize(), 0);
  strictEqual(queue.joinSync({ timeout: 0 }), true);
  throws(() => queue.taskDone(), RangeError);
  // A refused put into a full queue throws TypeError, not QueueFull.
  for (let i = 0; i < 4; i++) queue.putNowait(i);
  throws(() => queue.putNowait(() => 1), TypeError);
  // And the next items are the good ones.
  for (let i = 0; i < 4; i++) strictEqual(queue.getNowait(), i);
  simple.put("ok");
  strictEqual(simple.getNowait(), "ok");
});

// ---------------------------------------------------------------------------
// Through a Queue, between main and a Worker

/** Runs in a Worker: takes `n` items from `from`, puts each back into `to`. */
function echo(
  _p: Parallel,
  from: Queue<unknown>,
  to: Queue<unknown>,
  n: number,
): string[] {
  const kinds: string[] = [];
  for (let i = 0; i < n; i++) {
    const item = from.getSync();
    kinds.push(Object.prototype.toString.call(item));
    to.putSync(item);
  }
  return kinds;
}

Deno.test("codec: every supported value goes to a Worker and back through a Queue", async () => {
  await using workers = startWorkers(1);
  const there = new Queue<unknown>(8); // bounded: the two sides take turns
  const back = new Queue<unknown>();
  const values = supported();
  const names = Object.keys(values);
  const kinds = handled(
    workers[0]!.run(echo, there.handle, back.handle, names.length),
  );
  for (const name of names) await there.put(values[name]);
  const seen = await within(kinds, "the Worker echoes every item");
  for (const [i, name] of names.entries()) {
    const value = values[name];
    const out = await back.get();
    deepStrictEqual(out, expected(name, value), name);
    checkDetails(name, out);
    // The Worker decoded the same kind of value.
    strictEqual(seen[i], Object.prototype.toString.call(value), name);
  }
  strictEqual(back.qsize(), 0);
});

Deno.test("codec: values a Worker makes arrive in main", async () => {
  await using workers = startWorkers(1);
  const queue = new Queue<unknown>();
  await workers[0]!.run((_p: Parallel, queue: Queue<unknown>) => {
    const cyclic: Record<string, unknown> = { n: -0 };
    cyclic.me = cyclic;
    queue.putSync("😀\uD800");
    queue.putSync(new Map([[1n, new Set([new Date(5)])]]));
    queue.putSync(cyclic);
    queue.putSync([NaN, undefined, , new Float64Array([0.5])]);
    queue.putSync(new TypeError("from a Worker"));
  }, queue.handle);
  strictEqual(queue.getNowait(), "😀\uD800");
  deepStrictEqual(
    queue.getNowait(),
    new Map([[1n, new Set([new Date(5)])]]),
  );
  const cyclic = queue.getNowait() as Record<string, unknown>;
  strictEqual(cyclic.me, cyclic);
  ok(Object.is(cyclic.n, -0));
  const array = queue.getNowait() as unknown[];
  deepStrictEqual(array, [NaN, undefined, , new Float64Array([0.5])]);
  ok(!(2 in array));
  const error = queue.getNowait() as Error;
  ok(error instanceof TypeError);
  strictEqual(error.message, "from a Worker");
});

Deno.test("codec: a refused put in a Worker is a TypeError there and enqueues nothing", async () => {
  await using workers = startWorkers(1);
  const queue = new Queue<unknown>();
  const names = await workers[0]!.run(
    async (p: Parallel, queue: Queue<unknown>) => {
      const names: string[] = [];
      const attempts = [
        () => queue.putSync(() => 1),
        () => queue.putNowait({ s: Symbol("x") }),
        () => queue.put(new Map([[1, () => 2]])),
        () => queue.putSync({ inner: new p.Queue() }),
      ];
      for (const attempt of attempts) {
        try {
          await attempt();
          names.push("no error");
        } catch (error) {
          names.push((error as Error).name);
        }
      }
      queue.putSync("after");
      return names;
    },
    queue.handle,
  );
  deepStrictEqual(names, Array(4).fill("TypeError"));
  strictEqual(queue.qsize(), 1);
  strictEqual(queue.getNowait(), "after");
});

// ---------------------------------------------------------------------------
// Primitives inside items

Deno.test("codec: a Lock inside an item is the same lock: a Worker acquires it and main sees it locked", async () => {
  await using workers = startWorkers(1);
  const queue = new Queue<{ lock: Lock; go: Event; note: string }>();
  const lock = new Lock();
  const go = new Event();
  queue.putNowait({ lock, go, note: "take it" });
  const worker = handled(workers[0]!.run(
    (
      p: Parallel,
      queue: Queue<{ lock: Lock; go: Event; note: string }>,
    ) => {
      const { lock, go, note } = queue.getSync();
      const classes = [lock instanceof p.Lock, go instanceof p.Event];
      lock.acquireSync();
      go.waitSync();
      lock.release();
      return { classes, note };
    },
    queue.handle,
  ));
  await waitFor("the Worker holds the lock", () => lock.locked);
  strictEqual(lock.tryAcquire(), false);
  strictEqual(await lock.acquire({ timeout: 10 }), false);
  go.set();
  deepStrictEqual(await worker, { classes: [true, true], note: "take it" });
  strictEqual(lock.locked, false);
  strictEqual(lock.tryAcquire(), true);
  lock.release();
});

Deno.test("codec: an Event inside a Map or a Set is the same event", async () => {
  await using workers = startWorkers(1);
  const queue = new Queue<unknown>();
  const inMap = new Event();
  const inSet = new Event();
  queue.putNowait(new Map([["event", inMap]]));
  queue.putNowait(new Set([inSet]));
  const classes = await workers[0]!.run(
    (p: Parallel, queue: Queue<unknown>) => {
      const map = queue.getSync() as Map<string, Event>;
      const set = queue.getSync() as Set<Event>;
      const [fromSet] = set;
      map.get("event")!.set();
      fromSet!.set();
      return [
        map.get("event") instanceof p.Event,
        fromSet instanceof p.Event,
      ];
    },
    queue.handle,
  );
  deepStrictEqual(classes, [true, true]);
  strictEqual(inMap.isSet, true);
  strictEqual(inSet.isSet, true);
});

Deno.test("codec: a Condition and its lock inside an item share the waiters and the lock", async () => {
  await using workers = startWorkers(1);
  const lock = new Lock();
  const condition = new Condition(lock);
  const ready = new Event();
  const queue = new Queue<{ condition: Condition; lock: Lock; ready: Event }>();
  queue.putNowait({ condition, lock, ready });
  const worker = handled(workers[0]!.run(
    (
      p: Parallel,
      queue: Queue<{ condition: Condition; lock: Lock; ready: Event }>,
    ) => {
      const { condition, lock, ready } = queue.getSync();
      condition.acquireSync();
      // The Condition's lock is the Lock of the item.
      const held = lock.locked && !lock.tryAcquire();
      ready.set();
      const notified = condition.waitSync({ timeout: 10_000 });
      condition.release();
      return {
        held,
        notified,
        classes: condition instanceof p.Condition &&
          condition.lock instanceof p.Lock,
      };
    },
    queue.handle,
  ));
  await ready.wait();
  // The lock is free once the Worker waits: then notify it.
  await condition.acquire();
  condition.notify();
  condition.release();
  deepStrictEqual(await worker, { held: true, notified: true, classes: true });
  strictEqual(lock.locked, false);
});

Deno.test("codec: every primitive arrives as its class, sharing its state, and back", async () => {
  await using workers = startWorkers(1);
  const queue = new Queue<unknown>();
  const back = new Queue<unknown>();
  const semaphore = new Semaphore(3);
  const bounded = new BoundedSemaphore(2);
  const rlock = new RLock();
  const barrier = new Barrier(1);
  const lock = new Lock();
  const event = new Event();
  const self: Record<string, unknown> = { lock };
  self.self = self;
  queue.putNowait({
    semaphore,
    bounded,
    rlock,
    barrier,
    byKey: new Map([[lock, "value"]]),
    twice: [event, event],
    self,
  });
  const seen = await workers[0]!.run(
    (p: Parallel, queue: Queue<unknown>, back: Queue<unknown>) => {
      const item = queue.getSync() as {
        semaphore: Semaphore;
        bounded: BoundedSemaphore;
        rlock: RLock;
        barrier: Barrier;
        byKey: Map<Lock, string>;
        twice: [Event, Event];
        self: { lock: Lock; self: unknown };
      };
      const [key] = item.byKey.keys();
      const classes = [
        item.semaphore.constructor === p.Semaphore,
        item.bounded.constructor === p.BoundedSemaphore,
        item.rlock instanceof p.RLock,
        item.barrier instanceof p.Barrier,
        key instanceof p.Lock,
        item.twice[0] instanceof p.Event,
        item.self.self === item.self,
        item.self.lock instanceof p.Lock,
      ];
      item.semaphore.acquireSync();
      item.bounded.acquireSync();
      item.rlock.acquireSync();
      key!.acquireSync();
      item.twice[0].set();
      const index = item.barrier.waitSync();
      // A primitive made here goes to main too.
      const made = new p.Lock();
      made.acquireSync();
      back.putSync({ made, semaphore: item.semaphore });
      return {
        classes,
        index,
        parties: item.barrier.parties,
        secondSeesSet: item.twice[1].isSet,
        selfLockIsKey: item.self.lock.locked,
      };
    },
    queue.handle,
    back.handle,
  );
  deepStrictEqual(seen, {
    classes: Array(8).fill(true),
    index: 0,
    parties: 1,
    secondSeesSet: true,
    selfLockIsKey: true,
  });
  strictEqual(semaphore.value, 2);
  strictEqual(bounded.value, 1);
  strictEqual(rlock.tryAcquire(), false); // a Worker owns it
  strictEqual(lock.locked, true);
  strictEqual(event.isSet, true);
  const { made, semaphore: again } = back.getNowait() as {
    made: Lock;
    semaphore: Semaphore;
  };
  ok(made instanceof Lock);
  strictEqual(made.locked, true);
  ok(again instanceof Semaphore);
  again.release();
  strictEqual(semaphore.value, 3);
});

Deno.test("codec: a primitive encoded and decoded in one thread is the same primitive", () => {
  const lock = new Lock();
  const copy = roundTrip({ lock }).lock;
  ok(copy instanceof Lock);
  notStrictEqual(copy, lock);
  copy.acquireSync();
  strictEqual(lock.locked, true);
  lock.release();
  strictEqual(copy.locked, false);
  const condition = roundTrip(new Condition(new Lock()));
  ok(condition instanceof Condition);
  ok(condition.lock instanceof Lock);
});

Deno.test("codec: a decoded typed array owns a buffer like structured clone's, shared with no other item", () => {
  // node:v8's serialize()/deserialize() once decoded typed arrays as views
  // into Node's shared Buffer pool: writing one item changed another.
  const a = roundTrip(new Float64Array([1, 2]));
  const b = roundTrip(new Float64Array([3, 4]));
  notStrictEqual(a.buffer, b.buffer);
  new Float64Array(a.buffer).fill(0);
  strictEqual(b[0], 3);
  for (
    const view of [
      new Uint8Array([1, 2, 3]),
      new Uint16Array(new ArrayBuffer(16), 4, 3),
      new DataView(new ArrayBuffer(4)),
    ]
  ) {
    const out = roundTrip(view);
    strictEqual(out.byteOffset, view.byteOffset);
    strictEqual(out.buffer.byteLength, view.buffer.byteLength);
  }
});

Deno.test("codec: an object reached twice in plain data arrives as one object", () => {
  const shared = { n: 1 };
  const out = roundTrip({ first: shared, second: shared });
  strictEqual(out.first, out.second);
  const list = roundTrip([shared, shared]);
  strictEqual(list[0], list[1]);
  // A flat item still takes the PLAIN path.
  strictEqual(encode({ a: 1, b: "x" }, heap(), "Cannot test").tag, PLAIN);
});

// ---------------------------------------------------------------------------
// The PLAIN form

Deno.test("codec: PLAIN keeps every number bit for bit", () => {
  const numbers = [
    0,
    -0,
    1,
    -1,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.EPSILON,
    0.1,
    1 / 3,
    -1.5e-300,
    1e21,
    NaN,
    Infinity,
    -Infinity,
  ];
  for (const number of numbers) {
    strictEqual(tagOf(number), PLAIN, String(number));
    ok(Object.is(roundTrip(number), number), String(number));
  }
  const out = roundTrip({ numbers });
  for (const [i, number] of numbers.entries()) {
    ok(Object.is(out.numbers[i], number), String(number));
  }
});

Deno.test("codec: PLAIN strings of every width and of every length around its cache keep their code units", () => {
  const units = [0x41, 0x7f, 0x80, 0xe9, 0xff, 0x100, 0x20ac, 0xd800, 0xffff];
  for (const unit of units) {
    for (const length of [0, 1, 2, 31, 32, 33, 64, 255, 256, 257, 5000]) {
      const text = "a".repeat(length >> 1) +
        String.fromCharCode(unit).repeat(length - (length >> 1));
      ok(roundTrip(text) === text, `${length} × ${unit.toString(16)}`);
      const out = roundTrip({ [text]: text, list: [text, text] });
      deepStrictEqual(Object.keys(out), [text, "list"]);
      ok(out[text] === text && out.list[1] === text);
    }
  }
  // Many distinct short strings: the cache of read strings is shared by all
  // of them, and a slot taken by another string is no hit.
  for (let i = 0; i < 5000; i++) {
    const key = `k${i}`;
    const value = `v${(i * 7919) % 5000}`;
    deepStrictEqual(roundTrip({ [key]: value }), { [key]: value });
  }
});

Deno.test("codec: a '__proto__' key of an item arrives as its own property, not as its prototype", () => {
  const value = JSON.parse('{"a": 1, "__proto__": {"polluted": true}}');
  const out = roundTrip(value);
  strictEqual(Object.getPrototypeOf(out), Object.prototype);
  ok(Object.hasOwn(out, "__proto__"));
  deepStrictEqual(Object.keys(out), ["a", "__proto__"]);
  deepStrictEqual(Object.getOwnPropertyDescriptor(out, "__proto__"), {
    value: { polluted: true },
    writable: true,
    enumerable: true,
    configurable: true,
  });
  strictEqual(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("codec: PLAIN carries own enumerable string keys, in their order", () => {
  const value: Record<string | symbol, unknown> = {
    b: 1,
    2: "x",
    a: 2,
    1: "y",
  };
  Object.defineProperty(value, "hidden", { value: 3, enumerable: false });
  value[Symbol("s")] = 4;
  const out = roundTrip(value);
  strictEqual(tagOf(value), PLAIN);
  deepStrictEqual(Reflect.ownKeys(out), ["1", "2", "b", "a"]);
  deepStrictEqual(out, { 1: "y", 2: "x", b: 1, a: 2 });
});

Deno.test("codec: an enumerable property added to Object.prototype does not travel with items", () => {
  const prototype = Object.prototype as Record<string, unknown>;
  prototype.added = "inherited";
  try {
    const out = roundTrip({ a: 1, nested: { b: [2] } });
    deepStrictEqual(Object.keys(out), ["a", "nested"]);
    deepStrictEqual(Object.keys(out.nested), ["b"]);
    ok(!Object.hasOwn(out, "added"));
  } finally {
    delete prototype.added;
  }
  deepStrictEqual(Object.keys(roundTrip({ a: 1 })), ["a"]);
});

Deno.test("codec: a getter of an item that puts another item leaves both intact", () => {
  const queue = new Queue<unknown>();
  const shared = { s: 1 };
  const inner = { inner: "i".repeat(100), twice: [shared, shared] };
  let calls = 0;
  const item = {
    first: shared,
    // Read once by the PLAIN walk, once more by node:v8's.
    get middle() {
      if (calls++ === 0) queue.putNowait(inner);
      return "m".repeat(50);
    },
    last: shared, // reached twice: the item still goes through node:v8
  };
  queue.putNowait(item);
  queue.putNowait({ after: [1, 2] });
  const gotInner = queue.getNowait() as typeof inner;
  deepStrictEqual(gotInner, inner);
  strictEqual(gotInner.twice[0], gotInner.twice[1]);
  const got = queue.getNowait() as Record<string, unknown>;
  deepStrictEqual(got, { first: shared, middle: "m".repeat(50), last: shared });
  strictEqual(got.first, got.last);
  deepStrictEqual(queue.getNowait(), { after: [1, 2] });
  // All the way through PLAIN: the getter is read once.
  queue.putNowait({
    a: "x",
    get b() {
      queue.putNowait({ z: [1, "z"] });
      return "y";
    },
    c: ["w"],
  });
  deepStrictEqual(queue.getNowait(), { z: [1, "z"] });
  deepStrictEqual(queue.getNowait(), { a: "x", b: "y", c: ["w"] });
  strictEqual(queue.qsize(), 0);
});

Deno.test("codec: an item far larger than the scratch buffers, then small ones", () => {
  const big = {
    text: "é".repeat(3 * 1024 * 1024),
    list: new Array(1000).fill(1.5),
  };
  const queue = new Queue<unknown>();
  queue.putNowait(big);
  ok(written.bytes.length <= 1024 * 1024, "the write buffer kept its growth");
  queue.putNowait({ small: true });
  deepStrictEqual(queue.getNowait(), big);
  ok(received.bytes.length <= 1024 * 1024, "the read buffer kept its growth");
  deepStrictEqual(queue.getNowait(), { small: true });
  deepStrictEqual(roundTrip(big), big);
  ok(written.bytes.length <= 1024 * 1024, "the write buffer kept its growth");
  ok(received.bytes.length <= 1024 * 1024, "the read buffer kept its growth");
});

/** A random plain value (mulberry32 from `seed`). */
function randomPlain(next: () => number, depth: number): unknown {
  const roll = next();
  if (depth > 3 || roll < 0.45) {
    const kind = Math.floor(next() * 8);
    switch (kind) {
      case 0:
        return Math.floor(next() * 2 ** 32) - 2 ** 31;
      case 1:
        return (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
      case 2:
        return [NaN, -0, Infinity, -Infinity, null, undefined, true, false][
          Math.floor(next() * 8)
        ];
      default: {
        const length = Math.floor(next() ** 3 * 300);
        const top = [0x80, 0x100, 0x10000][Math.floor(next() * 3)]!;
        return String.fromCharCode(
          ...Array.from({ length }, () => Math.floor(next() * top)),
        );
      }
    }
  }
  const count = Math.floor(next() * 6);
  if (roll < 0.7) {
    return Array.from({ length: count }, () => randomPlain(next, depth + 1));
  }
  const object: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const key = next() < 0.2
      ? String(Math.floor(next() * 10))
      : ["id", "name", "value", "é", "\u2603", ""][Math.floor(next() * 6)]! +
        Math.floor(next() * 3);
    object[key] = randomPlain(next, depth + 1);
  }
  return object;
}

Deno.test("codec: 3,000 random plain values arrive as structured clone makes them", () => {
  let seed = 0x9e3779b9;
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < 3000; i++) {
    const value = randomPlain(next, 0);
    strictEqual(tagOf(value), PLAIN);
    deepStrictEqual(roundTrip(value), structuredClone(value), `value ${i}`);
  }
});

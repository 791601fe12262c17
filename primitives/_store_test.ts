// The item store on its own: records of every size around the point where
// the arena is compacted or grown, an index that grows past its first 64
// entries while the FIFO ring is wrapped, items far larger than the arena,
// checked against a model of each order (FIFO, LIFO, priority).

import "./_codec_clone.ts"; // node:v8 for the codec
import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  strictEqual,
} from "node:assert/strict";
import {
  CLONE,
  decode,
  decodeReceived,
  encode,
  type Encoded,
  encodeToScratch,
  PLAIN,
  received,
} from "./_codec.ts";
import { heap } from "./_heap.ts";
import { memoryLength, type SharedMemory } from "./_memory.ts";
import {
  allocateStore,
  FIFO,
  initStore,
  ItemStore,
  LIFO,
  PRIORITY,
  STORE_WORDS,
  type StoredItem,
} from "./_store.ts";

// Header words of a store (_store.ts).
const COUNT = 0;
const HEAD = 1;
const SEQ = 2;
const TOP = 3;
const LIVE = 4;
const CAPACITY = 5;
const INITIAL_ARENA = 16 * 1024;
const INITIAL_ENTRIES = 64;

const ORDERS = [
  ["FIFO", FIFO],
  ["LIFO", LIFO],
  ["PRIORITY", PRIORITY],
] as const;

interface Store {
  store: ItemStore;
  header: Int32Array;
  index: SharedMemory;
  arena: SharedMemory;
}

function makeStore(order: number): Store {
  const header = new Int32Array(new SharedArrayBuffer(STORE_WORDS * 4));
  initStore(header);
  const [index, arena] = allocateStore([1, 2]);
  return {
    store: new ItemStore(header, order, index, arena),
    header,
    index,
    arena,
  };
}

function encoded(value: unknown): Encoded {
  return encode(value, heap(), "Cannot test");
}

function decoded({ tag, payload }: StoredItem): unknown {
  return decode(tag, payload);
}

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A model entry: what was pushed, and when. */
interface Entry {
  value: unknown;
  key: number;
  seq: number;
  size: number;
}

/** Takes the entry the store must pop next, by the model. */
function takeExpected(model: Entry[], order: number): Entry {
  if (order === FIFO) return model.shift()!;
  if (order === LIFO) return model.pop()!;
  let best = 0;
  for (let i = 1; i < model.length; i++) {
    const a = model[i]!;
    const b = model[best]!;
    if (a.key < b.key || (a.key === b.key && a.seq < b.seq)) best = i;
  }
  return model.splice(best, 1)[0]!;
}

/** Values of every encoded size from 0 to a few KiB, both codec paths. */
function makeValue(next: () => number, id: number): unknown {
  const roll = next();
  // Mostly small, sometimes up to 4 KiB, now and then right around 16 KiB
  // (the first arena).
  const length = roll < 0.6
    ? Math.floor(next() * 64)
    : roll < 0.95
    ? Math.floor(next() * 4096)
    : INITIAL_ARENA - 64 + Math.floor(next() * 128);
  switch (id % 4) {
    case 0: // PLAIN, two bytes a code unit: a non-BMP pair, a lone surrogate
      return `${id}:` + "x😀\uD800".repeat(length / 4 | 0) +
        "y".repeat(length % 4);
    case 1: // node:v8 bytes of odd lengths
      return {
        id,
        bytes: new Uint8Array(length).map((_, i) => (id + i) & 255),
      };
    case 2: // PLAIN, an object with a one-byte string
      return { id, s: "z".repeat(length) };
    default: // node:v8, small
      return [id, -0, undefined, "w".repeat(length & 63)];
  }
}

function checkHeader(
  { header, arena }: Store,
  model: Entry[],
  where: string,
): void {
  strictEqual(header[COUNT], model.length, `${where}: count`);
  const live = model.reduce((sum, entry) => sum + entry.size, 0);
  strictEqual(header[LIVE], live, `${where}: live bytes`);
  ok(header[LIVE]! <= header[TOP]!, `${where}: live above top`);
  ok(header[TOP]! <= memoryLength(arena), `${where}: top past the arena`);
  ok(header[COUNT]! <= header[CAPACITY]!, `${where}: count past capacity`);
}

for (const [name, order] of ORDERS) {
  Deno.test(`ItemStore: ${name}: thousands of pushes and pops of every size come out in order, intact`, () => {
    const s = makeStore(order);
    const { store, header, arena } = s;
    const next = random(0x5eed + order);
    const model: Entry[] = [];
    // The count climbs to each target and falls to the next.
    const targets = [40, 5, 60, 55, 120, 0, 70, 90, 3, 200, 150, 0];
    let target = 0;
    let seq = 0;
    let id = 0;
    const seen = { compactions: 0, arenaGrowths: 0, indexGrowths: 0 };
    let wrappedGrowths = 0;
    let wraps = 0;
    for (let op = 0; op < 6000; op++) {
      const goal = targets[target % targets.length]!;
      if (model.length === goal) target++;
      const push = model.length === 0 ||
        next() < (model.length < goal ? 0.75 : 0.25);
      if (push) {
        const value = makeValue(next, id++);
        const item = encoded(value);
        // Small integer keys: many ties; now and then -0, fractions, infinities.
        const roll = next();
        const key = roll < 0.05
          ? -0
          : roll < 0.08
          ? Infinity
          : roll < 0.1
          ? -Infinity
          : roll < 0.15
          ? next() * 10 - 5
          : Math.floor(next() * 8) - 2;
        const size = ItemStore.sizeOf(item);
        const topBefore = header[TOP]!;
        const arenaBefore = memoryLength(arena);
        const capacityBefore = header[CAPACITY]!;
        if (
          order === FIFO && header[COUNT] === capacityBefore &&
          header[HEAD]! > 0
        ) {
          wrappedGrowths++;
        }
        store.push(item, key, "Cannot test");
        if (header[TOP] !== topBefore + size) seen.compactions++;
        if (memoryLength(arena) > arenaBefore) seen.arenaGrowths++;
        if (header[CAPACITY]! > capacityBefore) seen.indexGrowths++;
        if (
          order === FIFO && header[HEAD]! + header[COUNT]! > header[CAPACITY]!
        ) {
          wraps++;
        }
        model.push({ value, key, seq: seq++, size });
      } else {
        const want = takeExpected(model, order);
        const got = store.pop();
        deepStrictEqual(decoded(got), want.value, `op ${op}: item ${want.seq}`);
      }
      checkHeader(s, model, `op ${op}`);
    }
    while (model.length > 0) {
      deepStrictEqual(decoded(store.pop()), takeExpected(model, order).value);
    }
    checkHeader(s, model, "drained");
    strictEqual(header[TOP], 0);
    // The sequence went through the cases it is here for.
    ok(seen.compactions > 0, "the arena was never compacted");
    ok(seen.arenaGrowths > 0, "the arena never grew");
    ok(seen.indexGrowths > 0, "the index never grew");
    ok(header[CAPACITY]! > INITIAL_ENTRIES);
    if (order === FIFO) {
      ok(wraps > 100, `the ring wrapped only ${wraps} times`);
      ok(wrappedGrowths > 0, "the index never grew while the ring wrapped");
    }
  });

  Deno.test(`ItemStore: ${name}: a few live items of up to 4 KiB, churned, are compacted over and over, intact`, () => {
    const s = makeStore(order);
    const { store, header } = s;
    const next = random(0xc0ffee + order);
    const model: Entry[] = [];
    let compactions = 0;
    let wrappedCompactions = 0;
    for (let op = 0; op < 4000; op++) {
      const count = model.length;
      const push = count < 3 || (count <= 8 && next() < 0.5);
      if (push) {
        const value = "\u0101".repeat(Math.floor(next() * 2048)) + op;
        const item = encoded(value); // 2 bytes a character: up to 4 KiB
        const key = Math.floor(next() * 3);
        const topBefore = header[TOP]!;
        const size = ItemStore.sizeOf(item);
        store.push(item, key, "Cannot test");
        if (header[TOP] !== topBefore + size) {
          compactions++;
          if (header[HEAD]! + header[COUNT]! > header[CAPACITY]!) {
            wrappedCompactions++;
          }
        }
        model.push({ value, key, seq: op, size });
      } else {
        strictEqual(decoded(store.pop()), takeExpected(model, order).value);
      }
      checkHeader(s, model, `op ${op}`);
    }
    ok(compactions > 50, `only ${compactions} compactions`);
    if (order === FIFO) {
      ok(wrappedCompactions > 0, "never compacted with the ring wrapped");
    }
    while (model.length > 0) {
      strictEqual(decoded(store.pop()), takeExpected(model, order).value);
    }
  });

  Deno.test(`ItemStore: ${name}: payloads of every size from 0 to 80 bytes keep their exact bytes`, () => {
    const s = makeStore(order);
    const records: Encoded[] = [];
    for (let size = 0; size <= 80; size++) {
      const bytes = new Uint8Array(size).map((_, i) => (size * 31 + i) | 1);
      records.push({ tag: CLONE, bytes });
      records.push({ tag: PLAIN, bytes: bytes.map((byte) => 255 - byte) });
    }
    const model: Entry[] = [];
    const pushAll = () => {
      for (const [i, record] of records.entries()) {
        s.store.push(record, i % 3, "Cannot test");
        model.push({
          value: record,
          key: i % 3,
          seq: model.length ? model.at(-1)!.seq + 1 : 0,
          size: ItemStore.sizeOf(record),
        });
      }
    };
    const check = (got: StoredItem, want: Encoded) => {
      strictEqual(got.tag, want.tag);
      deepStrictEqual(got.payload, want.bytes);
    };
    pushAll();
    checkHeader(s, model, "pushed");
    // Pop half, push all again (compaction moves the survivors), drain.
    for (let i = 0; i < records.length / 2; i++) {
      check(s.store.pop(), takeExpected(model, order).value as Encoded);
    }
    pushAll();
    checkHeader(s, model, "pushed again");
    while (model.length > 0) {
      check(s.store.pop(), takeExpected(model, order).value as Encoded);
    }
    checkHeader(s, model, "drained");
  });

  Deno.test(`ItemStore: ${name}: an item larger than the arena, and one of 5 MiB, fit between small ones`, () => {
    const s = makeStore(order);
    const { store, arena } = s;
    const big = "b".repeat(3 * INITIAL_ARENA); // 96 KiB of UTF-16
    const huge = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 7) & 255);
    const hugeText = "h😀".repeat(1024 * 1024); // 6 MiB, two bytes a unit
    const values = ["first", big, { n: 1 }, huge, [2], hugeText, "last"];
    const model: Entry[] = [];
    for (const [i, value] of values.entries()) {
      const item = encoded(value);
      store.push(item, i % 2, "Cannot test");
      model.push({ value, key: i % 2, seq: i, size: ItemStore.sizeOf(item) });
      checkHeader(s, model, `pushed ${i}`);
    }
    ok(memoryLength(arena) >= 2 * (5 + 6) * 1024 * 1024);
    // Pop two, push a huge one again, then drain: intact, in order.
    for (let i = 0; i < 2; i++) {
      deepStrictEqual(decoded(store.pop()), takeExpected(model, order).value);
    }
    const again = encoded(huge);
    store.push(again, 0.5, "Cannot test");
    model.push({
      value: huge,
      key: 0.5,
      seq: 7,
      size: ItemStore.sizeOf(again),
    });
    while (model.length > 0) {
      const want = takeExpected(model, order);
      const got = decoded(store.pop());
      if (typeof want.value === "string") {
        ok(got === want.value, "a large text changed");
      } else deepStrictEqual(got, want.value);
    }
    checkHeader(s, model, "drained");
  });

  Deno.test(`ItemStore: ${name}: clear drops every item and the store starts over`, () => {
    const s = makeStore(order);
    for (let i = 0; i < 100; i++) {
      s.store.push(encoded({ i, pad: "p".repeat(i * 10) }), i, "Cannot test");
    }
    strictEqual(s.store.clear(), 100);
    strictEqual(s.store.count, 0);
    checkHeader(s, [], "cleared");
    strictEqual(s.header[TOP], 0);
    strictEqual(s.store.clear(), 0);
    s.store.push(encoded("again"), 0, "Cannot test");
    s.store.push(encoded("and again"), 0, "Cannot test");
    strictEqual(s.store.count, 2);
    const first = decoded(s.store.pop());
    strictEqual(first, order === LIFO ? "and again" : "again");
  });
}

Deno.test("ItemStore: FIFO: a wrapped ring of 64 entries grows to 128 and keeps its order", () => {
  const s = makeStore(FIFO);
  const { store, header } = s;
  let pushed = 0;
  let popped = 0;
  const push = () => store.push(encoded(`item ${pushed++}`), 0, "Cannot test");
  const pop = () => strictEqual(decoded(store.pop()), `item ${popped++}`);
  for (let i = 0; i < 40; i++) push();
  for (let i = 0; i < 30; i++) pop();
  // The ring is full and wrapped: 30..63, then 0..29.
  for (let i = 0; i < 54; i++) push();
  deepStrictEqual(
    [header[HEAD], header[COUNT], header[CAPACITY]],
    [30, 64, INITIAL_ENTRIES],
  );
  push(); // grows the index
  strictEqual(header[CAPACITY], 2 * INITIAL_ENTRIES);
  strictEqual(header[COUNT], 65);
  // Keep it wrapped in the larger ring for a while, then past 256.
  for (let i = 0; i < 500; i++) {
    push();
    if (i % 3 !== 0) pop();
  }
  for (let i = 0; i < 300; i++) push();
  ok(header[CAPACITY]! >= 512);
  while (store.count > 0) pop();
  strictEqual(popped, pushed);
});

Deno.test("ItemStore: PRIORITY: ties stay in insertion order across the wrap of the sequence counter", () => {
  const s = makeStore(PRIORITY);
  s.header[SEQ] = 2 ** 31 - 5; // the counter wraps to negative in 5 pushes
  for (let i = 0; i < 20; i++) {
    s.store.push(encoded(i), i % 2 === 0 ? 1 : -0, "Cannot test");
  }
  const out = Array.from({ length: 20 }, () => decoded(s.store.pop()));
  deepStrictEqual(out, [
    ...Array.from({ length: 10 }, (_, i) => 2 * i + 1), // key -0 (= 0)
    ...Array.from({ length: 10 }, (_, i) => 2 * i), // key 1
  ]);
});

Deno.test("ItemStore: two stores over the same buffers, as in two threads, see the same items through growth", () => {
  for (const [, order] of ORDERS) {
    const a = makeStore(order);
    const b = new ItemStore(a.header, order, a.index, a.arena);
    const model: Entry[] = [];
    for (let i = 0; i < 300; i++) {
      const value = { i, pad: "q".repeat((i * 37) % 900) };
      const item = encoded(value);
      (i % 2 ? a : { store: b }).store.push(item, i % 5, "Cannot test");
      model.push({ value, key: i % 5, seq: i, size: ItemStore.sizeOf(item) });
      if (i % 3 === 2) {
        const want = takeExpected(model, order).value;
        deepStrictEqual(decoded((i % 2 ? b : a.store).pop()), want);
      }
    }
    strictEqual(b.count, model.length);
    ok(memoryLength(a.arena) > INITIAL_ARENA);
    ok(a.header[CAPACITY]! > INITIAL_ENTRIES);
    while (model.length > 0) {
      deepStrictEqual(decoded(b.pop()), takeExpected(model, order).value);
    }
    strictEqual(a.store.count, 0);
  }
});

Deno.test("ItemStore: sizeOf counts an 8-byte header and pads the payload to 8 bytes", () => {
  strictEqual(ItemStore.sizeOf({ tag: PLAIN, bytes: new Uint8Array(1) }), 16);
  strictEqual(ItemStore.sizeOf({ tag: PLAIN, bytes: new Uint8Array(8) }), 16);
  strictEqual(ItemStore.sizeOf({ tag: CLONE, bytes: new Uint8Array(0) }), 8);
  strictEqual(ItemStore.sizeOf({ tag: CLONE, bytes: new Uint8Array(9) }), 24);
  // A popped payload is a copy: the arena can be reused under it.
  const s = makeStore(FIFO);
  s.store.push(
    { tag: CLONE, bytes: new Uint8Array([1, 2, 3]) },
    0,
    "Cannot test",
  );
  const got = s.store.pop();
  s.store.push(
    { tag: CLONE, bytes: new Uint8Array([9, 9, 9]) },
    0,
    "Cannot test",
  );
  deepStrictEqual(got.payload, new Uint8Array([1, 2, 3]));
  notStrictEqual((got.payload as Uint8Array).buffer, s.arena);
});

Deno.test("ItemStore: pushScratch and popReceived copy payloads of every size from 0 to 1,100 bytes exactly, mixed with push and pop", () => {
  for (const [, order] of ORDERS) {
    const s = makeStore(order);
    const model: Entry[] = [];
    const records: Encoded[] = [];
    // Around the word-by-word copy's limit (512 bytes) and the padding.
    for (let size = 0; size <= 1100; size += size < 40 || size > 490 ? 1 : 37) {
      records.push({
        tag: size % 2 ? PLAIN : CLONE,
        bytes: new Uint8Array(size).map((_, i) => (size * 7 + i * 13) | 1),
      });
    }
    let seq = 0;
    for (const [i, record] of records.entries()) {
      if (i % 2) s.store.push(record, i % 4, "Cannot test");
      else {
        // Through a scratch buffer, as a put does, with stale bytes after.
        const scratch = encodeToScratch(
          "x".repeat(2000),
          heap(),
          "Cannot test",
        );
        scratch.bytes.set(record.bytes);
        scratch.tag = record.tag;
        scratch.length = record.bytes.length;
        s.store.pushScratch(scratch, i % 4, "Cannot test");
      }
      model.push({
        value: record,
        key: i % 4,
        seq: seq++,
        size: ItemStore.sizeOf(record),
      });
      if (i % 3 === 2) {
        const want = takeExpected(model, order).value as Encoded;
        s.store.popReceived();
        strictEqual(received.tag, want.tag);
        strictEqual(received.length, want.bytes.length);
        deepStrictEqual(received.bytes.slice(0, received.length), want.bytes);
      }
      checkHeader(s, model, `record ${i}`);
    }
    while (model.length > 0) {
      const want = takeExpected(model, order).value as Encoded;
      if (model.length % 2) {
        const got = s.store.pop();
        strictEqual(got.tag, want.tag);
        deepStrictEqual(got.payload, want.bytes);
      } else {
        s.store.popReceived();
        strictEqual(received.tag, want.tag);
        deepStrictEqual(received.bytes.slice(0, received.length), want.bytes);
      }
    }
    checkHeader(s, model, "drained");
    // And a real item through both.
    s.store.pushScratch(
      encodeToScratch({ a: [1, "b"] }, heap(), "Cannot test"),
      0,
      "Cannot test",
    );
    s.store.popReceived();
    deepStrictEqual(decodeReceived(), { a: [1, "b"] });
  }
});

Deno.test("ItemStore: popped payloads and encoded items that are kept stay intact while later ones are made", () => {
  const s = makeStore(FIFO);
  const values = Array.from(
    { length: 3000 },
    (_, i) => ({ i, pad: "p".repeat((i * 13) % 1200) }),
  );
  // encode() copies out of the scratch buffer: keep every copy first.
  const kept = values.map((value) => encoded(value));
  for (const item of kept) s.store.push(item, 0, "Cannot test");
  const popped: StoredItem[] = [];
  while (s.store.count > 0) popped.push(s.store.pop());
  for (const [i, value] of values.entries()) {
    deepStrictEqual(decode(kept[i]!.tag, kept[i]!.bytes), value);
    deepStrictEqual(decoded(popped[i]!), value);
  }
});

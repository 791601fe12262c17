import { notStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { revive } from "./_handle.ts";
import { getIdent } from "./_thread.ts";
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  RLock,
  Semaphore,
} from "./mod.ts";
import { startWorkers } from "../testing/workers.ts";

const all = () => [
  new Lock(),
  new RLock(),
  new Semaphore(2),
  new BoundedSemaphore(2),
  new Event(),
  new Condition(),
  new Barrier(2),
];

Deno.test("handle: every primitive survives structuredClone and revives as its class", () => {
  for (const primitive of all()) {
    const copy = revive(structuredClone(primitive.handle));
    strictEqual(Object.getPrototypeOf(copy), Object.getPrototypeOf(primitive));
  }
});

Deno.test("handle: from() refuses a handle of another kind with a TypeError", () => {
  const primitives = all();
  for (const a of primitives) {
    for (const b of primitives) {
      if (a.constructor === b.constructor) continue;
      const from =
        (a.constructor as unknown as { from(h: unknown): unknown }).from;
      throws(
        () => from(b.handle),
        (error: Error) =>
          error instanceof TypeError &&
          error.message.includes(`"${b.handle.kind}"`),
      );
    }
  }
});

Deno.test("handle: from() refuses non-handles and foreign buffers", () => {
  for (const bad of [undefined, null, 42, "Lock", {}, { kind: "Lock" }]) {
    throws(() => Lock.from(bad as never), TypeError);
  }
  for (
    const buffer of [
      new SharedArrayBuffer(12),
      new SharedArrayBuffer(3),
      new ArrayBuffer(12),
    ]
  ) {
    throws(
      () =>
        Lock.from(
          {
            kind: "Lock",
            buffer,
            byteOffset: 0,
            length: 3,
            parts: [],
          } as never,
        ),
      TypeError,
    );
  }
  throws(
    () =>
      revive({
        kind: "Nope",
        buffer: new SharedArrayBuffer(4),
        byteOffset: 0,
        length: 1,
        generation: 1,
        parts: [],
      }),
    TypeError,
  );
});

Deno.test("thread ids: distinct in the main thread and each Worker, stable in each", async () => {
  await using workers = startWorkers(3);
  // The lock's handle carries the id counter, as any handle would.
  const lock = new Lock();
  const ids = await Promise.all(
    workers.map((w) =>
      w.run((p, _lock) => [p.getIdent(), p.getIdent()], lock.handle)
    ),
  );
  const seen = new Set([getIdent()]);
  for (const [first, second] of ids) {
    strictEqual(first, second);
    ok(first! > 0);
    seen.add(first!);
  }
  strictEqual(seen.size, 4);
  notStrictEqual(getIdent(), 0);
});

Deno.test("handle: a handle whose parts are not handles is a TypeError in the module's style", () => {
  const condition = new Condition();
  throws(
    () => Condition.from({ ...condition.handle, parts: [null as never] }),
    (error: Error) =>
      error instanceof TypeError && error.message.includes("received null"),
  );
});

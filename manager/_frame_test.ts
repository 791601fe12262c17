import {
  deepStrictEqual,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import {
  FrameError,
  frameOf,
  FrameReader,
  FrameWriter,
  HEADER_BYTES,
} from "./_frame.ts";

/** A connected pair of loopback TCP connections. */
async function pair(): Promise<[Deno.Conn, Deno.Conn]> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
}

/** Payload `i`: its length varies, up past the reader's 64 KiB buffer. */
function payload(i: number): Uint8Array {
  const length = i % 50 === 0 ? 70_000 + i : i % 97;
  return Uint8Array.from({ length }, (_, k) => (i + k) & 0xff);
}

Deno.test("frames: every frame arrives once, whole and in order, however the writes and reads cut them", async () => {
  const [a, b] = await pair();
  const writer = new FrameWriter(a, 1 << 20);
  const reader = new FrameReader(b, 1 << 20);
  const COUNT = 600;
  // Written without waiting, so that most go out coalesced, in writes the
  // kernel may split anywhere.
  const sent = Array.from(
    { length: COUNT },
    (_, i) => writer.write(frameOf(payload(i))),
  );
  const got: Uint8Array[] = [];
  const reading = reader.each((frame) => {
    got.push(frame.slice()); // a view, valid only during the call
    if (got.length === COUNT) a.close();
  });
  await Promise.all(sent);
  await reading;
  strictEqual(got.length, COUNT);
  for (let i = 0; i < COUNT; i++) deepStrictEqual(got[i], payload(i));
  b.close();
});

Deno.test("frames: next() reads a handshake, then each() goes on from the same buffer", async () => {
  const [a, b] = await pair();
  const writer = new FrameWriter(a, 1024);
  // Both at once: the second is likely in the buffer with the first.
  await Promise.all([
    writer.write(frameOf(Uint8Array.of(1))),
    writer.write(frameOf(Uint8Array.of(2, 2))),
  ]);
  a.close();
  const reader = new FrameReader(b, 1024);
  deepStrictEqual(await reader.next(), Uint8Array.of(1));
  const rest: number[][] = [];
  await reader.each((frame) => rest.push([...frame]));
  deepStrictEqual(rest, [[2, 2]]);
  strictEqual(await reader.next(), null);
  b.close();
});

Deno.test("frames: a frame past the limit, or cut short, is a FrameError; a writer refuses to send one past its limit", async () => {
  const [a, b] = await pair();
  const reader = new FrameReader(b, 16);
  await a.write(Uint8Array.of(0, 0, 0, 17));
  await rejects(reader.each(() => {}), {
    name: "FrameError",
    message: /17 bytes is longer than the limit of 16/,
  });
  a.close();
  b.close();

  const [c, d] = await pair();
  await c.write(Uint8Array.of(0, 0, 0, 9, 1, 2));
  c.close();
  await rejects(new FrameReader(d, 16).each(() => {}), (error) => {
    strictEqual(error instanceof FrameError, true);
    return /ended inside a frame of 9 bytes/.test((error as Error).message);
  });
  d.close();

  const [e, f] = await pair();
  const writer = new FrameWriter(e, 8);
  throws(() => writer.write(new Uint8Array(HEADER_BYTES + 9)), {
    name: "RangeError",
    message: /9 bytes .* the limit is 8/,
  });
  e.close();
  f.close();
});

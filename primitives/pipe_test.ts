// Pipe and Connection (Python's multiprocessing.Pipe), across real Workers:
// messages both ways, one-way roles, EOF after the other end closes (with
// blocked receivers woken), poll, timeouts and aborts in both faces, closed
// connections, the codec's values, and bad input.
import {
  deepStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { ConnectionClosedError, EOFError } from "./errors.ts";
import { WAITING_COUNT } from "./_condvar.ts";
import { Lock } from "./lock.ts";
import { Connection, type ConnectionHandle, Pipe } from "./pipe.ts";
import { Queue } from "./queue.ts";
import {
  handled,
  startWorkers,
  waitFor,
  within,
  wordsOf,
} from "../testing/workers.ts";

// A channel's handle is `[lock, notEmpty, notFull, allDone]` in its parts;
// a condition's WAITING_COUNT word counts its sleeping waiters.

/** How many threads sleep in a `recv` on `connection`. */
function receivers(connection: Connection): number {
  const { parts, end } = connection.handle;
  const channel = parts.length === 1 ? parts[0]! : parts[1 - end]!;
  return wordsOf(channel.parts[1]!)[WAITING_COUNT]!;
}

/** Waits until `n` threads sleep in a `recv` on `connection`. */
function untilReceiving(connection: Connection, n: number): Promise<void> {
  return waitFor(
    `${n} threads wait in recv`,
    () => receivers(connection) >= n,
  );
}

/**
 * Waits until a thread sleeps in a `poll` on `connection`, by waking the
 * pollers of its channel's sequence word (a woken poller looks again and
 * sleeps again).
 */
function untilPolling(connection: Connection): Promise<void> {
  // A poller waits on the "not empty" condition of the channel it reads
  // (a queue handle's parts: lock, not empty, not full, all done).
  const { end, parts } = connection.handle;
  const channel = parts.length === 1 ? parts[0]! : parts[1 - end]!;
  const notEmpty = wordsOf(channel.parts[1]!);
  return waitFor(
    "a thread waits in poll",
    () => Atomics.load(notEmpty, WAITING_COUNT) >= 1,
  );
}

const isTimeout = (error: unknown) =>
  error instanceof DOMException && error.name === "TimeoutError" &&
  error.message.includes("Connection");

// ---------------------------------------------------------------------------
// Messages

Deno.test("Pipe: messages go both ways between the main thread and a Worker, in order", async () => {
  await using workers = startWorkers(1);
  const [here, there] = Pipe<number>();
  const echo = workers[0]!.run((_p, end: Connection<number>) => {
    // Sync face in the Worker: answer each number with its double, until 0.
    for (;;) {
      const n = end.recvSync();
      if (n === 0) return "done";
      end.send(n * 2);
    }
  }, there.handle);
  for (let n = 1; n <= 200; n++) {
    here.send(n);
    strictEqual(await here.recv(), n * 2);
  }
  // Several in flight at once keep their order.
  for (let n = 1; n <= 50; n++) here.send(n);
  const answers = [];
  for (let n = 1; n <= 50; n++) answers.push(await here.recv());
  deepStrictEqual(answers, Array.from({ length: 50 }, (_, i) => (i + 1) * 2));
  here.send(0);
  strictEqual(await within(echo, "the Worker stops"), "done");
});

Deno.test("Pipe: a Worker receives with the async face while the main thread blocks in recvSync", async () => {
  await using workers = startWorkers(1);
  const [here, there] = Pipe<string>();
  const reply = workers[0]!.run(async (_p, end: Connection<string>) => {
    const question = await end.recv();
    end.send(`${question}!`);
    return await end.recv();
  }, there.handle);
  here.send("ping");
  strictEqual(here.recvSync({ timeout: 10_000 }), "ping!");
  here.send("bye");
  strictEqual(await within(reply, "the Worker answers"), "bye");
});

Deno.test("Pipe: every message from two Workers on one end arrives exactly once", async () => {
  await using workers = startWorkers(2);
  const [here, there] = Pipe<[number, number]>({ duplex: false });
  const send = (_p: unknown, end: Connection<[number, number]>, id: number) => {
    for (let i = 0; i < 500; i++) end.send([id, i]);
    return true;
  };
  const senders = workers.map((worker, id) =>
    worker.run(send, there.handle, id)
  );
  const seen: number[][] = [[], []];
  for (let i = 0; i < 1000; i++) {
    const [id, n] = await here.recv({ timeout: 10_000 });
    seen[id]!.push(n);
  }
  await within(Promise.all(senders), "the Workers finish");
  // Each sender's messages arrive in its order; none is lost or repeated.
  const expected = Array.from({ length: 500 }, (_, i) => i);
  deepStrictEqual(seen, [expected, expected]);
  strictEqual(here.pollSync(), false);
});

// ---------------------------------------------------------------------------
// One-way pipes

Deno.test("Pipe: a one-way pipe is [reader, writer] and the wrong call throws a TypeError", async () => {
  await using workers = startWorkers(1);
  const [reader, writer] = Pipe<string>({ duplex: false });
  deepStrictEqual(
    [reader.readable, reader.writable, writer.readable, writer.writable],
    [true, false, false, true],
  );
  const duplex = Pipe();
  deepStrictEqual(
    duplex.map((end) => [end.readable, end.writable]),
    [[true, true], [true, true]],
  );
  throws(() => reader.send("x"), /Cannot send on Connection: it is read-only/);
  throws(() => writer.recvSync(), TypeError);
  throws(() => writer.pollSync(), TypeError);
  await rejects(
    writer.recv(),
    /Cannot receive on Connection: it is write-only/,
  );
  await rejects(writer.poll(), TypeError);
  // The roles survive the trip to a Worker.
  const roles = await workers[0]!.run((_p, end: Connection<string>) => {
    const errors = [];
    try {
      end.recvSync();
    } catch (error) {
      errors.push((error as Error).name);
    }
    end.send("from the writer");
    return [end.readable, end.writable, errors];
  }, writer.handle);
  deepStrictEqual(roles, [false, true, ["TypeError"]]);
  strictEqual(await reader.recv(), "from the writer");
});

// ---------------------------------------------------------------------------
// End of the stream

Deno.test("Pipe: recv drains what the other end sent before it closed, then throws EOFError, in both faces", async () => {
  await using workers = startWorkers(1);
  for (const duplex of [true, false]) {
    const [here, there] = Pipe<number>({ duplex });
    await workers[0]!.run((_p, end: Connection<number>) => {
      for (const n of [1, 2, 3]) end.send(n);
      end.close();
    }, there.handle);
    strictEqual(there.closed, true);
    strictEqual(here.closed, false);
    strictEqual(await here.poll(), true);
    strictEqual(await here.recv(), 1);
    strictEqual(here.recvSync(), 2);
    strictEqual(await here.recv({ timeout: 0 }), 3);
    // Drained: the end of the stream, every time, whatever the timeout.
    strictEqual(here.pollSync(), true);
    strictEqual(await here.poll({ timeout: Infinity }), true);
    await rejects(here.recv(), EOFError);
    throws(() => here.recvSync(), EOFError);
    throws(() => here.recvSync({ timeout: 0 }), EOFError);
    await rejects(
      here.recv({ timeout: 5 }),
      (error: Error) =>
        error instanceof EOFError && error.name === "EOFError" &&
        error.message.includes("the other end is closed"),
    );
  }
});

Deno.test("Pipe: a Worker blocked in recvSync wakes with EOFError when the other end closes", async () => {
  await using workers = startWorkers(1);
  const [here, there] = Pipe();
  const outcome = workers[0]!.run((p, end: Connection) => {
    try {
      return ["received", end.recvSync()];
    } catch (error) {
      return [(error as Error).name, error instanceof p.EOFError];
    }
  }, there.handle);
  await untilReceiving(there, 1);
  here.close();
  deepStrictEqual(await within(outcome, "the Worker wakes"), [
    "EOFError",
    true,
  ]);
});

Deno.test("Pipe: a Worker blocked in recv (async) and one in recvSync both wake with EOFError", async () => {
  await using workers = startWorkers(2);
  const [reader, writer] = Pipe({ duplex: false });
  const wait = async (_p: unknown, end: Connection, sync: boolean) => {
    try {
      return sync ? end.recvSync() : await end.recv();
    } catch (error) {
      return (error as Error).name;
    }
  };
  const outcomes = [
    handled(workers[0]!.run(wait, reader.handle, true)),
    handled(workers[1]!.run(wait, reader.handle, false)),
  ];
  await untilReceiving(reader, 2);
  writer.send("only one");
  writer.close();
  const results = await within(Promise.all(outcomes), "both Workers wake");
  deepStrictEqual(results.toSorted(), ["EOFError", "only one"]);
});

Deno.test("Pipe: closing an end wakes its own blocked receivers with ConnectionClosedError", async () => {
  await using workers = startWorkers(1);
  const [here, there] = Pipe();
  const outcome = workers[0]!.run((p, end: Connection) => {
    try {
      return end.recvSync();
    } catch (error) {
      return [(error as Error).name, error instanceof p.ConnectionClosedError];
    }
  }, there.handle);
  await untilReceiving(there, 1);
  there.close(); // the main thread's copy of the Worker's end
  deepStrictEqual(await within(outcome, "the Worker wakes"), [
    "ConnectionClosedError",
    true,
  ]);
  // The other end drains nothing and reaches the end of the stream.
  await rejects(here.recv(), EOFError);
});

// ---------------------------------------------------------------------------
// Closed connections

Deno.test("Pipe: a closed connection throws ConnectionClosedError, and so does send to a closed end", async () => {
  const [a, b] = Pipe<number>();
  b.send(1); // dropped when a closes: nobody can receive it any more
  a.close();
  a.close(); // twice is fine
  strictEqual(a.closed, true);
  const closed = (error: unknown) =>
    error instanceof ConnectionClosedError &&
    error.name === "ConnectionClosedError" &&
    error.message.endsWith("it is closed");
  throws(() => a.send(2), closed);
  throws(() => a.recvSync(), closed);
  throws(() => a.pollSync(), closed);
  await rejects(a.recv(), closed);
  await rejects(a.poll(), closed);
  throws(
    () => b.send(3),
    (error: unknown) =>
      error instanceof ConnectionClosedError &&
      error.message === "Cannot send on Connection: the other end is closed",
  );
  strictEqual(b.closed, false);
  await rejects(b.recv(), EOFError);
  b.close();
  throws(() => b.recvSync(), closed);
  // A one-way pipe: the writer learns that its reader is gone.
  const [reader, writer] = Pipe({ duplex: false });
  using _ = reader;
  reader.close();
  throws(() => writer.send(1), /the other end is closed/);
});

Deno.test("Pipe: closing a connection in a Worker closes it for every thread that holds it", async () => {
  await using workers = startWorkers(1);
  const [here, there] = Pipe<string>();
  await workers[0]!.run((_p, end: Connection<string>) => {
    using closing = end;
    closing.send("goodbye");
  }, there.handle);
  strictEqual(there.closed, true);
  throws(() => there.send("more"), ConnectionClosedError);
  strictEqual(here.recvSync(), "goodbye");
  throws(() => here.recvSync(), EOFError);
});

// ---------------------------------------------------------------------------
// poll

Deno.test("Pipe: poll is false on an empty pipe (at once by default, or after its timeout) and true with a message", async () => {
  const [a, b] = Pipe<number>();
  strictEqual(b.pollSync(), false);
  strictEqual(await b.poll(), false);
  strictEqual(b.pollSync({ timeout: 0 }), false);
  strictEqual(b.pollSync({ timeout: 10 }), false);
  strictEqual(await b.poll({ timeout: 10 }), false);
  a.send(1);
  strictEqual(b.pollSync(), true);
  strictEqual(await b.poll({ timeout: 10 }), true);
  // poll does not take the message.
  strictEqual(b.pollSync(), true);
  strictEqual(b.recvSync(), 1);
  strictEqual(await b.poll(), false);
  // Each direction polls its own channel.
  strictEqual(a.pollSync(), false);
  b.send(2);
  deepStrictEqual([a.pollSync(), b.pollSync()], [true, false]);
});

Deno.test("Pipe: a Worker waiting in poll wakes on a send and on the other end's close, in both faces", async () => {
  await using workers = startWorkers(1);
  const poll = (_p: unknown, end: Connection, sync: boolean) =>
    sync
      ? end.pollSync({ timeout: Infinity })
      : end.poll({ timeout: Infinity });
  for (const sync of [true, false]) {
    const [here, there] = Pipe();
    const onSend = workers[0]!.run(poll, there.handle, sync);
    await untilPolling(there);
    here.send("wake");
    strictEqual(await within(onSend, "the poller wakes on a send"), true);
    strictEqual(there.recvSync(), "wake");
    const onClose = workers[0]!.run(poll, there.handle, sync);
    await untilPolling(there);
    here.close();
    strictEqual(await within(onClose, "the poller wakes on close"), true);
    throws(() => there.recvSync(), EOFError);
  }
});

// ---------------------------------------------------------------------------
// Timeouts and aborts

Deno.test("Pipe: recv throws a TimeoutError DOMException when its timeout passes, in both faces", async () => {
  const [a, b] = Pipe<string>();
  throws(() => b.recvSync({ timeout: 0 }), isTimeout);
  throws(() => b.recvSync({ timeout: 10 }), isTimeout);
  await rejects(b.recv({ timeout: 0 }), isTimeout);
  await rejects(
    b.recv({ timeout: 10 }),
    (error: unknown) =>
      isTimeout(error) && (error as Error).message.includes("10 ms"),
  );
  // Nothing was lost or consumed by the timed-out calls.
  a.send("after");
  strictEqual(b.recvSync({ timeout: 0 }), "after");
});

Deno.test("Pipe: an aborted recv or poll rejects with the signal's reason and takes nothing", async () => {
  const [a, b] = Pipe<string>();
  const reason = new Error("stop");
  // Already aborted: both faces throw before waiting, even with a message.
  a.send("kept");
  const aborted = AbortSignal.abort(reason);
  throws(() => b.recvSync({ signal: aborted }), (error) => error === reason);
  throws(() => b.pollSync({ signal: aborted }), (error) => error === reason);
  await rejects(b.recv({ signal: aborted }), (error) => error === reason);
  await rejects(b.poll({ signal: aborted }), (error) => error === reason);
  strictEqual(b.recvSync(), "kept");
  // Aborted while waiting.
  const controller = new AbortController();
  const receiving = handled(b.recv({ signal: controller.signal }));
  const polling = handled(
    b.poll({ timeout: Infinity, signal: controller.signal }),
  );
  await untilReceiving(b, 1);
  controller.abort(reason);
  await rejects(receiving, (error) => error === reason);
  await rejects(polling, (error) => error === reason);
  strictEqual(receivers(b), 0);
  a.send("next");
  strictEqual(await b.recv({ timeout: 1000 }), "next");
});

Deno.test("Pipe: a Worker's aborted recvSync leaves the message for the next receiver", async () => {
  await using workers = startWorkers(1);
  const [here, there] = Pipe<number>();
  here.send(42);
  const names = await workers[0]!.run((_p, end: Connection<number>) => {
    const signal = AbortSignal.abort(new Error("stop"));
    try {
      end.recvSync({ signal });
    } catch (error) {
      return [(error as Error).message, end.recvSync()];
    }
    return [];
  }, there.handle);
  deepStrictEqual(names, ["stop", 42]);
});

// ---------------------------------------------------------------------------
// Values

Deno.test("Pipe: values of many types cross to a Worker and back unchanged", async () => {
  await using workers = startWorkers(1);
  const [here, there] = Pipe<unknown>();
  const cyclic: { self?: unknown; n: number } = { n: 1 };
  cyclic.self = cyclic;
  const values: unknown[] = [
    0,
    -0,
    NaN,
    Infinity,
    "text ✓",
    true,
    null,
    undefined,
    123n,
    [1, [2, [3]], { a: "b" }],
    { nested: { deep: [null, false] } },
    new Map<unknown, unknown>([["k", new Set([1, 2])], [1, { x: 1 }]]),
    new Date(0),
    new Uint8Array([1, 2, 3]),
    new Float64Array([0.5, -1]),
    /re/g,
    new RangeError("bad"),
    cyclic,
    [, 1], // a hole
  ];
  const echo = workers[0]!.run(
    (_p, end: Connection<unknown>, n: number) => {
      for (let i = 0; i < n; i++) end.send(end.recvSync());
    },
    there.handle,
    values.length,
  );
  for (const value of values) here.send(value);
  for (const value of values) {
    const back = await here.recv({ timeout: 10_000 });
    if (value instanceof Error) {
      ok(back instanceof RangeError);
      strictEqual((back as Error).message, "bad");
    } else if (value === cyclic) {
      const copy = back as typeof cyclic;
      strictEqual(copy.self, copy);
      strictEqual(copy.n, 1);
    } else {
      deepStrictEqual(back, value);
    }
  }
  await within(echo, "the Worker echoes");
});

Deno.test("Pipe: a primitive sent through the pipe arrives as the same class, sharing its state", async () => {
  await using workers = startWorkers(1);
  const [here, there] = Pipe<{ lock: Lock; queue?: Queue }>();
  const lock = new Lock();
  here.send({ lock });
  const seen = await workers[0]!.run((p, end: Connection<{ lock: Lock }>) => {
    const { lock } = end.recvSync();
    const isLock = lock instanceof p.Lock;
    lock.acquireSync();
    return isLock;
  }, there.handle);
  strictEqual(seen, true);
  strictEqual(lock.locked, true); // the Worker's acquire locked this lock
  lock.release();
  // What cannot travel throws a TypeError and sends nothing.
  throws(
    () => here.send({ lock, queue: new Queue() }),
    /a Queue cannot travel inside an item/,
  );
  throws(() => (here as Connection<unknown>).send(() => 1), TypeError);
  throws(
    () => (here as Connection<unknown>).send({ end: there }),
    /a Connection cannot travel inside an item/,
  );
  strictEqual(there.pollSync(), false);
});

// ---------------------------------------------------------------------------
// Bad input

Deno.test("Pipe: bad options and bad handles throw a TypeError", () => {
  throws(
    // @ts-expect-error: testing bad input
    () => Pipe({ duplex: "yes" }),
    (error: unknown) =>
      error instanceof TypeError &&
      error.message ===
        `Cannot create Pipe: 'duplex' must be a boolean, received "yes"`,
  );
  // @ts-expect-error: testing bad input
  throws(() => Pipe(5), TypeError);
  // @ts-expect-error: testing bad input
  throws(() => Pipe(null), TypeError);
  throws(() => new Connection(), /use Pipe\(\) or Connection\.from/);
  const [a] = Pipe();
  const handle = a.handle;
  throws(
    () => Connection.from(new Lock().handle as unknown as ConnectionHandle),
    TypeError,
  );
  // @ts-expect-error: testing bad input
  throws(() => Connection.from(null), TypeError);
  // @ts-expect-error: testing bad input
  throws(() => Connection.from({ ...handle, end: 2 }), /'end' must be 0 or 1/);
  throws(
    () => Connection.from({ ...handle, parts: [handle.parts[0]!] }),
    /'parts' names 1 primitives, the Connection is built on 2/,
  );
  throws(() => Connection.from({ ...handle, parts: [] }), TypeError);
  throws(() => a.recvSync({ timeout: -1 }), RangeError);
  // @ts-expect-error: testing bad input
  throws(() => a.pollSync({ timeout: "1" }), TypeError);
  // A good handle still works after all that.
  const [x, y] = Pipe<number>();
  Connection.from<number>(structuredClone(y.handle)).send(1);
  strictEqual(x.recvSync(), 1);
});

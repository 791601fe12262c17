// The Worker side of bench/queue_bench.ts. The main thread sends
// `{ op: "init", shared, port }` once (the queues' handles, and this
// Worker's end of a MessageChannel whose other end the other Worker holds),
// then one message per bench iteration, such as
// `{ op: "produce", via: "bounded", n }`. The Worker runs the whole loop and
// answers `{ ok: true }` (a consumer adds `value`, the checksum of what it
// took), or `{ ok: false, error }` (see serve in bench/_shared.ts).

import { Queue, SimpleQueue } from "../mod.ts";
import { item, type Request, type Via } from "./_queue_protocol.ts";
import { serve } from "./_shared.ts";

type Item = ReturnType<typeof item>;

let queues: Record<Exclude<Via, "post">, Queue<Item> | SimpleQueue<Item>>;
let ping: Queue<Item>;
let pong: Queue<Item>;
let port: MessagePort;

/**
 * Who takes the port's messages now. Messages that arrive before a request
 * has set it (the other Worker may start first) wait in `early`.
 */
let onPort: ((data: Item) => void) | undefined;
const early: Item[] = [];

function listen(handler: (data: Item) => void): void {
  onPort = handler;
  while (early.length > 0 && onPort === handler) handler(early.shift()!);
}

function checkOrder(got: Item, i: number): void {
  if (got.id !== i) {
    throw new Error(`Item ${i} arrived as ${JSON.stringify(got)}`);
  }
}

/** Takes items 0..n-1 from the port, in order, passing each to `take`. */
function receive(n: number, take: (got: Item) => void): Promise<void> {
  if (n === 0) return Promise.resolve();
  const done = Promise.withResolvers<void>();
  let i = 0;
  listen((got) => {
    try {
      checkOrder(got, i);
    } catch (error) {
      onPort = undefined;
      done.reject(error);
      return;
    }
    take(got);
    if (++i === n) {
      onPort = undefined;
      done.resolve();
    }
  });
  return done.promise;
}

function produce(via: Via, n: number): void {
  if (via === "post") {
    for (let i = 0; i < n; i++) port.postMessage(item(i));
    return;
  }
  const queue = queues[via];
  if (queue instanceof SimpleQueue) {
    for (let i = 0; i < n; i++) queue.put(item(i));
  } else {
    for (let i = 0; i < n; i++) queue.putSync(item(i));
  }
}

function consume(via: Via, n: number): number | Promise<number> {
  let sum = 0;
  if (via === "post") {
    return receive(n, (got) => {
      sum += got.value;
    }).then(() => sum);
  }
  const queue = queues[via];
  for (let i = 0; i < n; i++) {
    const got = queue.getSync();
    checkOrder(got, i);
    sum += got.value;
  }
  return sum;
}

/** Starts each round trip: sends an item, waits for it to come back. */
function pingQueue(rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    ping.putSync(item(i));
    checkOrder(pong.getSync(), i);
  }
}

/** Answers each round trip: takes the item and sends it back. */
function pongQueue(rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    const got = ping.getSync();
    checkOrder(got, i);
    pong.putSync(got);
  }
}

async function pingPost(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const back = new Promise<Item>((resolve) =>
      listen((got) => {
        onPort = undefined;
        resolve(got);
      })
    );
    port.postMessage(item(i));
    checkOrder(await back, i);
  }
}

function pongPost(rounds: number): Promise<void> {
  return receive(rounds, (got) => port.postMessage(got));
}

function init(shared: Request & { op: "init" }): void {
  queues = {
    bounded: Queue.from<Item>(shared.shared.bounded),
    unbounded: Queue.from<Item>(shared.shared.unbounded),
    simple: SimpleQueue.from<Item>(shared.shared.simple),
  };
  ping = Queue.from<Item>(shared.shared.ping);
  pong = Queue.from<Item>(shared.shared.pong);
  port = shared.port;
  port.onmessage = ({ data }: MessageEvent<Item>) => {
    if (onPort === undefined) early.push(data);
    else onPort(data);
  };
}

async function handle(request: Request): Promise<number | undefined> {
  switch (request.op) {
    case "init":
      init(request);
      return undefined;
    case "produce":
      produce(request.via, request.n);
      return undefined;
    case "consume":
      return await consume(request.via, request.n);
    case "ping":
      if (request.via === "queue") pingQueue(request.rounds);
      else await pingPost(request.rounds);
      return undefined;
    case "pong":
      if (request.via === "queue") pongQueue(request.rounds);
      else await pongPost(request.rounds);
      return undefined;
  }
}

serve(handle);

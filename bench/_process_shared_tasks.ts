// The child side of bench/process_shared_bench.ts: the targets its
// Processes (and its Thread) run. A child starts once per case and serves
// every iteration of it: it releases `ready` once, then, per order, waits
// for `go`, reads how much to do from `orders` (0: return), does it and
// releases `done`.

import type {
  Connection,
  Event,
  Lock,
  Queue,
  Semaphore,
  Value,
} from "../mod.ts";

/** What a child and its parent share to run an order at a time. */
export interface Orders {
  ready: Semaphore;
  go: Semaphore;
  done: Semaphore;
  /** How much the next order does; 0 ends the child. */
  orders: Value<"i32">;
}

function serve(crew: Orders, work: (n: number) => void): void {
  crew.ready.release();
  for (;;) {
    crew.go.acquireSync();
    const n = crew.orders.value;
    if (n === 0) return;
    work(n);
    crew.done.release();
  }
}

/** Per order n: adds 1 to `value` under `lock`, n times. */
export function count(crew: Orders, lock: Lock, value: Value<"i32">): void {
  serve(crew, (n) => {
    for (let i = 0; i < n; i++) {
      lock.acquireSync();
      value.value = value.value + 1;
      lock.release();
    }
  });
}

/** Per order n: puts 0..n-1 into `queue`. */
export function produce(crew: Orders, queue: Queue<number>): void {
  serve(crew, (n) => {
    for (let i = 0; i < n; i++) queue.putSync(i);
  });
}

/** Per order n: sends back each of n messages. */
export function echo(crew: Orders, connection: Connection<number>): void {
  serve(crew, (n) => {
    for (let i = 0; i < n; i++) connection.send(connection.recvSync());
  });
}

/** Per order n: answers n sets of `ping` by clearing it and setting `pong`. */
export function pong(crew: Orders, ping: Event, pong: Event): void {
  serve(crew, (n) => {
    for (let i = 0; i < n; i++) {
      ping.waitSync();
      ping.clear();
      pong.set();
    }
  });
}

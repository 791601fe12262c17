// The child side of bench/process_shared_bench.ts: the targets its
// Processes (and its Thread) run. Each one first releases `ready`, so that
// the parent starts its clock only once every child is up and waiting, then
// waits for its start (`go`, or the parent's first message) and runs the
// whole loop.

import type {
  Connection,
  Event,
  Lock,
  Queue,
  Semaphore,
  Value,
} from "../mod.ts";

/**
 * Releases `ready`, waits for `go`, adds 1 to `value` under `lock` `times`
 * times, then releases `done`.
 */
export function countAfterGo(
  ready: Semaphore,
  go: Event,
  done: Semaphore,
  lock: Lock,
  value: Value<"i32">,
  times: number,
): void {
  ready.release();
  go.waitSync();
  for (let i = 0; i < times; i++) {
    lock.acquireSync();
    value.value = value.value + 1;
    lock.release();
  }
  done.release();
}

/** Releases `ready`, waits for `go`, puts 0..n-1 into `queue`. */
export function produceAfterGo(
  ready: Semaphore,
  go: Event,
  queue: Queue<number>,
  n: number,
): void {
  ready.release();
  go.waitSync();
  for (let i = 0; i < n; i++) queue.putSync(i);
}

/** Releases `ready`, then sends back each of `rounds` messages. */
export function echo(
  ready: Semaphore,
  connection: Connection<number>,
  rounds: number,
): void {
  ready.release();
  for (let i = 0; i < rounds; i++) connection.send(connection.recvSync());
}

/**
 * Releases `ready`, then answers each of `rounds` sets of `ping` by
 * clearing it and setting `pong`.
 */
export function pong(
  ready: Semaphore,
  ping: Event,
  pong: Event,
  rounds: number,
): void {
  ready.release();
  for (let i = 0; i < rounds; i++) {
    ping.waitSync();
    ping.clear();
    pong.set();
  }
}

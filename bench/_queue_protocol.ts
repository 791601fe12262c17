// The messages between bench/queue_bench.ts and its Workers
// (bench/_queue_worker.ts).

import type { QueueHandle } from "../mod.ts";

/** What the main thread shares once, before any iteration. */
export interface Shared {
  /** Queue(BOUNDED) for the throughput group. */
  bounded: QueueHandle;
  /** Queue() for the throughput group. */
  unbounded: QueueHandle;
  /** SimpleQueue() for the throughput group. */
  simple: QueueHandle;
  /** Queue() that carries the pings of the latency group. */
  ping: QueueHandle;
  /** Queue() that carries the pongs of the latency group. */
  pong: QueueHandle;
}

/** How the items travel. */
export type Via = "bounded" | "unbounded" | "simple" | "post";

/** One message from the main thread. */
export type Request =
  | { op: "init"; shared: Shared; port: MessagePort }
  | { op: "produce" | "consume"; via: Via; n: number }
  | { op: "ping" | "pong"; via: "queue" | "post"; rounds: number };

/** The bound of the bounded Queue, in items. */
export const BOUNDED = 1024;

/** The small item of every case: about 45 bytes of JSON, 54 in a Queue. */
export function item(i: number): { id: number; name: string; value: number } {
  return { id: i, name: "item", value: i * 1.5 };
}

/** What the consumer answers for n items 0..n-1: the sum of their values. */
export function checksum(n: number): number {
  return 1.5 * (n * (n - 1) / 2);
}

// The Worker side of bench/primitives_bench.ts. The main thread sends
// `{ op: "init", shared }` once, then one message per bench iteration, such
// as `{ op: "event-ping", rounds }`; the worker runs the whole loop and
// answers `{ ok: true }` (or `{ ok: false, error }`). Each ping-pong has two
// roles: "ping" starts every round trip, "pong" answers it.

import { Condition, Event, Lock, Semaphore } from "../mod.ts";
import {
  COUNTER,
  FUTEX,
  type Request,
  type Shared,
  SPIN,
  TURN,
} from "./_primitives_protocol.ts";
import { serve } from "./_shared.ts";

let ping: Event;
let pong: Event;
let pingSemaphore: Semaphore;
let pongSemaphore: Semaphore;
let condition: Condition;
let lock: Lock;
let words: Int32Array;

function init(shared: Shared): void {
  ping = Event.from(shared.ping);
  pong = Event.from(shared.pong);
  pingSemaphore = Semaphore.from(shared.pingSemaphore);
  pongSemaphore = Semaphore.from(shared.pongSemaphore);
  condition = Condition.from(shared.condition);
  lock = Lock.from(shared.lock);
  words = new Int32Array(shared.words);
}

// Two Events, each cleared by the side that waited on it, before it answers:
// a set can never be lost or seen twice.
function eventPing(rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    ping.set();
    pong.waitSync();
    pong.clear();
  }
}

function eventPong(rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    ping.waitSync();
    ping.clear();
    pong.set();
  }
}

// Two Semaphore(0)s: each release is one permit for the other side.
function semaphorePing(rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    pingSemaphore.release();
    pongSemaphore.acquireSync();
  }
}

function semaphorePong(rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    pingSemaphore.acquireSync();
    pongSemaphore.release();
  }
}

// A Condition and a turn word guarded by its lock: 1 is "ping was sent",
// 0 is "pong was sent". Each side waits in a predicate loop.
function conditionPing(rounds: number): void {
  condition.acquireSync();
  for (let i = 0; i < rounds; i++) {
    words[TURN] = 1;
    condition.notify();
    while (words[TURN] !== 0) condition.waitSync();
  }
  condition.release();
}

function conditionPong(rounds: number): void {
  condition.acquireSync();
  for (let i = 0; i < rounds; i++) {
    while (words[TURN] !== 1) condition.waitSync();
    words[TURN] = 0;
    condition.notify();
  }
  condition.release();
}

// The raw futex: Atomics.wait / notify on one word, no spinning at all.
function futexPing(rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    Atomics.store(words, FUTEX, 1);
    Atomics.notify(words, FUTEX, 1);
    while (Atomics.load(words, FUTEX) === 1) Atomics.wait(words, FUTEX, 1);
  }
}

function futexPong(rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    while (Atomics.load(words, FUTEX) === 0) Atomics.wait(words, FUTEX, 0);
    Atomics.store(words, FUTEX, 0);
    Atomics.notify(words, FUTEX, 1);
  }
}

// The floor: the same hand-off as a pure spin on one word, never sleeping.
function spinPing(rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    Atomics.store(words, SPIN, 1);
    while (Atomics.load(words, SPIN) === 1);
  }
}

function spinPong(rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    while (Atomics.load(words, SPIN) === 0);
    Atomics.store(words, SPIN, 0);
  }
}

// One side of the contended counter: n lock-protected plain increments.
function count(n: number): void {
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    words[COUNTER]!++;
    lock.release();
  }
}

const roles: Record<string, (rounds: number) => void> = {
  "event-ping": eventPing,
  "event-pong": eventPong,
  "semaphore-ping": semaphorePing,
  "semaphore-pong": semaphorePong,
  "condition-ping": conditionPing,
  "condition-pong": conditionPong,
  "futex-ping": futexPing,
  "futex-pong": futexPong,
  "spin-ping": spinPing,
  "spin-pong": spinPong,
};

serve((data: Request) => {
  if (data.op === "echo") {
    // nothing to do: the answer is the round trip
  } else if (data.op === "init") init(data.shared);
  else if (data.op === "count") count(data.n);
  else roles[data.op]!(data.rounds);
});

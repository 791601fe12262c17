// Where the single-loop queues keep their items: a FIFO, a LIFO stack, or a
// binary heap by priority. Items stay as they are (no encoding: nothing
// leaves the event loop).

import { priorityOf } from "../internal/options.ts";

/** The items of one queue, in the order `pop` takes them. */
export interface Store<T> {
  readonly size: number;
  /** Throws a `TypeError` if the store cannot hold `item`. */
  check(item: T, where: string): void;
  push(item: T): void;
  /** Takes the next item; the store is not empty. */
  pop(): T;
  /** Drops every item; returns how many there were. */
  clear(): number;
}

/** An array read from a head index, compacted once half of it is read. */
export class FifoStore<T> implements Store<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  check(): void {}

  push(item: T): void {
    this.#items.push(item);
  }

  pop(): T {
    const items = this.#items;
    const item = items[this.#head] as T;
    items[this.#head++] = undefined; // let the item be collected
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= items.length) {
      items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  clear(): number {
    const size = this.size;
    this.#items = [];
    this.#head = 0;
    return size;
  }
}

/** A stack: the newest item first. */
export class LifoStore<T> implements Store<T> {
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  check(): void {}

  push(item: T): void {
    this.#items.push(item);
  }

  pop(): T {
    return this.#items.pop() as T;
  }

  clear(): number {
    const size = this.#items.length;
    this.#items = [];
    return size;
  }
}

interface Entry<T> {
  readonly priority: number;
  /** Insertion order, so that equal priorities come out first in, first out. */
  readonly seq: number;
  readonly item: T;
}

/**
 * A binary min-heap by priority, then insertion order. An item is a number
 * (its own priority) or an array whose first element is a number, as for the
 * cross-worker PriorityQueue.
 */
export class PriorityStore<T> implements Store<T> {
  #heap: Entry<T>[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  check(item: T, where: string): void {
    priorityOf(item, where);
  }

  push(item: T): void {
    const heap = this.#heap;
    const entry = { priority: priorityOf(item, ""), seq: this.#seq++, item };
    let at = heap.length;
    heap.push(entry);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = entry;
  }

  pop(): T {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    const size = heap.length;
    if (size > 0) {
      let at = 0;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= size) break;
        if (child + 1 < size && before(heap[child + 1]!, heap[child]!)) {
          child++;
        }
        if (!before(heap[child]!, last)) break;
        heap[at] = heap[child]!;
        at = child;
      }
      heap[at] = last;
    }
    return top.item;
  }

  clear(): number {
    const size = this.#heap.length;
    this.#heap = [];
    return size;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.priority < b.priority ||
    (a.priority === b.priority && a.seq < b.seq);
}

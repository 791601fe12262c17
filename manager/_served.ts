// The objects a Manager serves, and the only methods a client can call on
// them: a table per kind, so that nothing received is ever looked up on an
// object or evaluated. They run on the server's one event loop, so the
// async family does their waiting; locks know which connection holds them,
// so that a connection that goes away gives back what it held.

import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  Semaphore,
} from "../async/mod.ts";
import {
  AbandonedLockError,
  BrokenBarrierError,
} from "../primitives/errors.ts";
import { quote } from "../internal/options.ts";
import { PROXY } from "../pools/_wire.ts";

/** Who calls, and how long it may wait. */
export interface CallContext {
  /** The connection, which owns the locks it acquires. */
  readonly owner: object;
  readonly signal: AbortSignal;
  readonly timeout: number | undefined;
}

type Method = (
  state: never,
  args: readonly unknown[],
  context: CallContext,
) => unknown;

/** A served object: its kind and what it holds. */
export interface Served {
  readonly kind: ProxyKind;
  readonly state: unknown;
}

function waitOptions(context: CallContext) {
  return context.timeout === undefined
    ? { signal: context.signal }
    : { signal: context.signal, timeout: context.timeout };
}

/**
 * A lock that knows its owner (a connection) and how many times it holds
 * it: Lock, RLock, and the lock of a Condition.
 */
export class OwnedLock {
  readonly lock = new Lock();
  readonly reentrant: boolean;
  readonly name: string;
  owner: object | undefined;
  depth = 0;
  abandoned = false;

  constructor(name: string, reentrant: boolean) {
    this.name = name;
    this.reentrant = reentrant;
  }

  async acquire(context: CallContext): Promise<boolean> {
    if (this.reentrant && this.owner === context.owner) {
      this.depth++;
      return true;
    }
    if (!await this.lock.acquire(waitOptions(context))) return false;
    this.#take(context.owner);
    return true;
  }

  tryAcquire(owner: object): boolean {
    if (this.reentrant && this.owner === owner) {
      this.depth++;
      return true;
    }
    if (!this.lock.tryAcquire()) return false;
    this.#take(owner);
    return true;
  }

  #take(owner: object): void {
    if (this.abandoned) {
      // As a dead thread's lock: the next acquirer is told, once, and does
      // not hold it.
      this.abandoned = false;
      this.lock.release();
      throw new AbandonedLockError(
        `Cannot acquire the Manager's ${this.name}: the client that held it went away, so what it guards may be inconsistent; the lock is free again`,
      );
    }
    this.owner = owner;
    this.depth = 1;
  }

  release(owner: object): void {
    // A Lock, as Python's threading.Lock, may be released by anyone while
    // it is held; an RLock (and a Condition's lock) only by its owner.
    if (this.owner === undefined || (this.reentrant && this.owner !== owner)) {
      throw new RangeError(
        `Cannot release the Manager's ${this.name}: ${
          this.owner === undefined
            ? "it is not held"
            : "this client does not hold it"
        }`,
      );
    }
    if (--this.depth > 0) return;
    this.owner = undefined;
    this.lock.release();
  }

  /** The owner went away holding it. */
  abandon(): void {
    this.owner = undefined;
    this.depth = 0;
    this.abandoned = true;
    this.lock.release();
  }
}

function checkIndex(where: string, index: unknown, length: number): number {
  const given = integerArg(where, "index", index);
  const at = given < 0 ? length + given : given;
  if (at < 0 || at >= length) {
    throw new RangeError(
      `${where}: index ${given} is out of range for length ${length}`,
    );
  }
  return at;
}

/**
 * `current + amount`, for the `add` methods: both must be numbers, and a
 * value not there yet counts as 0.
 *
 * @throws {TypeError} Otherwise (Python's `+=` on a str is one too).
 */
function sum(where: string, current: unknown, amount: unknown): number {
  if (typeof amount !== "number") {
    throw new TypeError(
      `${where}: 'amount' must be a number, received ${quote(amount)}`,
    );
  }
  const value = current ?? 0;
  if (typeof value !== "number") {
    throw new TypeError(
      `${where}: the value is not a number but ${quote(value)}`,
    );
  }
  return value + amount;
}

function checkName(where: string, name: unknown): asserts name is string {
  if (typeof name !== "string") {
    throw new TypeError(
      `${where}: a name must be a string, received ${quote(name)}`,
    );
  }
}

/**
 * An integer argument of any sign (a list index counts from the end when
 * negative), unbounded: not `internal/options.ts`'s `checkInteger`, which
 * is for counts in a range.
 */
function integerArg(where: string, name: string, value: unknown): number {
  if (!Number.isInteger(value)) {
    throw new TypeError(
      `${where}: '${name}' must be an integer, received ${quote(value)}`,
    );
  }
  return value as number;
}

function missing(where: string, key: unknown): RangeError {
  return new RangeError(`${where}: no key ${quote(key)}`);
}

const dict = {
  get: (map: Map<unknown, unknown>, [key, fallback]) =>
    map.has(key) ? map.get(key) : fallback,
  set: (map: Map<unknown, unknown>, [key, value]) => void map.set(key, value),
  has: (map: Map<unknown, unknown>, [key]) => map.has(key),
  delete: (map: Map<unknown, unknown>, [key]) => map.delete(key),
  keys: (map: Map<unknown, unknown>) => [...map.keys()],
  values: (map: Map<unknown, unknown>) => [...map.values()],
  entries: (map: Map<unknown, unknown>) => [...map.entries()],
  size: (map: Map<unknown, unknown>) => map.size,
  clear: (map: Map<unknown, unknown>) => map.clear(),
  update: (map: Map<unknown, unknown>, [entries]) => {
    for (const [key, value] of entries as [unknown, unknown][]) {
      map.set(key, value);
    }
  },
  setDefault: (map: Map<unknown, unknown>, [key, value]) => {
    if (!map.has(key)) map.set(key, value);
    return map.get(key);
  },
  pop: (map: Map<unknown, unknown>, args) => {
    const [key, fallback] = args;
    if (!map.has(key)) {
      if (args.length > 1) return fallback;
      throw missing("dict.pop()", key);
    }
    const value = map.get(key);
    map.delete(key);
    return value;
  },
  // Python's popitem: the last pair set. A Map keeps no pointer to its
  // last entry, so this walks it: O(n), for a method seldom used.
  popItem: (map: Map<unknown, unknown>) => {
    if (map.size === 0) {
      throw new RangeError("dict.popItem(): the dict is empty");
    }
    let last: [unknown, unknown] | undefined;
    for (const entry of map) last = entry;
    map.delete(last![0]);
    return last;
  },
  /** An update that reads and writes under the server's one loop. */
  add: (map: Map<unknown, unknown>, [key, amount]) => {
    const value = sum("dict.add()", map.get(key), amount);
    map.set(key, value);
    return value;
  },
} satisfies Record<string, Method>;

const list = {
  at: (items: unknown[], [index]) =>
    items[checkIndex("list.at()", index, items.length)],
  set: (items: unknown[], [index, value]) => {
    items[checkIndex("list.set()", index, items.length)] = value;
  },
  push: (items: unknown[], values) => items.push(...values),
  // As Python's, an index past either end inserts at that end.
  insert: (items: unknown[], [index, value]) => {
    items.splice(integerArg("list.insert()", "index", index), 0, value);
  },
  pop: (items: unknown[], args) => {
    if (items.length === 0) {
      throw new RangeError("list.pop(): the list is empty");
    }
    const at = args.length === 0
      ? items.length - 1
      : checkIndex("list.pop()", args[0], items.length);
    return items.splice(at, 1)[0];
  },
  remove: (items: unknown[], [value]) => {
    const at = items.indexOf(value);
    if (at < 0) {
      throw new RangeError(`list.remove(): ${quote(value)} is not in the list`);
    }
    items.splice(at, 1);
  },
  indexOf: (items: unknown[], [value]) => items.indexOf(value),
  count: (items: unknown[], [value]) =>
    items.filter((each) => each === value).length,
  reverse: (items: unknown[]) => void items.reverse(),
  sort: (items: unknown[]) =>
    void items.sort((a, b) =>
      typeof a === "number" && typeof b === "number"
        ? a - b
        : String(a) < String(b)
        ? -1
        : String(a) > String(b)
        ? 1
        : 0
    ),
  slice: (items: unknown[], [start, end]) =>
    items.slice(
      start === undefined ? start : integerArg("list.slice()", "start", start),
      end === undefined ? end : integerArg("list.slice()", "end", end),
    ),
  length: (items: unknown[]) => items.length,
  clear: (items: unknown[]) => void items.splice(0),
} satisfies Record<string, Method>;

const namespace = {
  get: (names: Map<string, unknown>, [name]) => {
    checkName("Namespace.get()", name);
    if (!names.has(name)) throw missing("Namespace.get()", name);
    return names.get(name);
  },
  set: (names: Map<string, unknown>, [name, value]) => {
    checkName("Namespace.set()", name);
    names.set(name, value);
  },
  has: (names: Map<string, unknown>, [name]) => {
    checkName("Namespace.has()", name);
    return names.has(name);
  },
  delete: (names: Map<string, unknown>, [name]) => {
    checkName("Namespace.delete()", name);
    return names.delete(name);
  },
  toObject: (names: Map<string, unknown>) => Object.fromEntries(names),
  add: (names: Map<string, unknown>, [name, amount]) => {
    checkName("Namespace.add()", name);
    const value = sum("Namespace.add()", names.get(name), amount);
    names.set(name, value);
    return value;
  },
} satisfies Record<string, Method>;

const value = {
  get: (cell: { value: unknown }) => cell.value,
  set: (cell: { value: unknown }, [next]) => void (cell.value = next),
  add: (
    cell: { value: unknown },
    [amount],
  ) => (cell.value = sum("Value.add()", cell.value, amount)),
} satisfies Record<string, Method>;

const array = {
  get: (items: unknown[], [index]) =>
    items[checkIndex("Array.get()", index, items.length)],
  set: (items: unknown[], [index, next]) => {
    items[checkIndex("Array.set()", index, items.length)] = next;
  },
  length: (items: unknown[]) => items.length,
  toArray: (items: unknown[]) => items.slice(),
} satisfies Record<string, Method>;

const lock = {
  acquire: (owned: OwnedLock, _, context) => owned.acquire(context),
  tryAcquire: (owned: OwnedLock, _, context) => owned.tryAcquire(context.owner),
  release: (owned: OwnedLock, _, context) => owned.release(context.owner),
  locked: (owned: OwnedLock) => owned.lock.locked,
} satisfies Record<string, Method>;

const semaphore = {
  acquire: (s: Semaphore, _, context) => s.acquire(waitOptions(context)),
  tryAcquire: (s: Semaphore) => s.tryAcquire(),
  release: (s: Semaphore, [n]) => s.release(n as number | undefined),
  value: (s: Semaphore) => s.value,
} satisfies Record<string, Method>;

const event = {
  set: (e: Event) => e.set(),
  clear: (e: Event) => e.clear(),
  isSet: (e: Event) => e.isSet,
  wait: (e: Event, _, context) => e.wait(waitOptions(context)),
} satisfies Record<string, Method>;

/** A Condition and its owned lock (the Condition's own). */
export interface ServedCondition {
  readonly owned: OwnedLock;
  readonly condition: Condition;
}

function checkOwner(where: string, c: ServedCondition, owner: object): void {
  if (c.owned.owner !== owner) {
    throw new RangeError(
      `${where}: this client does not hold the Condition's lock`,
    );
  }
}

const condition = {
  acquire: (c: ServedCondition, _, context) => c.owned.acquire(context),
  tryAcquire: (c: ServedCondition, _, context) =>
    c.owned.tryAcquire(context.owner),
  release: (c: ServedCondition, _, context) => c.owned.release(context.owner),
  locked: (c: ServedCondition) => c.owned.lock.locked,
  wait: async (c: ServedCondition, _, context) => {
    checkOwner("Condition.wait()", c, context.owner);
    const depth = c.owned.depth;
    c.owned.owner = undefined;
    try {
      return await c.condition.wait(waitOptions(context));
    } finally {
      // The wait takes the lock again, whatever happened.
      c.owned.owner = context.owner;
      c.owned.depth = depth;
    }
  },
  notify: (c: ServedCondition, [n], context) => {
    checkOwner("Condition.notify()", c, context.owner);
    c.condition.notify(n as number | undefined);
  },
  notifyAll: (c: ServedCondition, _, context) => {
    checkOwner("Condition.notifyAll()", c, context.owner);
    c.condition.notifyAll();
  },
} satisfies Record<string, Method>;

const barrier = {
  wait: async (b: Barrier, _, context) => {
    try {
      return await b.wait(waitOptions(context));
    } catch (error) {
      if (!(error instanceof DOMException && error.name === "TimeoutError")) {
        throw error;
      }
      // As Python's threading.Barrier (and this module's), not asyncio's: a
      // party that times out breaks the barrier for every party.
      b.abort();
      throw new BrokenBarrierError(
        `The barrier broke: a party timed out (${error.message})`,
      );
    }
  },
  reset: (b: Barrier) => b.reset(),
  abort: (b: Barrier) => b.abort(),
  parties: (b: Barrier) => b.parties,
  nWaiting: (b: Barrier) => b.nWaiting,
  broken: (b: Barrier) => b.broken,
} satisfies Record<string, Method>;

const queue = {
  put: (q: Queue, [item], context) => q.put(item, waitOptions(context)),
  putNowait: (q: Queue, [item]) => q.putNowait(item),
  get: (q: Queue, _, context) => q.get(waitOptions(context)),
  getNowait: (q: Queue) => q.getNowait(),
  qsize: (q: Queue) => q.qsize(),
  empty: (q: Queue) => q.empty(),
  full: (q: Queue) => q.full(),
  taskDone: (q: Queue) => q.taskDone(),
  join: (q: Queue, _, context) => q.join(waitOptions(context)),
  shutdown: (q: Queue, [immediate]) =>
    q.shutdown({ immediate: immediate === true }),
} satisfies Record<string, Method>;

/** A kind of object a Manager serves. */
export type ProxyKind =
  | "dict"
  | "list"
  | "Namespace"
  | "Value"
  | "Array"
  | "Lock"
  | "RLock"
  | "Semaphore"
  | "BoundedSemaphore"
  | "Event"
  | "Condition"
  | "Barrier"
  | "Queue"
  | "LifoQueue"
  | "PriorityQueue";

/** The methods of each kind a Manager serves. */
const METHODS: Record<ProxyKind, Record<string, Method>> = {
  dict,
  list,
  Namespace: namespace,
  Value: value,
  Array: array,
  Lock: lock,
  RLock: lock,
  Semaphore: semaphore,
  BoundedSemaphore: semaphore,
  Event: event,
  Condition: condition,
  Barrier: barrier,
  Queue: queue,
  LifoQueue: queue,
  PriorityQueue: queue,
};

/** Whether `kind` is one a Manager serves. */
export function isKind(kind: unknown): kind is ProxyKind {
  return typeof kind === "string" && Object.hasOwn(METHODS, kind);
}

/**
 * A new object of `kind` from the arguments its proxy's factory checked.
 *
 * @throws {TypeError | RangeError} For bad arguments.
 */
export function createServed(
  kind: ProxyKind,
  args: readonly unknown[],
  served: (id: number) => Served | undefined,
): Served {
  const [first, second] = args;
  switch (kind) {
    case "dict":
      return { kind, state: new Map(first as [unknown, unknown][] ?? []) };
    case "list":
      return { kind, state: [...(first as unknown[] ?? [])] };
    case "Namespace":
      return {
        kind,
        state: new Map(
          Object.entries((first ?? {}) as Record<string, unknown>),
        ),
      };
    case "Value":
      return { kind, state: { value: second } };
    case "Array":
      return { kind, state: [...(second as unknown[])] };
    case "Lock":
    case "RLock":
      return { kind, state: new OwnedLock(kind, kind === "RLock") };
    case "Semaphore":
      return { kind, state: new Semaphore(first as number | undefined) };
    case "BoundedSemaphore":
      return { kind, state: new BoundedSemaphore(first as number | undefined) };
    case "Event":
      return { kind, state: new Event() };
    case "Condition": {
      const owned = first === undefined
        ? new OwnedLock("Condition", true)
        : lockOf(first, served);
      return { kind, state: { owned, condition: new Condition(owned.lock) } };
    }
    case "Barrier":
      return {
        kind,
        state: new Barrier(first as number, {
          timeout: second as number | undefined ?? Infinity,
        }),
      };
    case "Queue":
      return { kind, state: new Queue(first as number | undefined) };
    case "LifoQueue":
      return { kind, state: new LifoQueue(first as number | undefined) };
    case "PriorityQueue":
      return { kind, state: new PriorityQueue(first as number | undefined) };
  }
}

/**
 * The lock of the Lock or RLock that a proxy stored as `ref` names (a
 * Condition's, shared with it as Python's `Condition(lock)` is).
 *
 * @throws {TypeError} If it names no Lock or RLock served here.
 */
function lockOf(
  ref: unknown,
  served: (id: number) => Served | undefined,
): OwnedLock {
  const id = (ref as Record<string, { id?: unknown } | undefined>)?.[PROXY]
    ?.id;
  const lock = typeof id === "number" ? served(id) : undefined;
  if (lock?.kind !== "Lock" && lock?.kind !== "RLock") {
    throw new TypeError(
      "Manager.Condition(): 'lock' must be a Lock or an RLock of this Manager",
    );
  }
  return lock.state as OwnedLock;
}

/** The locks a served object holds for `owner` (to give back if it goes). */
export function ownedLock(served: Served): OwnedLock | undefined {
  if (served.kind === "Lock" || served.kind === "RLock") {
    return served.state as OwnedLock;
  }
  if (served.kind === "Condition") {
    return (served.state as ServedCondition).owned;
  }
  return undefined;
}

/**
 * Calls `method` of a served object.
 *
 * @throws {TypeError} If its kind has no such method.
 */
export function callServed(
  served: Served,
  method: string,
  args: readonly unknown[],
  context: CallContext,
): unknown {
  const table = METHODS[served.kind];
  if (!Object.hasOwn(table, method)) {
    throw new TypeError(
      `A Manager's ${served.kind} has no method ${quote(method)}`,
    );
  }
  return table[method]!(served.state as never, args, context);
}

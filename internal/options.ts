// Validation of constructor arguments and of the `{ timeout, signal }`
// options that every blocking call takes. One place, so that every primitive
// (and the single-loop family later) reports bad input the same way.

/** Options of every blocking call: milliseconds, and an abort signal. */
export interface WaitOptions {
  /**
   * How long to wait, in milliseconds. `Infinity` (the default) waits
   * forever; `0` does not wait at all. Negative or `NaN` is a `RangeError`.
   */
  timeout?: number;
  /**
   * Aborts the wait: the async face rejects with `signal.reason`. The `Sync`
   * face blocks its thread, so it can only honour a signal that is already
   * aborted when the call starts, or when it wakes.
   */
  signal?: AbortSignal;
}

/** "a Lock", "an Event", "an RLock": a class name with its article. */
export function withArticle(name: string): string {
  return `${/^([AEIOU]|RL)/.test(name) ? "an" : "a"} ${name}`;
}

/** Quotes a value for an error message: strings in quotes, the rest as code. */
export function quote(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") {
    return `function ${value.name || "(anonymous)"}`;
  }
  if (value === null || typeof value !== "object") return String(value);
  if (Array.isArray(value)) return "an array";
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return name && name !== "Object" ? withArticle(name) : "an object";
}

/** Checks that an optional argument is an object (`undefined` passes). */
export function checkObject(where: string, name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== "object" || value === null)) {
    throw new TypeError(
      `${where}: '${name}' must be an object, received ${quote(value)}`,
    );
  }
}

/**
 * Turns `{ timeout, signal }` into an absolute deadline on the
 * `performance.now()` clock, and checks both.
 *
 * @returns the deadline (`Infinity` for none) and the signal.
 */
export function parseWait(
  where: string,
  options: WaitOptions | undefined,
): { deadline: number; signal: AbortSignal | undefined } {
  if (options === undefined) return { deadline: Infinity, signal: undefined };
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `${where}: 'options' must be an object, received ${quote(options)}`,
    );
  }
  const { timeout, signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(
      `${where}: 'signal' must be an AbortSignal, received ${quote(signal)}`,
    );
  }
  return { deadline: deadlineOf(where, timeout), signal };
}

/** Checks a timeout in milliseconds and returns its deadline. */
export function deadlineOf(where: string, timeout: unknown): number {
  if (timeout === undefined || timeout === Infinity) return Infinity;
  return performance.now() + checkDuration(where, "timeout", timeout);
}

/**
 * Checks a duration option in milliseconds: a number, 0 or more
 * (`Infinity` for none).
 */
export function checkDuration(
  where: string,
  name: string,
  value: unknown,
): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `${where}: '${name}' must be a number of milliseconds, received ${
        quote(value)
      }`,
    );
  }
  if (!(value >= 0)) {
    throw new RangeError(
      `${where}: '${name}' must be a non-negative number of milliseconds, received ${value}`,
    );
  }
  return value;
}

/** Checks that a count is an integer in `[min, max]`. */
export function checkInteger(
  where: string,
  name: string,
  value: unknown,
  min: number,
  max = 0x7fffffff,
): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `${where}: '${name}' must be an integer, received ${quote(value)}`,
    );
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const kind = min === 0
      ? "a non-negative integer no greater than"
      : min === 1
      ? "a positive integer no greater than"
      : `an integer from ${min} to`;
    throw new RangeError(
      `${where}: '${name}' must be ${kind} ${max}, received ${value}`,
    );
  }
  return value;
}

/**
 * The priority of a PriorityQueue item (cross-worker or single-loop): the
 * item itself if it is a number, or the first element of an array.
 */
export function priorityOf(item: unknown, where: string): number {
  const priority = Array.isArray(item) ? item[0] : item;
  if (typeof priority !== "number" || Number.isNaN(priority)) {
    throw new TypeError(
      `${where}: an item must be a number or an array whose first element is a number (its priority), received ${
        Array.isArray(item)
          ? `an array whose first element is ${quote(item[0])}`
          : quote(item)
      }`,
    );
  }
  return priority;
}

/** Checks that a value can be iterated (`for...of`), and returns it. */
export function checkIterable<T>(
  where: string,
  name: string,
  value: Iterable<T>,
): Iterable<T> {
  if (
    value === null || value === undefined ||
    typeof (value as Partial<Iterable<T>>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `${where}: '${name}' must be an iterable, received ${quote(value)}`,
    );
  }
  return value;
}

/** Checks an optional boolean option (`undefined` gives `fallback`). */
export function checkBoolean(
  where: string,
  name: string,
  value: unknown,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new TypeError(
      `${where}: '${name}' must be a boolean, received ${quote(value)}`,
    );
  }
  return value;
}

/** The `immediate` flag of a queue's `shutdown(options)`, checked. */
export function shutdownImmediate(kind: string, options: unknown): boolean {
  const where = `Cannot shut down ${kind}`;
  checkObject(where, "options", options);
  return checkBoolean(
    where,
    "immediate",
    (options as { immediate?: unknown } | undefined)?.immediate,
    false,
  );
}

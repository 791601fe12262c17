// What crosses between a pool and its workers, besides the values the codec
// carries: the shape of requests and responses, and errors. An error is sent
// as its parts (name, message, stack, cause and own data fields), because
// structured clone keeps only the built-in error classes and drops the name
// of a subclass such as `class ParseError extends Error`.

/**
 * A request: run `target` (an export's name or a function's source). Its
 * claim word (`_claim.ts`) is the worker's count of requests, so that the
 * request can be encoded once, before the pool knows which worker takes it.
 */
export type Request = [
  id: number,
  kind: number,
  target: string,
  args: unknown[] | null,
];

/** `args` are the arguments of one call. */
export const CALL = 0;
/** `args` is a list of argument lists: one call each, results as a list. */
export const CHUNK = 1;
/**
 * A flag of `kind`: the arguments come by `postMessage` (as `{ id, args }`),
 * because they hold what shared memory cannot carry (a SharedArrayBuffer, a
 * SharedArray, a queue) or buffers to transfer.
 */
export const BY_MESSAGE = 2;
/**
 * A flag of CHUNK: `args` is a list of single arguments, one call with each
 * (map's items, which then need no argument list each).
 */
export const ITEMS = 4;
/** Tells the worker's loop to end (the pool is shutting down). */
export const STOP = -1;

/** A response: the task's outcome. */
export type Response = [id: number, status: number, value: unknown];

export const OK = 0;
export const FAILED = 1;
/** The task was cancelled before the worker started it. */
export const SKIPPED = 2;

/** The parts of an error, which the codec can carry. */
export interface WireError {
  readonly error: true;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly cause?: unknown;
  readonly fields: Record<string, unknown>;
}

const BUILT_IN: Record<string, ErrorConstructor> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

/** Whether an error's own field is one that travels with it: a scalar. */
function isScalarField(value: unknown): boolean {
  const type = typeof value;
  return value === null || type === "string" || type === "number" ||
    type === "boolean";
}

/**
 * Takes an error apart; a thrown non-error is sent as it is. An error met
 * twice (a cause that leads back to it) becomes the same parts, which the
 * codec carries as one object, so the cycle arrives as a cycle.
 */
export function toWire(
  thrown: unknown,
  seen: Map<Error, WireError> = new Map(),
): unknown {
  if (!(thrown instanceof Error)) return thrown;
  const known = seen.get(thrown);
  if (known !== undefined) return known;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(thrown)) {
    if (key !== "name" && key !== "message" && isScalarField(value)) {
      fields[key] = value;
    }
  }
  const wire: { -readonly [K in keyof WireError]: WireError[K] } = {
    error: true,
    name: thrown.name,
    message: thrown.message,
    stack: thrown.stack,
    fields,
  };
  seen.set(thrown, wire);
  if ("cause" in thrown) wire.cause = toWire(thrown.cause, seen);
  return wire;
}

function isWireError(value: unknown): value is WireError {
  return typeof value === "object" && value !== null &&
    (value as WireError).error === true &&
    typeof (value as WireError).name === "string";
}

/** Puts an error together again, with its original name and stack. */
export function fromWire(
  value: unknown,
  seen: Map<WireError, Error> = new Map(),
): unknown {
  if (!isWireError(value)) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  const Class = BUILT_IN[value.name] ?? Error;
  const error = new Class(value.message);
  seen.set(value, error);
  if ("cause" in value) {
    // As `new Error(message, { cause })` defines it.
    Object.defineProperty(error, "cause", {
      value: fromWire(value.cause, seen),
      writable: true,
      configurable: true,
    });
  }
  if (error.name !== value.name) {
    Object.defineProperty(error, "name", {
      value: value.name,
      writable: true,
      configurable: true,
    });
  }
  if (value.stack !== undefined) error.stack = value.stack;
  Object.assign(error, value.fields);
  return error;
}

/** The key that marks a primitive's handle inside a message (`_message.ts`). */
export const HANDLE = "__parallelHandle";

/** The key that marks a Manager's proxy inside a message. */
export const PROXY = "__parallelProxy";

/**
 * Whether a message carries a primitive's handle or a Manager's proxy: a
 * child process loads them only then.
 */
export function hasHandles(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return value.some(hasHandles);
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  return HANDLE in value || PROXY in value ||
    Object.values(value).some(hasHandles);
}

/**
 * A message with the primitives' handles in it revived: a child process
 * loads the primitives only when it is given one.
 */
export async function revived<T>(value: T): Promise<T> {
  if (!hasHandles(value)) return value;
  const [{ fromMessage }] = await Promise.all([
    import("./_message.ts"),
    import("../primitives/mod.ts"), // every kind, to revive any of them
  ]);
  return fromMessage(value) as T;
}

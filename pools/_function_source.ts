// How a function task travels to another thread: as its source, made into
// an expression there, under a name that says where it came from.
//
// What is sent is "<name>\n<expression>": the name becomes the source's
// `//# sourceURL`, the file that sent it and the task's name
// (`file:///app/main.ts#task:double`), so that a stack shows `at double
// (file:///app/main.ts#task:double, <anonymous>:3:20)` instead of a line of
// the worker's own code. (V8 ignores a sourceURL with a space in it.)
// Method shorthand (`{ double(n) { ... } }`, also async and generator
// methods) is turned into a function expression; what has no source that
// runs elsewhere (built-in and bound functions, classes, getters and
// setters, methods that use `super`) is a TypeError at submit.

import { quote } from "../internal/options.ts";

// deno-lint-ignore ban-types
const sent = new WeakMap<Function, string>();
/** The files that take function tasks: their frames are not the caller. */
const OWN = [
  "./_function_source.ts",
  "./executor.ts",
  "./thread_pool.ts",
  "./process_pool.ts",
  "./process.ts",
  "./_start_options.ts",
  "./thread.ts",
].map(
  (file) => new URL(file, import.meta.url).href,
);

/**
 * What was sent by the name and text of a function, for the closures a loop
 * makes anew (`pool.submit((n) => n + 1, i)`): each is a new function with
 * the same text, and finding the file that sent it costs about 8 µs per
 * frame of the stack (Deno maps each one to its source), tens of µs in all.
 * So the same text from two files is named after the first. Bounded:
 * cleared when full.
 */
const byText = new Map<string, string>();
const KEPT_TEXTS = 1024;

/**
 * What to send for a function task (cached per function, and per text).
 *
 * @throws {TypeError} If the function cannot run in another thread as it
 * is written; the message says what to write instead.
 */
// deno-lint-ignore ban-types
export function functionSource(where: string, fn: Function): string {
  const cached = sent.get(fn);
  if (cached !== undefined) return cached;
  const text = Function.prototype.toString.call(fn);
  const key = `${fn.name}\n${text}`;
  const known = byText.get(key);
  if (known !== undefined) {
    sent.set(fn, known);
    return known;
  }
  const instead =
    "write it as a function expression, an arrow function or a method of an object literal, or name an export of the pool's module";
  if (text.endsWith("{ [native code] }")) {
    throw new TypeError(
      `${where}: ${
        quote(fn)
      } has no source to send (a built-in or bound function): ${instead}`,
    );
  }
  if (/^class\b/.test(text)) {
    throw new TypeError(
      `${where}: ${quote(fn)} is a class, which cannot be called as a task`,
    );
  }
  if (/^(get|set)\s+[^\s(]/.test(text)) {
    throw new TypeError(
      `${where}: ${quote(fn)} is a getter or a setter: ${instead}`,
    );
  }
  const expression = compiles(text) ? text : methodAsFunction(text);
  if (expression === undefined) {
    const reason = /\bsuper\b/.test(text)
      ? "it uses super, which works only in its class"
      : "its source is not a function expression";
    throw new TypeError(
      `${where}: ${
        quote(fn)
      } cannot run in another thread (${reason}): ${instead}`,
    );
  }
  const name = `${callerFile()}#task${
    fn.name ? `:${encodeURIComponent(fn.name)}` : ""
  }`;
  const result = `${name}\n${expression}`;
  sent.set(fn, result);
  if (byText.size >= KEPT_TEXTS) byText.clear();
  byText.set(key, result);
  return result;
}

/** Whether `text` is an expression that makes a function. */
function compiles(text: string): boolean {
  try {
    new Function(`return (${text}\n);`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The function expression of a method's source (`name(args) { ... }`,
 * `async name()`, `*name()`, `async *name()`, a quoted, numeric or computed
 * name), or undefined when that does not compile either.
 */
function methodAsFunction(text: string): string | undefined {
  const head = /^(async\s+)?(\*\s*)?/.exec(text)!;
  let rest = text.slice(head[0].length);
  const prefix = `${head[1] ? "async " : ""}function${head[2] ? "*" : ""}`;
  let name = "";
  const identifier = /^[A-Za-z_$][\w$]*/.exec(rest);
  if (identifier) {
    name = identifier[0];
    rest = rest.slice(name.length);
  } else {
    const end = keyEnd(rest);
    if (end < 0) return undefined;
    rest = rest.slice(end);
  }
  rest = rest.trimStart();
  if (!rest.startsWith("(")) return undefined;
  // A name that is a reserved word (`delete() {}`) is dropped.
  for (const candidate of [`${prefix} ${name}${rest}`, `${prefix} ${rest}`]) {
    if (compiles(candidate)) return candidate;
  }
  return undefined;
}

/** Where a quoted, numeric or computed method name ends, or -1. */
function keyEnd(rest: string): number {
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    for (let i = 1; i < rest.length; i++) {
      if (rest[i] === "\\") i++;
      else if (rest[i] === quote) return i + 1;
    }
    return -1;
  }
  const number = /^[\d.][\w.]*/.exec(rest);
  if (number) return number[0].length;
  if (rest[0] !== "[") return -1;
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "[") depth++;
    else if (rest[i] === "]" && --depth === 0) return i + 1;
  }
  return -1;
}

/** The first file on the stack that is not this module's own. */
function callerFile(): string {
  const stack = new Error().stack ?? "";
  for (const line of stack.split("\n").slice(1)) {
    const match = /((?:file|https?|jsr|npm|data):[^\s)]+?):\d+:\d+\)?$/.exec(
      line,
    );
    if (match && !OWN.includes(match[1]!)) return match[1]!;
  }
  return "unknown:";
}

/**
 * Compiles what `functionSource` sent (worker side): the function, with its
 * name as its source's URL.
 */
export function compileFunction(sent: string): (...args: unknown[]) => unknown {
  const newline = sent.indexOf("\n");
  const name = sent.slice(0, newline);
  const expression = sent.slice(newline + 1);
  return new Function(
    `return (${expression}\n);\n//# sourceURL=${name}`,
  )() as (...args: unknown[]) => unknown;
}

/** Whether a task target is a function's source (not an export's name). */
export function isFunctionTarget(target: string): boolean {
  return target.includes("\n");
}

/**
 * The hint added to a ReferenceError of a function task: the most common
 * mistake with them.
 */
export const SCOPE_HINT =
  " (a function task runs in another thread and cannot see the variables of the scope it was written in: pass them as arguments, import them inside it, or use a module task)";

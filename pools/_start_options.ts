// The options a Thread and a Process share, checked in one place: what to
// run (a self-contained function, or an export of a module), its
// arguments, a name and the daemon flag; and a module's URL, which the
// pools take too.

import { quote } from "../internal/options.ts";
import { functionSource } from "./_function_source.ts";
import { InvalidStateError } from "./errors.ts";

/**
 * A module's URL as a string.
 *
 * @throws {TypeError} If it is not an absolute URL.
 */
export function moduleHref(
  where: string,
  name: string,
  module: unknown,
): string {
  try {
    return new URL(module as string | URL).href;
  } catch {
    throw new TypeError(
      `${where}: '${name}' must be an absolute URL, received ${
        quote(String(module))
      }`,
    );
  }
}

/** A Thread's or a Process's options, checked. */
export interface StartOptions {
  /** The module whose export runs, if any. */
  readonly module: string | undefined;
  /** The export's name, or the function's source. */
  readonly source: string;
  readonly args: unknown[];
  readonly name: string | undefined;
  readonly daemon: boolean;
}

/**
 * Checks the options of a Thread or a Process. With `byName`, the target
 * may also be an export's name, of the module in `options.module`.
 *
 * @throws {TypeError} If an option has the wrong type.
 */
export function checkStartOptions(
  where: string,
  options: unknown,
  byName: boolean,
): StartOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `${where}: 'options' must be an object, received ${quote(options)}`,
    );
  }
  const { target, args = [], name, daemon = false } = options as Record<
    string,
    unknown
  >;
  let module: string | undefined;
  let source: string;
  if (typeof target === "function") {
    source = functionSource(where, target);
  } else if (byName && typeof target === "string") {
    if (!/^[\w$]+$/.test(target)) {
      throw new TypeError(
        `${where}: ${quote(target)} is not the name of an export`,
      );
    }
    const given = (options as { module?: unknown }).module;
    if (given === undefined) {
      throw new TypeError(
        `${where}: the target ${
          quote(target)
        } names an export, but no 'module' is given`,
      );
    }
    module = moduleHref(where, "module", given);
    source = target;
  } else if (
    typeof target === "object" && target !== null &&
    typeof (target as { name?: unknown }).name === "string" &&
    ((target as { module?: unknown }).module instanceof URL ||
      typeof (target as { module?: unknown }).module === "string")
  ) {
    const named = target as { module: URL | string; name: string };
    module = moduleHref(where, "target.module", named.module);
    source = named.name;
  } else {
    throw new TypeError(
      `${where}: 'target' must be a function${
        byName ? ", an export's name" : ""
      } or { module, name }, received ${quote(target)}`,
    );
  }
  if (!Array.isArray(args)) {
    throw new TypeError(
      `${where}: 'args' must be an array, received ${quote(args)}`,
    );
  }
  if (name !== undefined && typeof name !== "string") {
    throw new TypeError(
      `${where}: 'name' must be a string, received ${quote(name)}`,
    );
  }
  if (typeof daemon !== "boolean") {
    throw new TypeError(
      `${where}: 'daemon' must be a boolean, received ${quote(daemon)}`,
    );
  }
  return { module, source, args, name, daemon };
}

/**
 * A new name of a Thread or a Process (`what`).
 *
 * @throws {TypeError} If it is not a string.
 */
export function checkName(what: string, name: unknown): string {
  if (typeof name !== "string") {
    throw new TypeError(
      `Cannot rename ${what}: the name must be a string, received ${
        quote(name)
      }`,
    );
  }
  return name;
}

/**
 * A new daemon flag of a Thread or a Process (`what`), before it starts.
 *
 * @throws {InvalidStateError} If it has started (`started`).
 * @throws {TypeError} If it is not a boolean.
 */
export function checkDaemon(
  what: string,
  started: boolean,
  daemon: unknown,
): boolean {
  if (started) {
    throw new InvalidStateError(
      `Cannot set the daemon flag of a ${what.toLowerCase()} that has started`,
    );
  }
  if (typeof daemon !== "boolean") {
    throw new TypeError(
      `Cannot set the daemon flag: it must be a boolean, received ${
        quote(daemon)
      }`,
    );
  }
  return daemon;
}

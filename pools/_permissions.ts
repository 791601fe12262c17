// The permissions a child process is started with, as `deno run` flags. A
// child can never have more than its parent: by default it gets each
// permission the parent has in full, plus read access to the files it must
// import; an explicit set is checked against the parent's, as Deno checks a
// Worker's.

import { quote } from "../internal/options.ts";

/** The permissions Deno knows, by their flag's name. */
const NAMES: readonly PermissionName[] = [
  "read",
  "write",
  "net",
  "env",
  "sys",
  "run",
  "ffi",
  "import",
];

/** The name of a permission, as its `--allow-` flag spells it. */
export type PermissionName =
  | "read"
  | "write"
  | "net"
  | "env"
  | "sys"
  | "run"
  | "ffi"
  | "import";
type Name = PermissionName;

/**
 * The permissions of child processes: `"inherit"` (the default: each
 * permission this program has in full), `"none"`, or one entry per
 * permission, `true` for all of it or a list (of paths, hosts, variables or
 * commands) for part of it; a missing entry is not granted. Whatever is
 * chosen, a child may read its task module's folder, which it imports. A
 * child cannot have what this program does not.
 */
export type ProcessPermissions =
  | "inherit"
  | "none"
  | {
    [name in PermissionName]?: boolean | string[];
  };

function state(name: Name, item?: string): Deno.PermissionState {
  const descriptor = (item === undefined ? { name } : {
    name,
    [
      name === "net" || name === "import"
        ? "host"
        : name === "env"
        ? "variable"
        : name === "run"
        ? "command"
        : name === "sys"
        ? "kind"
        : "path"
    ]: item,
  }) as Deno.PermissionDescriptor;
  return Deno.permissions.querySync(descriptor).state;
}

/** Local files a child must read: its own entry point and the task module. */
function filesToRead(urls: (string | undefined)[]): string[] {
  const paths: string[] = [];
  for (const url of urls) {
    if (url?.startsWith("file:")) {
      const path = decodeURIComponent(new URL(url).pathname);
      paths.push(path.slice(0, path.lastIndexOf("/")) || "/");
    }
  }
  return paths;
}

/**
 * The `deno run` flags for `permissions`, and for the Manager addresses
 * that `hosts` names (`host:port`, or "" for an abstract Unix socket).
 *
 * @throws {TypeError} If `permissions` has the wrong shape.
 * @throws {Deno.errors.NotCapable} If it asks for what this program lacks.
 */
export function permissionFlags(
  where: string,
  permissions: unknown,
  imports: (string | undefined)[],
  hosts: readonly string[] = [],
): string[] {
  const flags = requestedFlags(where, permissions);
  if (!flags.some((flag) => flag.startsWith("--allow-net"))) {
    // The Managers that proxies in its arguments name, which this program
    // reaches: a proxy arrives connected.
    // An abstract Unix socket ("") needs the whole permission.
    if (hosts.includes("") && state("net") === "granted") {
      flags.push("--allow-net");
    } else {
      const reached = hosts.filter((host) =>
        host !== "" && state("net", host) === "granted"
      );
      if (reached.length > 0) flags.push(`--allow-net=${reached.join(",")}`);
    }
  }
  if (!flags.includes("--allow-read")) {
    // A child must import its module, whatever else it may not do.
    const paths = filesToRead(imports).filter((path) =>
      state("read", path) === "granted"
    );
    if (paths.length > 0) flags.push(`--allow-read=${paths.join(",")}`);
  }
  return flags;
}

function requestedFlags(where: string, permissions: unknown): string[] {
  if (permissions === undefined || permissions === "inherit") {
    return NAMES.filter((name) => state(name) === "granted").map((name) =>
      `--allow-${name}`
    );
  }
  if (permissions === "none") return [];
  if (
    typeof permissions !== "object" || permissions === null ||
    Array.isArray(permissions)
  ) {
    throw new TypeError(
      `${where}: 'permissions' must be "inherit", "none" or an object, received ${
        quote(permissions)
      }`,
    );
  }
  const flags = [];
  for (const [key, value] of Object.entries(permissions)) {
    if (!(NAMES as readonly string[]).includes(key)) {
      throw new TypeError(
        `${where}: 'permissions' has no entry ${quote(key)}; the entries are ${
          NAMES.join(", ")
        }`,
      );
    }
    const name = key as Name;
    if (value === false) continue;
    const items = value === true ? [undefined] : value;
    if (
      !Array.isArray(items) ||
      !items.every((item) => item === undefined || typeof item === "string")
    ) {
      throw new TypeError(
        `${where}: 'permissions.${name}' must be a boolean or an array of strings, received ${
          quote(value)
        }`,
      );
    }
    for (const item of items) {
      if (state(name, item) !== "granted") {
        throw new Deno.errors.NotCapable(
          `${where}: a process cannot have ${
            item === undefined
              ? `all ${name} access`
              : `${name} access to ${quote(item)}`
          }, which this program does not have (run it with --allow-${name})`,
        );
      }
    }
    flags.push(
      value === true ? `--allow-${name}` : `--allow-${name}=${items.join(",")}`,
    );
  }
  return flags;
}

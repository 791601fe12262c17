// Where a Manager listens: loopback or another host over TCP, or on Linux a
// Unix socket in the abstract namespace, which is the default there when the
// program may use the network at all (ARCHITECTURE.md, "The Manager"). An
// abstract socket has no file, so nothing is left behind when its server is
// killed, and a call over it costs less than over loopback TCP; Deno grants
// it only with an unscoped --allow-net.

import { checkInteger, checkObject, quote } from "../internal/options.ts";

/** Where a Manager listens on TCP. */
export interface TcpAddress {
  /** TCP. */
  readonly transport: "tcp";
  /** The host name or IP address. */
  readonly hostname: string;
  /** The port. */
  readonly port: number;
}

/** Where a Manager listens on a Unix socket in Linux's abstract namespace. */
export interface UnixAddress {
  /** A Unix socket. */
  readonly transport: "unix";
  /** Its name: "\0", then the name (no file has it). */
  readonly path: string;
}

/** Where a server listens. */
export type Address = TcpAddress | UnixAddress;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/** Whether only this machine can reach `address`. */
export function isLocal(address: Address): boolean {
  if (address.transport === "unix") return true;
  const { hostname } = address;
  return LOOPBACK.has(hostname) || hostname.startsWith("127.");
}

/** How an address reads in a message: `host:port`, or `unix:@name`. */
export function addressName(address: Address): string {
  return address.transport === "unix"
    ? `unix:@${address.path.slice(1)}`
    : `${address.hostname}:${address.port}`;
}

/** Whether two addresses are the same. */
export function sameAddress(a: Address, b: Address): boolean {
  return addressName(a) === addressName(b);
}

/**
 * What `--allow-net` must name for a child to reach `address`: `host:port`,
 * or "" for an abstract socket, which needs the whole permission.
 */
export function netPermission(address: Address): string {
  return address.transport === "unix" ? "" : addressName(address);
}

/**
 * The address `Manager.start` listens on when none is given: a fresh
 * abstract Unix socket on Linux when this program has the whole net
 * permission, loopback TCP on a free port otherwise.
 */
export function defaultAddress(): Address {
  if (
    Deno.build.os === "linux" &&
    Deno.permissions.querySync({ name: "net" }).state === "granted"
  ) {
    const name = Array.from(
      crypto.getRandomValues(new Uint8Array(12)),
      (byte) => byte.toString(16).padStart(2, "0"),
    ).join("");
    return { transport: "unix", path: `\0parallel-manager-${name}` };
  }
  return { transport: "tcp", hostname: "127.0.0.1", port: 0 };
}

/**
 * Checks a user's address: `{ hostname, port }` (each with a default), or
 * `{ transport: "unix", path }` with an abstract name.
 *
 * @throws {TypeError | RangeError} Naming what is wrong.
 */
export function checkAddress(where: string, address: unknown): Address {
  checkObject(where, "address", address);
  const given = address as Record<string, unknown>;
  const { transport = given.path === undefined ? "tcp" : "unix" } = given;
  if (transport === "unix") return checkUnix(where, given);
  if (transport !== "tcp") {
    throw new TypeError(
      `${where}: 'address.transport' must be "tcp" or "unix", received ${
        quote(transport)
      }`,
    );
  }
  const { hostname = "127.0.0.1", port = 0 } = given;
  if (typeof hostname !== "string" || hostname === "") {
    throw new TypeError(
      `${where}: 'address.hostname' must be a host name, received ${
        quote(hostname)
      }`,
    );
  }
  checkInteger(where, "address.port", port, 0, 65535);
  return { transport: "tcp", hostname, port: port as number };
}

function checkUnix(where: string, given: Record<string, unknown>): Address {
  const { path, hostname, port } = given;
  if (hostname !== undefined || port !== undefined) {
    throw new TypeError(
      `${where}: a Unix socket's address has a 'path', not a hostname or a port`,
    );
  }
  if (typeof path !== "string") {
    throw new TypeError(
      `${where}: 'address.path' must be a string, received ${quote(path)}`,
    );
  }
  if (!path.startsWith("\0") || path.length < 2) {
    throw new RangeError(
      `${where}: 'address.path' must be a name in Linux's abstract namespace, starting with "\\0", received ${
        quote(path)
      } (a socket file would need read, write and net permission on its path; use a TCP address instead)`,
    );
  }
  if (Deno.build.os !== "linux") {
    throw new RangeError(
      `${where}: an abstract Unix socket needs Linux; use a TCP address on ${Deno.build.os}`,
    );
  }
  return { transport: "unix", path };
}

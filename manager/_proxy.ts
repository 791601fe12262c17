// What every proxy of a Manager's object is: a reference that travels, and
// calls to the server, async or blocking its thread (`getSync`, on a socket
// of its own through FFI, as a Python proxy blocks). Proxies inside the
// arguments go as references their Manager stores, and those inside a
// reply come back as proxies. Each kind's class is in its own file;
// `proxies.ts` knows them all.

import {
  clientFor,
  type ManagerClient,
  type ProxyCallOptions,
} from "./_client.ts";
import { type Address, addressName, sameAddress } from "./_address.ts";
import type { ProxyKind } from "./_served.ts";
import { parseWait, type WaitOptions } from "../internal/options.ts";
import { PROXY } from "../pools/_wire.ts";
import { type SyncClient, syncClientFor } from "./_sync_client.ts";

/** Where a proxy's object lives: what travels when the proxy does. */
export interface ProxyRef {
  readonly address: Address;
  readonly authkey: Uint8Array;
  readonly maxFrameBytes: number;
  readonly id: number;
  readonly kind: ProxyKind;
}

/**
 * The proxies that are still the only way to their objects (none of them
 * has left its thread): when one is collected, nothing can reach its
 * object any more, and the Manager frees it. An object whose proxy has
 * travelled, been stored in the Manager or shared lives until shutdown, as
 * Python keeps the objects of nested proxies (telling when the last copy of
 * a reference in flight is gone would need counts that every process and
 * container keeps).
 */
const onlyProxies = new FinalizationRegistry<
  { maker: ManagerClient; id: number }
>(({ maker, id }) => maker.release(id));

/**
 * What every proxy of a Manager's object shares: its reference, and calls
 * through this thread's connection to the Manager.
 */
export abstract class BaseProxy {
  readonly #ref: ProxyRef;
  #client: ManagerClient | undefined;
  #syncClient: SyncClient | undefined;
  /** Set while it is its object's one proxy: the connection that made it. */
  #maker: ManagerClient | undefined;

  /**
   * @internal Made by a Manager (which gives the connection that created
   * the object: the proxy is then its only one), from a reply, or by a
   * worker from a message.
   */
  constructor(ref: ProxyRef, maker?: ManagerClient) {
    this.#ref = ref;
    if (maker !== undefined) {
      this.#maker = maker;
      onlyProxies.register(this, { maker, id: ref.id }, this);
    }
  }

  /** Which kind of object the proxy stands for. */
  get kind(): ProxyKind {
    return this.#ref.kind;
  }

  /** @internal Where its object lives, read without the proxy leaving. */
  get address(): Address {
    return this.#ref.address;
  }

  /**
   * @internal What travels to a worker or a process, or is stored in the
   * Manager or shared by name: from then on, others may reach the object,
   * so it is no longer freed when this proxy is collected.
   */
  toMessage(): { [PROXY]: ProxyRef } {
    if (this.#maker !== undefined) {
      this.#maker = undefined;
      onlyProxies.unregister(this);
    }
    return { [PROXY]: this.#ref };
  }

  /**
   * Calls a method of the object. Proxies of the same Manager inside the
   * arguments go as references, and those inside the result come back
   * connected, as Python's nested proxies do.
   */
  protected async call(
    method: string,
    args: readonly unknown[] = [],
    options?: ProxyCallOptions,
  ): Promise<unknown> {
    const ref = this.#ref;
    // This thread's connection, looked up once while it lasts.
    if (this.#client === undefined || this.#client.lost) {
      this.#client = await clientFor(
        ref.address,
        ref.authkey,
        ref.maxFrameBytes,
      );
    }
    // Most arguments are keys and numbers: nothing to look into.
    const sent = args.some((arg) => typeof arg === "object" && arg !== null)
      ? nestProxies(args, ref.address, `${ref.kind}.${method}()`)
      : args;
    return reviveNested(
      await this.#client.call(ref.id, method, sent as unknown[], options),
      ref,
    );
  }

  /**
   * `call`, blocking this thread until the Manager answers, on a
   * connection of its own (a socket through FFI, `_sync_client.ts`).
   */
  protected callSync(method: string, args: readonly unknown[] = []): unknown {
    return this.#callSync(method, args, undefined);
  }

  /** `callWaiting`, blocking this thread until the Manager answers. */
  protected callWaitingSync(
    method: string,
    args: readonly unknown[],
    options: WaitOptions | undefined,
  ): unknown {
    const where = `${this.#ref.kind}.${method}Sync()`;
    parseWait(where, options);
    // A Sync call cannot be stopped once it waits: a signal already
    // aborted stops it before it is sent, as the primitives' Sync faces do.
    options?.signal?.throwIfAborted();
    const timeout = options?.timeout;
    return this.#callSync(
      method,
      args,
      timeout === undefined || timeout === Infinity ? undefined : timeout,
    );
  }

  #callSync(
    method: string,
    args: readonly unknown[],
    timeout: number | undefined,
  ): unknown {
    const ref = this.#ref;
    // This thread's blocking connection, looked up once while it lasts.
    if (this.#syncClient === undefined || this.#syncClient.lost) {
      this.#syncClient = syncClientFor(
        `${ref.kind}.${method}Sync()`,
        ref.address,
        ref.authkey,
        ref.maxFrameBytes,
      );
    }
    const sent = args.some((arg) => typeof arg === "object" && arg !== null)
      ? nestProxies(args, ref.address, `${ref.kind}.${method}Sync()`)
      : args;
    const value = this.#syncClient.call(
      ref.id,
      method,
      sent as unknown[],
      timeout,
    );
    return typeof value === "object" && value !== null
      ? reviveNested(value, ref)
      : value;
  }

  /** Calls a method that waits, with `{ timeout, signal }`. */
  protected async callWaiting(
    method: string,
    args: readonly unknown[],
    options: WaitOptions | undefined,
  ): Promise<unknown> {
    const where = `${this.#ref.kind}.${method}()`;
    parseWait(where, options);
    const timeout = options?.timeout;
    return await this.call(method, args, {
      timeout: timeout === undefined || timeout === Infinity
        ? undefined
        : timeout,
      signal: options?.signal,
    });
  }
}

/**
 * Makes the proxy of a kind: set by `proxies.ts`, which knows each kind's
 * class (their files build on this one, so this one cannot import them).
 */
let makeProxy:
  | ((ref: ProxyRef) => BaseProxy) & { isKind(kind: string): boolean }
  | undefined;

/** @internal Says how to make the proxy of each kind. */
export function setProxyMaker(make: NonNullable<typeof makeProxy>): void {
  makeProxy = make;
}

/** A proxy stored in its own Manager: the object's number and kind. */
interface NestedRef {
  readonly id: number;
  readonly kind: ProxyKind;
}

/**
 * `value` with each proxy in it (in arrays, plain objects, Maps and Sets)
 * replaced by a reference its Manager stores; `value` itself if it holds
 * none.
 *
 * @throws {TypeError} For a proxy of another Manager.
 */
export function nestProxies(
  value: unknown,
  address: Address,
  where: string,
): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof BaseProxy) {
    if (!sameAddress(value.address, address)) {
      throw new TypeError(
        `${where}: a proxy of the Manager at ${
          addressName(value.address)
        } cannot be stored in another Manager`,
      );
    }
    const inner = value.toMessage()[PROXY];
    const nested: NestedRef = { id: inner.id, kind: inner.kind };
    return { [PROXY]: nested };
  }
  return mapContents(value, (each) => nestProxies(each, address, where));
}

/** Undoes `nestProxies` in a reply: each reference becomes a proxy. */
export function reviveNested(value: unknown, ref: ProxyRef): unknown {
  if (typeof value !== "object" || value === null) return value;
  const nested = (value as Record<string, unknown>)[PROXY] as
    | Partial<NestedRef>
    | undefined;
  if (
    typeof nested === "object" && nested !== null &&
    typeof nested.id === "number" && typeof nested.kind === "string" &&
    makeProxy!.isKind(nested.kind)
  ) {
    return makeProxy!({ ...ref, id: nested.id, kind: nested.kind });
  }
  return mapContents(value, (each) => reviveNested(each, ref));
}

/**
 * A copy of an array, plain object, Map or Set with `f` applied to what it
 * holds, or the value itself if `f` changed nothing (or it is none of them).
 */
function mapContents(value: object, f: (each: unknown) => unknown): unknown {
  let changed = false;
  const g = (each: unknown) => {
    const mapped = f(each);
    changed ||= mapped !== each;
    return mapped;
  };
  let copy: unknown;
  if (Array.isArray(value)) copy = value.map(g);
  else if (value instanceof Map) {
    copy = new Map([...value].map(([k, v]) => [g(k), g(v)]));
  } else if (value instanceof Set) copy = new Set([...value].map(g));
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    copy = Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, g(v)]),
    );
  } else return value;
  return changed ? copy : value;
}

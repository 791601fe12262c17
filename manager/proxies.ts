// The proxies of a Manager's objects, one class per kind (each in its own
// file, on `BaseProxy` in `_proxy.ts`), and how a proxy is made from its
// reference: by a Manager, from a reply, or from a message that carried
// one to a worker or a process (ARCHITECTURE.md, "The Manager").

import { BaseProxy, type ProxyRef, setProxyMaker } from "./_proxy.ts";
import type { ProxyKind } from "./_served.ts";
import type { ManagerClient } from "./_client.ts";
import { quote } from "../internal/options.ts";
import { PROXY } from "../pools/_wire.ts";
import { ArrayProxy } from "./array_proxy.ts";
import { BarrierProxy } from "./barrier_proxy.ts";
import { ConditionProxy } from "./condition_proxy.ts";
import { DictProxy } from "./dict_proxy.ts";
import { EventProxy } from "./event_proxy.ts";
import { ListProxy } from "./list_proxy.ts";
import { LockProxy } from "./lock_proxy.ts";
import { NamespaceProxy } from "./namespace_proxy.ts";
import { QueueProxy } from "./queue_proxy.ts";
import { SemaphoreProxy } from "./semaphore_proxy.ts";
import { ValueProxy } from "./value_proxy.ts";

export {
  ArrayProxy,
  BarrierProxy,
  BaseProxy,
  ConditionProxy,
  DictProxy,
  EventProxy,
  ListProxy,
  LockProxy,
  NamespaceProxy,
  type ProxyRef,
  QueueProxy,
  SemaphoreProxy,
  ValueProxy,
};

const CLASSES = {
  dict: DictProxy,
  list: ListProxy,
  Namespace: NamespaceProxy,
  Value: ValueProxy,
  Array: ArrayProxy,
  Lock: LockProxy,
  RLock: LockProxy,
  Semaphore: SemaphoreProxy,
  BoundedSemaphore: SemaphoreProxy,
  Event: EventProxy,
  Condition: ConditionProxy,
  Barrier: BarrierProxy,
  Queue: QueueProxy,
  LifoQueue: QueueProxy,
  PriorityQueue: QueueProxy,
} as const satisfies Record<ProxyKind, new (ref: ProxyRef) => BaseProxy>;

/** The proxy class of each kind. */
export type ProxyOf<K extends ProxyKind> = InstanceType<(typeof CLASSES)[K]>;

/**
 * A proxy for `ref`; `maker`, the connection that just created its object,
 * makes it the object's only proxy (freed with it).
 */
export function proxyFor<K extends ProxyKind>(
  ref: ProxyRef & { kind: K },
  maker?: ManagerClient,
): ProxyOf<K> {
  const Class = CLASSES[ref.kind] as new (
    ref: ProxyRef,
    maker?: ManagerClient,
  ) => BaseProxy;
  return new Class(ref, maker) as ProxyOf<K>;
}

setProxyMaker(Object.assign(proxyFor, {
  isKind: (kind: string) => Object.hasOwn(CLASSES, kind),
}));

/** Whether a message value is a traveling proxy, and revives it. */
export function reviveProxy(value: unknown): BaseProxy | undefined {
  const ref = (value as Record<string, unknown>)[PROXY] as
    | ProxyRef
    | undefined;
  if (typeof ref !== "object" || ref === null) return undefined;
  if (!(ref.authkey instanceof Uint8Array) || !(ref.kind in CLASSES)) {
    throw new TypeError(`Not a Manager proxy: ${quote(ref)}`);
  }
  return proxyFor(ref);
}

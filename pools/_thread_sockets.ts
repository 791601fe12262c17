// The sockets a worker thread made outside Deno (the blocking connections
// of a Manager proxy's Sync methods, made through FFI), which Deno does not
// close when the thread ends: left open, each would hold its connection,
// and the Manager locks taken on it, until the process ends.
//
// A thread that ends by itself closes them (`_life.ts`). One that its
// parent terminates cannot, and may even be blocked reading one, so their
// numbers are in its info block too (`INFO_SOCKETS`, one word each: the
// descriptor + 1, 0 when free), and the parent shuts them down. A word
// turns negative when the parent takes it: from then on the thread no
// longer closes that descriptor, so its number is never freed while the
// parent may still use it (a closed number is soon another file's).

import { closeDescriptor, shutdownSocket } from "../primitives/_internals.ts";
import { INFO_SOCKET_SLOTS, INFO_SOCKETS } from "./_transport.ts";

/** This thread's info block, if a pool or a Thread started it. */
let info: Int32Array | undefined;
const owned = new Set<number>();

/** Tells this thread's own sockets where its info block is. */
export function adoptSocketInfo(words: Int32Array): void {
  info = words;
}

/**
 * Records socket `fd`, which this thread just made, as one to close when
 * the thread ends. A thread that has more than `INFO_SOCKET_SLOTS` of them
 * still closes them all when it ends by itself.
 */
export function ownSocket(fd: number): void {
  owned.add(fd);
  if (info === undefined) return;
  for (let at = INFO_SOCKETS; at < INFO_SOCKETS + INFO_SOCKET_SLOTS; at++) {
    if (Atomics.compareExchange(info, at, 0, fd + 1) === 0) return;
  }
}

/**
 * Closes socket `fd`, made by `ownSocket`'s caller, unless the parent has
 * taken it to shut it down (the thread is being terminated).
 */
export function closeOwnSocket(fd: number): void {
  if (!owned.delete(fd)) return;
  if (info !== undefined) {
    for (let at = INFO_SOCKETS; at < INFO_SOCKETS + INFO_SOCKET_SLOTS; at++) {
      const word = Atomics.compareExchange(info, at, fd + 1, 0);
      if (word === fd + 1) break;
      if (word === -(fd + 1)) return;
    }
  }
  closeDescriptor(fd);
}

/** Closes every socket this thread still owns: it is ending. */
export function closeOwnSockets(): void {
  for (const fd of [...owned]) closeOwnSocket(fd);
}

/**
 * Shuts down the sockets of the thread whose info block is `words`: its
 * parent terminates it, or it has died. Their peers see them end, and a
 * read it is blocked in returns.
 */
export function shutDownThreadSockets(words: Int32Array): void {
  for (let at = INFO_SOCKETS; at < INFO_SOCKETS + INFO_SOCKET_SLOTS; at++) {
    const word = Atomics.load(words, at);
    if (word > 0 && Atomics.compareExchange(words, at, word, -word) === word) {
      shutdownSocket(word - 1);
    }
  }
}

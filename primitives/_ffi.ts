// The module's only use of FFI: memory that processes share, and the futex
// that sleeps on it (ARCHITECTURE.md, "Memory processes share"); and the
// blocking sockets of a Manager proxy's Sync methods (ARCHITECTURE.md, "The
// Manager"). libc is opened on first use, so a program that uses neither
// never loads it. Linux only: memfd_create, mmap and the futex system call.

const SYS_FUTEX = 202n; // x86-64 and its Linux system call table
const FUTEX_WAIT = 0; // without FUTEX_PRIVATE_FLAG: across processes
const FUTEX_WAKE = 1;
const MFD_CLOEXEC = 1;
const O_RDWR = 2;
const O_CLOEXEC = 0o2000000;
const PROT_READ_WRITE = 3;
const MAP_SHARED = 1;
const SEEK_END = 2;
const MAP_FAILED = 0xffffffffffffffffn;
const SOCK_STREAM_CLOEXEC = 1 | 0o2000000;
const MSG_NOSIGNAL = 0x4000;
const EINTR = 4;
const IPPROTO_TCP = 6;
const TCP_NODELAY = 1;
const SHUT_RDWR = 2;

const symbols = {
  memfd_create: { parameters: ["buffer", "u32"], result: "i32" },
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  mmap: {
    parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"],
    result: "pointer",
  },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  munmap: { parameters: ["pointer", "usize"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  futex_wait: {
    name: "syscall",
    parameters: ["i64", "buffer", "i32", "i32", "buffer"],
    result: "i64",
  },
  futex_wait_async: {
    name: "syscall",
    parameters: ["i64", "buffer", "i32", "i32", "buffer"],
    result: "i64",
    nonblocking: true,
  },
  futex_wake: {
    name: "syscall",
    parameters: ["i64", "buffer", "i32", "i32"],
    result: "i64",
  },
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  setsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "u32"],
    result: "i32",
  },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
} as const;

let library: Deno.DynamicLibrary<typeof symbols>["symbols"] | undefined;

function libc(): Deno.DynamicLibrary<typeof symbols>["symbols"] {
  library ??= Deno.dlopen("libc.so.6", symbols).symbols;
  return library;
}

function cString(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${text}\0`);
}

/** A mapping of shared memory: its file descriptor and its bytes. */
export interface Mapping {
  readonly fd: number;
  readonly pointer: Deno.PointerObject;
  readonly bytes: number;
}

/**
 * Maps `bytes` of the shared memory of descriptor `fd` from `offset` (a
 * multiple of the page size). The descriptor stays open.
 */
export function mapDescriptor(
  fd: number,
  offset: number,
  bytes: number,
): Mapping {
  const pointer = libc().mmap(
    null,
    BigInt(bytes),
    PROT_READ_WRITE,
    MAP_SHARED,
    fd,
    BigInt(offset),
  );
  if (
    pointer === null || Deno.UnsafePointer.value(pointer) === MAP_FAILED
  ) {
    throw new RangeError(`Cannot map ${bytes} bytes of shared memory`);
  }
  return { fd, pointer, bytes };
}

/**
 * Creates `bytes` of zeroed shared memory that has no name, and returns its
 * descriptor: it goes away with the last process that maps it or holds a
 * descriptor of it, however they end. Pages are taken only as they are
 * touched.
 */
export function createDescriptor(bytes: number): number {
  const fd = libc().memfd_create(cString("parallel"), MFD_CLOEXEC);
  if (fd < 0) {
    throw new RangeError("Cannot create shared memory (memfd_create)");
  }
  if (libc().ftruncate(fd, BigInt(bytes)) !== 0) {
    libc().close(fd);
    throw new RangeError(`Cannot size shared memory to ${bytes} bytes`);
  }
  return fd;
}

/**
 * A descriptor of this process's own for the shared memory that process
 * `pid` holds as descriptor `fd` (opened through /proc, which needs that
 * process alive), which must hold at least `bytes`.
 */
export function openDescriptor(pid: number, fd: number, bytes: number): number {
  const path = `/proc/${pid}/fd/${fd}`;
  const own = libc().open(cString(path), O_RDWR | O_CLOEXEC);
  if (own < 0) {
    throw new TypeError(
      `Cannot open the shared memory of process ${pid} (${path}): that process has ended`,
    );
  }
  // Mapping past the end of the file would crash this process on first
  // touch (SIGBUS): a handle that claims more than there is is refused.
  const size = libc().lseek(own, 0n, SEEK_END);
  if (size < BigInt(bytes)) {
    libc().close(own);
    throw new TypeError(
      `Cannot open the shared memory of process ${pid} (${path}): it holds ${size} bytes, not ${bytes}`,
    );
  }
  return own;
}

/** `bytes` of a mapping from `offset`, as an ArrayBuffer. */
export function bufferOf(
  { pointer }: Mapping,
  offset: number,
  bytes: number,
): ArrayBuffer {
  return Deno.UnsafePointerView.getArrayBuffer(pointer, bytes, offset);
}

/**
 * Unmaps the bytes of a mapping from `offset` (a multiple of the page size)
 * to `end` (its end by default). No ArrayBuffer over them may be touched
 * again, and no range may be unmapped twice: the system may have mapped
 * something else there since (a V8 or malloc region, which would vanish).
 */
export function unmap(
  { pointer, bytes }: Mapping,
  offset = 0,
  end = bytes,
): void {
  end = Math.min(end, bytes);
  if (offset >= end) return;
  libc().munmap(
    Deno.UnsafePointer.offset(pointer, offset),
    BigInt(end - offset),
  );
}

/** Closes a descriptor this process no longer needs. */
export function closeDescriptor(fd: number): void {
  libc().close(fd);
}

/** A relative timeout for the futex call, or null for none. */
function timespec(ms: number): BigInt64Array<ArrayBuffer> | null {
  if (ms === Infinity) return null;
  const whole = Math.max(0, Math.floor(ms));
  return new BigInt64Array([
    BigInt(Math.floor(whole / 1000)),
    BigInt((whole % 1000) * 1_000_000 + Math.floor((ms - whole) * 1_000_000)),
  ]);
}

/** The word `index` of `view`, as the futex call's address. */
function word(view: Int32Array, index: number): Int32Array<ArrayBuffer> {
  return view.subarray(index, index + 1) as Int32Array<ArrayBuffer>;
}

/**
 * Sleeps while `view[index] === expected`, at most `ms` milliseconds
 * (`Infinity`: no limit).
 *
 * @returns Whether a wake-up ended it (not a timeout, a signal, or a word
 * that had changed already).
 */
export function futexWait(
  view: Int32Array,
  index: number,
  expected: number,
  ms: number,
): boolean {
  return libc().futex_wait(
    SYS_FUTEX,
    word(view, index),
    FUTEX_WAIT,
    expected,
    timespec(ms),
  ) === 0n;
}

/** `futexWait` on another thread: the promise settles when it returns. */
export async function futexWaitAsync(
  view: Int32Array,
  index: number,
  expected: number,
  ms: number,
): Promise<boolean> {
  return await libc().futex_wait_async(
    SYS_FUTEX,
    word(view, index),
    FUTEX_WAIT,
    expected,
    timespec(ms),
  ) === 0n;
}

/** Wakes up to `count` sleepers on `view[index]`, in any process. */
export function futexWake(
  view: Int32Array,
  index: number,
  count: number,
): number {
  return Number(
    libc().futex_wake(SYS_FUTEX, word(view, index), FUTEX_WAKE, count),
  );
}

/** The errno of this thread's last failed libc call. */
function errno(): number {
  return new Deno.UnsafePointerView(libc().__errno_location()!).getInt32();
}

function failure(what: string, code: number): Error {
  const text = Deno.UnsafePointerView.getCString(libc().strerror(code)!);
  return new Error(`${what}: ${text} (errno ${code})`);
}

/**
 * A blocking stream socket of `family` (1: a Unix socket, 2: IPv4),
 * connected to `address` (a `sockaddr` of that family), TCP without
 * Nagle's delay.
 *
 * @throws {Error} Saying why it cannot connect.
 */
export function connectSocket(family: 1 | 2, address: Uint8Array): number {
  const fd = libc().socket(family, SOCK_STREAM_CLOEXEC, 0);
  if (fd < 0) throw failure("Cannot make a socket", errno());
  while (
    libc().connect(fd, address as Uint8Array<ArrayBuffer>, address.length) !==
      0
  ) {
    const code = errno();
    if (code === EINTR) continue;
    libc().close(fd);
    throw failure("Cannot connect", code);
  }
  if (family === 2) {
    libc().setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, new Int32Array([1]), 4);
  }
  return fd;
}

/**
 * Sends all of `bytes` on socket `fd`, blocking the thread while its buffer
 * is full.
 *
 * @throws {Error} If the connection is gone.
 */
export function sendAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) {
    const sent = Number(
      libc().send(
        fd,
        bytes.subarray(at) as Uint8Array<ArrayBuffer>,
        BigInt(bytes.length - at),
        MSG_NOSIGNAL,
      ),
    );
    if (sent >= 0) {
      at += sent;
      continue;
    }
    const code = errno();
    if (code !== EINTR) throw failure("Cannot send", code);
  }
}

/**
 * Reads what socket `fd` has into `into`, blocking the thread until it has
 * something: how many bytes, 0 once the peer has closed it.
 *
 * @throws {Error} If the connection broke.
 */
export function receive(fd: number, into: Uint8Array): number {
  for (;;) {
    const read = Number(
      libc().recv(
        fd,
        into as Uint8Array<ArrayBuffer>,
        BigInt(into.length),
        0,
      ),
    );
    if (read >= 0) return read;
    const code = errno();
    if (code !== EINTR) throw failure("Cannot receive", code);
  }
}

/**
 * Ends both directions of socket `fd` without closing it: its peer sees the
 * end, and a thread blocked reading it is woken. Unlike `close`, it is safe
 * while another thread may still use the number (which stays taken).
 */
export function shutdownSocket(fd: number): void {
  libc().shutdown(fd, SHUT_RDWR);
}

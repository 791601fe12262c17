// Every child process this program has started and not yet seen end, so
// that none outlives it: when the program ends (normally, by `Deno.exit`,
// or by an uncaught error or unhandled rejection that nothing prevented),
// each one still alive is killed. Tests read `liveProcesses()` to check
// that they end what they start. And how a child's end reads as an exit
// code.

/** A child process as this registry knows it. */
export interface Child {
  readonly pid: number;
  kill(signal: Deno.Signal): void;
}

const live = new Set<Child>();

/** The child processes alive now (for tests). */
export function liveProcesses(): ReadonlySet<Child> {
  return live;
}

function killAll(): void {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

function onFatal(event: Event): void {
  // A listener that prevents the default keeps the program alive, and with
  // it the children. This one is the last to run (`track`), and must act
  // now: when nothing prevents the default, the program ends before any
  // microtask.
  if (!event.defaultPrevented) killAll();
}

let listening = false;

/** Adds a child; returns the function that removes it once it has ended. */
export function track(child: Child): () => void {
  if (!listening) {
    listening = true;
    globalThis.addEventListener("unload", killAll);
  }
  // Last of the listeners, so that it sees what the others decided.
  globalThis.removeEventListener("error", onFatal);
  globalThis.removeEventListener("unhandledrejection", onFatal);
  globalThis.addEventListener("error", onFatal);
  globalThis.addEventListener("unhandledrejection", onFatal);
  live.add(child);
  return () => {
    live.delete(child);
  };
}

/** Signal numbers (Linux), for exit codes as Python gives them: minus the signal. */
const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

/** A child's exit code: its own, or minus the number of the signal that killed it. */
export function exitCodeOf(status: Deno.CommandStatus): number {
  if (status.signal === null) return status.code;
  return -(SIGNALS[status.signal] ?? status.code - 128);
}

// The name of the process this code runs in, set by a child's entry and
// read by `currentProcess()` (`current.ts`). Apart from it, so that a child
// names itself without loading what `current.ts` needs.
//
// Kept on the global object under a registered symbol, so that every copy
// of this module in a process (imported by two URLs) agrees.
const PROCESS_NAME = Symbol.for("@parallel/parallel.processName");

/** Names the process this code runs in. */
export function setProcessName(name: string): void {
  (globalThis as Record<symbol, unknown>)[PROCESS_NAME] = name;
}

/** The name a child's entry gave this process, if any. */
export function processName(): string | undefined {
  const name = (globalThis as Record<symbol, unknown>)[PROCESS_NAME];
  return typeof name === "string" ? name : undefined;
}

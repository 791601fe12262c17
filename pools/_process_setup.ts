// What a Process (`process.ts`) tells its keeper (`_process_keeper.ts`) and
// its child (`_process_main.ts`), and the shared words they answer in.

/** The child's pid, once known (-1 if it could not start). */
export const PROCESS_PID = 0;
/** Its exit code, once it has ended. */
export const PROCESS_CODE = 1;
/** 1 once it has ended. */
export const PROCESS_DONE = 2;
export const PROCESS_WORDS = 3;

/** What the keeper starts a child with. */
export interface KeeperData {
  readonly info: Int32Array;
  /** Deno's path, then the arguments of `deno run`. */
  readonly command: string[];
  /** The child's setup, one stdin message (`_process_wire.ts`). */
  readonly setup: Uint8Array;
  readonly daemon: boolean;
}

/** What the child runs. */
export interface ProcessMainSetup {
  readonly module: string | undefined;
  /** An export's name, or a function's source. */
  readonly target: string;
  readonly args: unknown[];
  readonly name: string;
  readonly daemon: boolean;
}

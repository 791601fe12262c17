// A daemon child's watch on its parent, in a Worker of its own: the
// parent holds the child's stdin open, so its end means the parent is gone.
// A Worker, because the child's main thread may be blocked for good (in a
// `Sync` wait), and then nothing on it ever runs; and a kill, because
// `Deno.exit` in a Worker ends only the Worker. `_process_main.ts` starts it
// when the child may run `kill` (--allow-run), as its children usually may.

const buffer = new Uint8Array(64);
while (await Deno.stdin.read(buffer) !== null) {
  // Nothing more is sent: wait for the end.
}
Deno.kill(Deno.pid, "SIGKILL");

// An empty program: what bench/process_bench.ts starts to time a bare `deno run`.

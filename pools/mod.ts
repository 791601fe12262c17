export * from "./future.ts";
export * from "./errors.ts";
export * from "./thread_pool.ts";
export * from "./thread.ts";

"""The Python side of the contended-counter bench (bench/primitives_bench.ts).

Two threading.Threads each do N increments of a shared counter under one
threading.Lock. The Deno bench starts this script once and, per iteration,
writes N on a line of stdin; the script runs both threads, checks the counter
and answers one line: "ok <count> <elapsed ns>", or "error <why>". It exits
at the end of stdin.

Run it alone to see ops/s:  python3 bench/python/lock_counter.py 200000
"""

import sys
import threading
import time

from _driver import serve


def run(n: int) -> tuple[int, int]:
    """Runs two threads of n increments each; returns (counter, elapsed ns)."""
    lock = threading.Lock()
    counter = [0]

    def work() -> None:
        for _ in range(n):
            with lock:
                counter[0] += 1

    threads = [threading.Thread(target=work) for _ in range(2)]
    start = time.perf_counter_ns()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counter[0], time.perf_counter_ns() - start


def answer(line: str) -> str:
    try:
        n = int(line)
    except ValueError:
        return f"error not a count: {line!r}"
    if n < 0:
        return f"error negative count: {n}"
    total, elapsed = run(n)
    if total != 2 * n:
        return f"error the counter is {total}, expected {2 * n}"
    return f"ok {total} {elapsed}"


def main() -> None:
    if len(sys.argv) > 1:
        n = int(sys.argv[1])
        total, elapsed = run(n)
        assert total == 2 * n, f"the counter is {total}, expected {2 * n}"
        print(f"{total} increments in {elapsed / 1e6:.1f} ms: "
              f"{total / elapsed * 1e9:,.0f} ops/s")
        return
    serve(answer)


if __name__ == "__main__":
    main()

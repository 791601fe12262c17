"""The Python side of the queue-throughput bench (bench/queue_bench.ts):
queue.Queue between two threads.

A producer thread puts N small items ({"id": i, "name": "item", "value":
i * 1.5}) into a queue.Queue(maxsize) and a consumer thread gets N, checking
their order. The Deno bench starts this script once and, per iteration,
writes "N MAXSIZE" on a line of stdin; the script runs both threads and
answers one line: "ok <checksum> <elapsed ns>", or "error <why>". The
checksum is the sum of the values taken. It exits at the end of stdin.

Run it alone to see items/s:  python3 bench/python/queue_threads.py 100000 1024
"""

import queue
import sys
import threading
import time

from _driver import serve_streams


def run(n: int, maxsize: int) -> tuple[float, int]:
    """Streams n items through a fresh queue; returns (checksum, elapsed ns)."""
    items: queue.Queue = queue.Queue(maxsize)
    result: list = [0.0, None]

    def produce() -> None:
        for i in range(n):
            items.put({"id": i, "name": "item", "value": i * 1.5})

    def consume() -> None:
        total = 0.0
        for i in range(n):
            item = items.get()
            if item["id"] != i:
                result[1] = f"item {i} arrived as {item!r}"
                return
            total += item["value"]
        result[0] = total

    threads = [threading.Thread(target=produce),
               threading.Thread(target=consume)]
    start = time.perf_counter_ns()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter_ns() - start
    if result[1] is not None:
        raise ValueError(result[1])
    return result[0], elapsed


def main() -> None:
    if len(sys.argv) > 1:
        n = int(sys.argv[1])
        maxsize = int(sys.argv[2]) if len(sys.argv) > 2 else 0
        _, elapsed = run(n, maxsize)
        print(f"{n} items through queue.Queue({maxsize}) in "
              f"{elapsed / 1e6:.1f} ms: {n / elapsed * 1e9:,.0f} items/s")
        return
    serve_streams(run)


if __name__ == "__main__":
    main()

"""The Python side of the queue-throughput bench (bench/queue_bench.ts):
multiprocessing.Queue between two processes.

A producer process puts N small items ({"id": i, "name": "item", "value":
i * 1.5}) into a multiprocessing.Queue(maxsize) and this process, the
consumer, gets N, checking their order. The Deno bench starts this script
once and, per iteration, writes "N MAXSIZE" on a line of stdin; the script
answers one line: "ok <checksum> <elapsed ns>", or "error <why>". The
checksum is the sum of the values taken. The producer of each MAXSIZE starts
once, on first use, and waits for its orders on a Pipe; the time runs from
the order to the last item taken. The script exits at the end of stdin, and
a producer exits when this process goes away.

Run it alone to see items/s:  python3 bench/python/queue_processes.py 100000
"""

import multiprocessing
import multiprocessing.connection
import os
import queue
import sys
import time

from _driver import serve_streams

# Uses fork where it can (Linux), the default start method of Python 3.11.
context = multiprocessing.get_context()


def produce(orders: multiprocessing.connection.Connection,
            items: multiprocessing.Queue, parent: int,
            others: list[multiprocessing.connection.Connection]) -> None:
    """The producer process: for each order n, puts items 0..n-1."""
    # Forked with the consumer's end of our orders, and of the orders of the
    # producers started before: close them, or none would see it go.
    for other in others:
        other.close()
    # Nobody will read what is left in the queue when the consumer has gone:
    # do not wait for it to be flushed at exit.
    items.cancel_join_thread()
    while True:
        try:
            n = orders.recv()
        except EOFError:
            return  # the consumer has gone
        for i in range(n):
            if i % 4096 == 4095 and os.getppid() != parent:
                return  # the consumer has gone mid-stream
            item = {"id": i, "name": "item", "value": i * 1.5}
            while True:
                try:
                    items.put(item, timeout=5)
                    break
                except queue.Full:
                    if os.getppid() != parent:
                        return  # the consumer died with the queue full


class Producer:
    """One producer process and the queue it fills."""

    def __init__(self, maxsize: int) -> None:
        self.items = context.Queue(maxsize)
        self.orders, theirs = context.Pipe()
        self.process = context.Process(
            target=produce,
            args=(theirs, self.items, os.getpid(),
                  [self.orders,
                   *(producer.orders for producer in producers.values())]),
            daemon=True)
        self.process.start()
        theirs.close()

    def run(self, n: int) -> tuple[float, int]:
        """Has n items streamed; returns (checksum, elapsed ns)."""
        start = time.perf_counter_ns()
        self.orders.send(n)
        total = 0.0
        for i in range(n):
            try:
                item = self.items.get(timeout=30)
            except queue.Empty:
                raise ValueError(f"item {i} did not arrive within 30 s")
            if item["id"] != i:
                raise ValueError(f"item {i} arrived as {item!r}")
            total += item["value"]
        return total, time.perf_counter_ns() - start


producers: dict[int, Producer] = {}


def run(n: int, maxsize: int) -> tuple[float, int]:
    if maxsize not in producers:
        producers[maxsize] = Producer(maxsize)
    return producers[maxsize].run(n)


def main() -> None:
    if len(sys.argv) > 1:
        n = int(sys.argv[1])
        maxsize = int(sys.argv[2]) if len(sys.argv) > 2 else 0
        run(n, maxsize)  # the producer's start is not part of the time
        _, elapsed = run(n, maxsize)
        print(f"{n} items through multiprocessing.Queue({maxsize}) in "
              f"{elapsed / 1e6:.1f} ms: {n / elapsed * 1e9:,.0f} items/s")
        return
    serve_streams(run)


if __name__ == "__main__":
    main()

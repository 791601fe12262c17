"""The Python side of bench/process_shared_bench.ts. Questions, one a line:

  counter N     2 processes that each add 1 to a multiprocessing.Value N
                times under its get_lock(), started and joined within the
                question, as the Deno side does; answers
                "ok <value> <elapsed ns>".
  start KIND    starts the children of KIND (below) unless they run already,
                and answers "ok ready" once each is up; they serve every
                later run of KIND, and end with this process.
  run KIND N    has them do N, and answers "ok <count> <elapsed ns>", the
                time running from the order to the end of the parent's side.

KINDs, the same work as the Deno side's:

  counter  2 processes each add 1 to a Value N times under its get_lock();
           the parent waits for both; <count> is the Value.
  queue    a child puts 0..N-1 into a multiprocessing.Queue(); the parent
           gets them, checking their order; <count> is how many it got.
  pipe     N round trips of a small int over a multiprocessing.Pipe(): the
           parent sends, a child sends it back; <count> is the round trips.
  event    N round trips between two multiprocessing.Events: the parent
           sets "ping" and waits for "pong" (then clears it), a child waits
           for "ping", clears it and sets "pong".

Run it alone:  printf 'start pipe\\nrun pipe 10000\\n' |
               python3 bench/python/process_shared.py
"""

import multiprocessing
import os
import time
from typing import Callable

from _driver import serve


def count(value, times: int) -> None:
    for _ in range(times):
        with value.get_lock():
            value.value += 1


class Orders:
    """What a child and its parent share to run an order at a time: the
    child releases `ready` once, then per order waits for `go`, reads how
    much to do from `orders` (0: return), does it and releases `done`."""

    def __init__(self) -> None:
        self.ready = multiprocessing.Semaphore(0)
        self.go = multiprocessing.Semaphore(0)
        self.done = multiprocessing.Semaphore(0)
        self.orders = multiprocessing.Value("i", 0, lock=False)
        self.parent = os.getpid()

    def serve(self, work: Callable[[int], None]) -> None:
        self.ready.release()
        while True:
            while not self.go.acquire(timeout=1):
                if os.getppid() != self.parent:
                    return  # the bench has gone
            n = self.orders.value
            if n == 0:
                return
            work(n)
            self.done.release()


def counter_child(crew: Orders, value) -> None:
    crew.serve(lambda n: count(value, n))


def producer_child(crew: Orders, items) -> None:
    # Nobody may read what is left in the queue when the bench has gone.
    items.cancel_join_thread()

    def produce(n: int) -> None:
        for i in range(n):
            items.put(i)
    crew.serve(produce)


def echo_child(crew: Orders, connection) -> None:
    def echo(n: int) -> None:
        for _ in range(n):
            connection.send(connection.recv())
    crew.serve(echo)


def pong_child(crew: Orders, ping, pong) -> None:
    def answer(n: int) -> None:
        for _ in range(n):
            ping.wait()
            ping.clear()
            pong.set()
    crew.serve(answer)


class Crew:
    """The children of one kind, started once, and the parent's side."""

    def __init__(self, kind: str) -> None:
        self.orders = Orders()
        if kind == "counter":
            self.value = multiprocessing.Value("i", 0)
            self.children = [multiprocessing.Process(
                target=counter_child, args=(self.orders, self.value),
                daemon=True) for _ in range(2)]
            self.work = self.finish
        elif kind == "queue":
            self.items = multiprocessing.Queue()
            self.children = [multiprocessing.Process(
                target=producer_child, args=(self.orders, self.items),
                daemon=True)]
            self.work = self.consume
        elif kind == "pipe":
            self.ours, theirs = multiprocessing.Pipe()
            self.children = [multiprocessing.Process(
                target=echo_child, args=(self.orders, theirs), daemon=True)]
            self.work = self.round_trips
        elif kind == "event":
            self.ping, self.pong = multiprocessing.Event(), \
                multiprocessing.Event()
            self.children = [multiprocessing.Process(
                target=pong_child, args=(self.orders, self.ping, self.pong),
                daemon=True)]
            self.work = self.ping_pong
        else:
            raise ValueError(f"unknown kind {kind!r}")
        for child in self.children:
            child.start()
        for _ in self.children:
            if not self.orders.ready.acquire(timeout=30):
                raise ValueError("the children did not start within 30 s")
        self.pending = 0

    def run(self, n: int) -> tuple[int, int]:
        """Has each child do n; returns (count, elapsed ns), the time
        running from the order to the end of the parent's side."""
        if any(child.exitcode is not None for child in self.children):
            raise ValueError("a child of the bench has ended")
        if self.work == self.finish:
            self.value.value = 0
        self.orders.orders.value = n
        self.pending = len(self.children)
        start = time.perf_counter_ns()
        for _ in self.children:
            self.orders.go.release()
        got = self.work(n)
        elapsed = time.perf_counter_ns() - start
        self.finish(n)
        return got, elapsed

    def finish(self, n: int) -> int:
        while self.pending > 0:
            if not self.orders.done.acquire(timeout=30):
                raise ValueError("a child did not finish within 30 s")
            self.pending -= 1
        return self.value.value if self.work == self.finish else n

    def consume(self, n: int) -> int:
        for i in range(n):
            got = self.items.get()
            if got != i:
                raise ValueError(f"item {i} arrived as {got!r}")
        return n

    def round_trips(self, n: int) -> int:
        for i in range(n):
            self.ours.send(i)
            got = self.ours.recv()
            if got != i:
                raise ValueError(f"round trip {i} came back as {got!r}")
        return n

    def ping_pong(self, n: int) -> int:
        for i in range(n):
            self.ping.set()
            if not self.pong.wait(30):
                raise ValueError(f"round trip {i} was lost")
            self.pong.clear()
        return n


def counter(times: int) -> str:
    start = time.perf_counter_ns()
    value = multiprocessing.Value("i", 0)
    processes = [multiprocessing.Process(target=count, args=(value, times))
                 for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return f"ok {value.value} {time.perf_counter_ns() - start}"


def main() -> None:
    crews: dict[str, Crew] = {}

    def answer(line: str) -> str:
        words = line.split()
        try:
            if words[0] == "counter" and len(words) == 2:
                return counter(int(words[1]))
            if words[0] == "start" and len(words) == 2:
                if words[1] not in crews:
                    crews[words[1]] = Crew(words[1])
                return "ok ready"
            if words[0] == "run" and len(words) == 3 and words[1] in crews:
                got, elapsed = crews[words[1]].run(int(words[2]))
                return f"ok {got} {elapsed}"
        except ValueError as error:
            return f"error {error}"
        return f"error unknown question {line!r}"

    serve(answer)


if __name__ == "__main__":
    main()

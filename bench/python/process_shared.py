"""The Python side of bench/process_shared_bench.ts. Questions, one a line:

  counter N          2 processes that each add 1 to a multiprocessing.Value
                     N times under its get_lock(), started and joined within
                     the question, as the Deno side does; answers
                     "ok <value> <elapsed ns>".
  prepare KIND N     starts the children of KIND (below) and answers "ok
                     ready" once each has released the "ready" Semaphore;
  go                 then runs KIND's timed work and answers "ok <count>
                     <elapsed ns>" (the time runs from the start signal to
                     the end of the work);
  finish             then joins the children and answers "ok <exit codes>",
                     or "error ..." if one did not exit with 0.

KINDs, the same work as the Deno side's:

  counter N  2 processes wait on an Event, then each adds 1 to a Value N
             times under its get_lock() and releases a "done" Semaphore;
             <count> is the Value once the parent has acquired "done" twice.
  queue N    a child waits on an Event, then puts 0..N-1 into a
             multiprocessing.Queue(); the parent gets them, checking their
             order; <count> is how many it got.
  pipe N     N round trips of a small int over a multiprocessing.Pipe(): the
             parent sends, a child sends it back; <count> is the round trips.
  event N    N round trips between two multiprocessing.Events: the parent
             sets "ping" and waits for "pong" (then clears it), a child
             waits for "ping", clears it and sets "pong".

Run it alone:  printf 'prepare pipe 10000\\ngo\\nfinish\\n' |
               python3 bench/python/process_shared.py
"""

import multiprocessing
import time
from typing import Callable

from _driver import serve


def count(value, times: int) -> None:
    for _ in range(times):
        with value.get_lock():
            value.value += 1


def count_after_go(ready, go, done, value, times: int) -> None:
    ready.release()
    go.wait()
    count(value, times)
    done.release()


def produce_after_go(ready, go, items, n: int) -> None:
    ready.release()
    go.wait()
    for i in range(n):
        items.put(i)
    # Exits once the queue's feeder thread has flushed every item.


def echo(ready, connection, rounds: int) -> None:
    ready.release()
    for _ in range(rounds):
        connection.send(connection.recv())


def pong(ready, ping, pong, rounds: int) -> None:
    ready.release()
    for _ in range(rounds):
        ping.wait()
        ping.clear()
        pong.set()


def prepare(kind: str, n: int) -> tuple[list, Callable[[], int]]:
    """Starts the children of `kind`; returns them and the timed work."""
    ready = multiprocessing.Semaphore(0)
    if kind == "counter":
        go, done = multiprocessing.Event(), multiprocessing.Semaphore(0)
        value = multiprocessing.Value("i", 0)
        children = [multiprocessing.Process(
            target=count_after_go, args=(ready, go, done, value, n))
            for _ in range(2)]

        def work() -> int:
            go.set()
            done.acquire()
            done.acquire()
            return value.value
    elif kind == "queue":
        go, items = multiprocessing.Event(), multiprocessing.Queue()
        children = [multiprocessing.Process(
            target=produce_after_go, args=(ready, go, items, n))]

        def work() -> int:
            go.set()
            for i in range(n):
                got = items.get()
                if got != i:
                    raise ValueError(f"item {i} arrived as {got!r}")
            return n
    elif kind == "pipe":
        ours, theirs = multiprocessing.Pipe()
        children = [multiprocessing.Process(
            target=echo, args=(ready, theirs, n))]

        def work() -> int:
            for i in range(n):
                ours.send(i)
                got = ours.recv()
                if got != i:
                    raise ValueError(f"round trip {i} came back as {got!r}")
            return n
    elif kind == "event":
        ping, pong_ = multiprocessing.Event(), multiprocessing.Event()
        children = [multiprocessing.Process(
            target=pong, args=(ready, ping, pong_, n))]

        def work() -> int:
            for i in range(n):
                ping.set()
                if not pong_.wait(30):
                    raise ValueError(f"round trip {i} was lost")
                pong_.clear()
            return n
    else:
        raise ValueError(f"unknown kind {kind!r}")
    for child in children:
        child.start()
    for _ in children:
        if not ready.acquire(timeout=30):
            raise ValueError("the children did not start within 30 s")
    return children, work


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
    children: list = []
    work: Callable[[], int] | None = None

    def answer(line: str) -> str:
        nonlocal children, work
        words = line.split()
        try:
            if words[0] == "counter" and len(words) == 2:
                return counter(int(words[1]))
            if words[0] == "prepare" and len(words) == 3:
                for child in children:  # left by a failed go
                    child.terminate()
                    child.join()
                children, work = prepare(words[1], int(words[2]))
                return "ok ready"
            if words[0] == "go" and work is not None:
                run, work = work, None
                start = time.perf_counter_ns()
                got = run()
                return f"ok {got} {time.perf_counter_ns() - start}"
            if words[0] == "finish":
                for child in children:
                    child.join(30)
                codes = [child.exitcode for child in children]
                children = []
                if any(code != 0 for code in codes):
                    return f"error a child exited with {codes}"
                return f"ok {' '.join(map(str, codes))}"
        except ValueError as error:
            return f"error {error}"
        return f"error unknown question {line!r}"

    serve(answer)


if __name__ == "__main__":
    main()

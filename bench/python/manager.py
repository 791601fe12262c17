"""The Python side of bench/manager_bench.ts: multiprocessing.Manager dict
calls from child processes, timed from "go" to the last "done", as the Deno
side does, in two questions (so that the Deno bench times the second only):

  setget CLIENTS PAIRS   starts CLIENTS processes, each to make PAIRS set +
                         get on its own key; answers "ok ready" once they are
  go                     lets them run; answers "ok <sum> <elapsed ns>"
  echo FAMILY TRIPS      starts a process that echoes on a tcp or unix
                         socket; answers "ok ready" once it is connected
  trips                  makes TRIPS round trips of 32 bytes with it;
                         answers "ok <trips> <elapsed ns>"

Run it alone:  printf 'setget 1 2000\ngo\n' | python3 bench/python/manager.py
"""

import ctypes
import multiprocessing
import multiprocessing.managers
import os
import signal
import socket
import tempfile
import time

from _driver import serve


def set_get(d, key, pairs, go, done) -> None:
    d[key] = 0
    done.put(-1)
    go.wait()
    total = 0
    for i in range(pairs):
        d[key] = i
        total += d[key]
    done.put(total)


def echo(family: str, address) -> None:
    kind = socket.AF_INET if family == "tcp" else socket.AF_UNIX
    with socket.socket(kind, socket.SOCK_STREAM) as conn:
        conn.connect(address)
        if family == "tcp":
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while data := conn.recv(1024):
            conn.sendall(data)


def start_echo(family: str, trips: int):
    """A connected echo process on a new socket: (conn, process, trips)."""
    if family == "tcp":
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
    else:
        path = os.path.join(tempfile.mkdtemp(), "echo.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
    listener.listen(1)
    process = multiprocessing.Process(
        target=echo, args=(family, listener.getsockname()), daemon=True)
    process.start()
    conn, _ = listener.accept()
    listener.close()
    if family == "tcp":
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    else:
        os.unlink(path)
        os.rmdir(os.path.dirname(path))
    return conn, process, trips


def round_trips(conn, process, trips: int) -> str:
    message = bytes(32)
    start = time.perf_counter_ns()
    for _ in range(trips):
        conn.sendall(message)
        got = 0
        while got < len(message):
            got += len(conn.recv(1024))
    elapsed = time.perf_counter_ns() - start
    conn.close()
    process.join()
    return f"ok {trips} {elapsed}"


def end_with_parent() -> None:
    """Linux: the Manager's server gets SIGTERM when this script ends, even
    when it is killed (its own clean-up runs only at a normal exit)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def main() -> None:
    manager = multiprocessing.managers.SyncManager()
    manager.start(end_with_parent)

    running = {}

    def answer(line: str) -> str:
        words = line.split()
        if words == ["go"] and running:
            processes, go, done = running.pop("run")
            start = time.perf_counter_ns()
            go.set()
            total = sum(done.get() for _ in processes)
            elapsed = time.perf_counter_ns() - start
            for process in processes:
                process.join()
            return f"ok {total} {elapsed}"
        if words[0] == "echo" and len(words) == 3:
            running["echo"] = start_echo(words[1], int(words[2]))
            return "ok ready"
        if words == ["trips"] and "echo" in running:
            return round_trips(*running.pop("echo"))
        if words[0] != "setget" or len(words) != 3:
            return f"error unknown question {line!r}"
        clients, pairs = int(words[1]), int(words[2])
        d, go, done = manager.dict(), manager.Event(), manager.Queue()
        processes = [
            multiprocessing.Process(
                target=set_get, args=(d, f"k{c}", pairs, go, done),
                # Ended at exit if the bench stops before "go": a process
                # waiting for it would keep Python alive for ever.
                daemon=True)
            for c in range(clients)
        ]
        for process in processes:
            process.start()
        for _ in processes:
            done.get()
        running["run"] = (processes, go, done)
        return "ok ready"

    serve(answer)


if __name__ == "__main__":
    main()

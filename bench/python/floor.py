"""
The floor under the Python client's small calls (issue 13), in one run, interleaved in rotating
blocks so every side sees the same machine:

- crucial: ``AtomicReference.set`` / ``.get`` of 1 KB and ``AtomicLong.add_and_get`` through
  crucial's Python client (a node started by ``start_local_dso``);
- Redis: the same through redis-py against a redis-server (SET / GET / INCRBY), when installed;
- pyzmq echo: a bare pyzmq DEALER in the calling thread to a pyzmq ROUTER in another process,
  moving the same bytes each way as the crucial call (its request and reply as the codec encodes them);
- pyzmq echo + I/O thread: the same echo handed to a thread that owns the socket through a queue, a
  wake-up socketpair and a Future, as crucial's client does: what that hand-off costs by itself;
- pyzmq echo, caller sends: one thread switch instead of two (the caller sends under a lock, the I/O
  thread waits on ZMQ_FD and hands the reply over): what a client built that way would save;
- pyzmq echo, caller runs: no thread switch (the caller also waits on the socket for its own reply,
  under the lock; the I/O thread drains whatever arrives while no caller holds it).

Placement as ``npm run bench``: ``split`` (default) pins this process to CPU 0 and the servers to
CPU 1, ``same`` all on CPU 0, ``none`` leaves it to the scheduler. Also times the codec alone
(encode_call, decode_reply) per call.

    python bench/python/floor.py [--n 5000] [--block 250] [--placement split|same|none]
"""
from __future__ import annotations

import argparse
import collections
import os
import select
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import zmq

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bridges" / "python"))

import crucial  # noqa: E402
from crucial.wire.codec import WireCodec  # noqa: E402
from crucial.wire.protocol import Int64  # noqa: E402

ECHO_SERVER = r"""
import sys, zmq
ctx = zmq.Context()
r = ctx.socket(zmq.ROUTER)
port = r.bind_to_random_port("tcp://127.0.0.1")
print(port, flush=True)
answers = {}
while True:
    rid, body = r.recv_multipart(copy=False)
    n = int.from_bytes(body.buffer[:4], "big")
    a = answers.get(n)
    if a is None:
        a = answers[n] = b"\7" * n
    r.send_multipart([rid, a], copy=False)
"""


def pin(pid: int, cpus: str) -> None:
    subprocess.run(["taskset", "-a", "-p", "-c", cpus, str(pid)], check=False, stdout=subprocess.DEVNULL)


def pct(xs, p):
    s = sorted(xs)
    return s[min(len(s), max(1, -(-p * len(s) // 100))) - 1]


class ThreadedEcho:
    """The bare echo behind crucial's hand-off: caller -> queue + socketpair -> I/O thread -> Future."""

    def __init__(self, ctx: zmq.Context, port: int) -> None:
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.connect(f"tcp://127.0.0.1:{port}")
        self.q: "queue.SimpleQueue" = queue.SimpleQueue()
        self.r, self.w = socket.socketpair()
        self.r.setblocking(False)
        self.pending: "queue.SimpleQueue[Future]" = queue.SimpleQueue()
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self) -> None:
        poller = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        poller.register(self.r, zmq.POLLIN)
        waiting = []
        while True:
            events = dict(poller.poll(1000))
            if self.r.fileno() in events:
                try:
                    while self.r.recv(4096):
                        pass
                except BlockingIOError:
                    pass
            while True:
                try:
                    item = self.q.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    return
                fut, frames = item
                waiting.append(fut)
                self.sock.send_multipart(frames, zmq.NOBLOCK, copy=False)
            if self.sock in events:
                while True:
                    try:
                        self.sock.recv_multipart(zmq.NOBLOCK, copy=False)
                    except zmq.Again:
                        break
                    waiting.pop(0).set_result(None)

    def echo(self, req: bytes) -> None:
        f: Future = Future()
        self.q.put((f, [req]))
        self.w.send(b"\0")
        f.result()


class CallerSendsEcho:
    """
    One thread switch instead of two: the caller sends itself under a lock; the I/O thread waits on
    the socket's ZMQ_FD (an OS fd: polling it does not touch the socket), takes the lock and hands
    replies to their futures. ZMQ_FD is edge-triggered, so whoever touched the socket drains what
    ZMQ_EVENTS says is readable before letting go of the lock.
    """

    def __init__(self, ctx: zmq.Context, port: int) -> None:
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.connect(f"tcp://127.0.0.1:{port}")
        self.lock = threading.Lock()
        self.fd = self.sock.getsockopt(zmq.FD)
        self.waiting: "collections.deque[Future]" = collections.deque()
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def drain(self) -> None:
        while self.sock.getsockopt(zmq.EVENTS) & zmq.POLLIN:
            self.sock.recv_multipart(copy=False)
            self.waiting.popleft().set_result(None)

    def loop(self) -> None:
        while True:
            select.select([self.fd], [], [], 1.0)
            with self.lock:
                self.drain()

    def echo(self, req: bytes) -> None:
        f: Future = Future()
        with self.lock:
            self.waiting.append(f)
            self.sock.send(req, copy=False)
            self.drain()
        f.result()

    def echo_runs(self, req: bytes) -> None:
        """No thread switch: the caller also waits on the socket for its own reply, still under the lock."""
        f: Future = Future()
        with self.lock:
            self.waiting.append(f)
            self.sock.send(req, copy=False)
            while not f.done():
                if self.sock.poll(1000, zmq.POLLIN):
                    self.drain()
        f.result()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="timed calls per side and row")
    ap.add_argument("--block", type=int, default=250)
    ap.add_argument("--placement", choices=["split", "same", "none"], default="split")
    args = ap.parse_args()
    server_cpus = {"split": "1", "same": "0", "none": None}[args.placement if (os.cpu_count() or 1) > 1 else "same"]
    if server_cpus is not None:
        os.sched_setaffinity(0, {0})

    ctx = zmq.Context()
    echo_proc = subprocess.Popen([sys.executable, "-c", ECHO_SERVER], stdout=subprocess.PIPE, text=True)
    echo_port = int(echo_proc.stdout.readline())
    node = crucial.start_local_dso()
    redis_proc = None
    rc = None
    if shutil.which("redis-server"):
        import redis

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            rport = s.getsockname()[1]
        redis_proc = subprocess.Popen(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                                      stdout=subprocess.DEVNULL)
        rc = redis.Redis(port=rport)
        for _ in range(100):
            try:
                rc.ping()
                break
            except Exception:
                time.sleep(0.05)
    if server_cpus is not None:
        for p in (echo_proc, node.process, redis_proc):
            if p is not None:
                pin(p.pid, server_cpus)
    conn = crucial.connect(node.address)
    threaded = ThreadedEcho(ctx, echo_port)
    caller_sends = CallerSendsEcho(ctx, echo_port)
    try:
        kb = bytes(i & 0xFF for i in range(1024))
        ref = crucial.AtomicReference("floor.1kb", connection=conn)
        ref.set(kb)
        along = crucial.AtomicLong("floor.counter", 0, connection=conn)
        along.get()
        if rc is not None:
            rc.set("floor.1kb", kb)
        dealer = ctx.socket(zmq.DEALER)
        dealer.connect(f"tcp://127.0.0.1:{echo_port}")

        wc = WireCodec()
        size = lambda frames: sum(len(memoryview(f).cast("B")) for f in frames)  # noqa: E731
        cid = conn.client_id
        rows = {
            "1 KB put": (lambda: ref.set(kb), (lambda: rc.set("floor.1kb", kb)) if rc else None,
                         size(wc.encode_call(cid, 10**6, "AtomicReference", "floor.1kb", "set", [kb])), size(wc.encode_ok(10**6, None))),
            "1 KB get": (ref.get, (lambda: rc.get("floor.1kb")) if rc else None,
                         size(wc.encode_call(cid, 10**6, "AtomicReference", "floor.1kb", "get", [])), size(wc.encode_ok(10**6, kb))),
            "addAndGet / INCRBY": (lambda: along.add_and_get(3), (lambda: rc.incrby("floor.counter", 3)) if rc else None,
                                   size(wc.encode_call(cid, 10**6, "AtomicLong", "floor.counter", "addAndGet", [3])), size(wc.encode_ok(10**6, Int64(123456)))),
        }
        print(f"python floor: placement {args.placement}, n {args.n}, load {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        print("| row | bytes up/down | crucial p50 | Redis p50 | pyzmq echo p50 | echo + I/O thread p50 | echo, caller sends p50 | echo, caller runs p50 | crucial/Redis p50 | crucial/echo p50 | "
              "crucial p99 | Redis p99 | pyzmq echo p99 | echo + I/O thread p99 | echo, caller sends p99 | echo, caller runs p99 | crucial/Redis p99 | crucial/echo p99 |")
        print("| --- | --- |" + " ---: |" * 16)
        for name, (dso, red, up, down) in rows.items():
            req = down.to_bytes(4, "big") + b"\1" * max(0, up - 4)

            def bare(req=req):
                dealer.send(req, copy=False)
                dealer.recv(copy=False)

            sides = {"crucial": dso, "echo": bare, "thread": lambda req=req: threaded.echo(req), "callersends": lambda req=req: caller_sends.echo(req),
                     "callerruns": lambda req=req: caller_sends.echo_runs(req)}
            if red is not None:
                sides["redis"] = red
            names = list(sides)
            for _ in range(300):
                for k in names:
                    sides[k]()
            us = {k: [] for k in names}
            pc = time.perf_counter_ns
            for rnd, start in enumerate(range(0, args.n, args.block)):
                for j in range(len(names)):
                    k = names[(j + rnd) % len(names)]
                    op, out = sides[k], us[k]
                    for _ in range(min(args.block, args.n - start)):
                        t = pc()
                        op()
                        out.append((pc() - t) / 1000)
            p = {k: (pct(v, 50), pct(v, 99)) for k, v in us.items()}
            r = p.get("redis", (float("nan"), float("nan")))
            c, e, th, cs, cr = p["crucial"], p["echo"], p["thread"], p["callersends"], p["callerruns"]
            print(f"| {name} | {up}/{down} | {c[0]:.0f} | {r[0]:.0f} | {e[0]:.0f} | {th[0]:.0f} | {cs[0]:.0f} | {cr[0]:.0f} | {c[0] / r[0]:.2f} | {c[0] / e[0]:.2f} | "
                  f"{c[1]:.0f} | {r[1]:.0f} | {e[1]:.0f} | {th[1]:.0f} | {cs[1]:.0f} | {cr[1]:.0f} | {c[1] / r[1]:.2f} | {c[1] / e[1]:.2f} |", flush=True)

        # The codec alone, per call: what the client spends encoding a call and decoding its reply.
        n = 20000
        replies = {"None": wc.encode_ok(7, None), "1 KB": wc.encode_ok(7, kb), "Int64": wc.encode_ok(7, Int64(123456))}
        t = time.perf_counter_ns()
        for i in range(n):
            wc.encode_call(cid, i, "AtomicReference", "floor.1kb", "set", [kb])
        enc = (time.perf_counter_ns() - t) / n / 1000
        dec = {}
        for k, fr in replies.items():
            fr = [bytes(f) for f in fr]
            t = time.perf_counter_ns()
            for _ in range(n):
                wc.decode_reply(fr)
            dec[k] = (time.perf_counter_ns() - t) / n / 1000
        print(f"codec alone: encode_call(1 KB set) {enc:.1f} µs; decode_reply " + ", ".join(f"{k} {v:.1f} µs" for k, v in dec.items()))
    finally:
        conn.close()
        node.stop()
        echo_proc.kill()
        if redis_proc is not None:
            redis_proc.kill()


if __name__ == "__main__":
    main()

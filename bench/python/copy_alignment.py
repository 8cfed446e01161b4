"""
How the alignment of an 8 MB answer in the sender's memory changes its download after an upload
(issue 13, the 8 MB goal; lead, evening session 2026-12-02).

A bare Python socket speaks ZMTP 3.1 (NULL) to bench/lib/raw-zmtp-echo.ts, a minimal node:net ROUTER
echo. Each round: an 8 MB download after an 8 MB download, and an 8 MB download after an 8 MB upload.
The echo's answer goes as a 9-byte frame header and its body in one writev; its body lies SHIFT bytes
into a 16-byte aligned buffer. The kernel copies the writev into the socket's pages from page offset
0 (a request/answer link frees its pages between messages), so with SHIFT = 9 (mod 16) the body lies
in memory as it lies in those pages, and with SHIFT = 0 every 16-byte block straddles.

    python bench/python/copy_alignment.py [--shifts 0 1 9 25] [--rounds 40]
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import struct
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZE = 8_000_000


def run(shift: int, rounds: int) -> dict[str, float]:
    env = {**os.environ, "SHIFT": str(shift)}
    server = subprocess.Popen(["node", "--import", "tsx", str(ROOT / "bench/lib/raw-zmtp-echo.ts")], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        port = int(server.stdout.readline().split()[1])
        c = socket.create_connection(("127.0.0.1", port))
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def read(n: int, into: bytearray | None = None) -> bytearray:
            buf = into if into is not None else bytearray(n)
            view, got = memoryview(buf), 0
            while got < n:
                k = c.recv_into(view[got:], n - got)
                if k == 0:
                    raise ConnectionError("echo closed the link")
                got += k
            return buf

        signature = bytearray(64)
        signature[0], signature[9], signature[10], signature[11] = 0xFF, 0x7F, 3, 1
        signature[12:16] = b"NULL"
        c.sendall(bytes(signature))
        ready = b"\x05READY" + b"\x0bSocket-Type" + struct.pack(">I", 6) + b"DEALER" + b"\x08Identity" + struct.pack(">I", 0)
        c.sendall(bytes([0x04, len(ready)]) + ready)
        read(64)
        read(read(2)[1])
        payload = struct.pack(">I", 9) + b"\0" * 4 + os.urandom(1000) * (SIZE // 1000)
        upload = bytes([0x02]) + struct.pack(">Q", len(payload)) + payload
        ask = bytes([0x00, 4]) + struct.pack(">I", SIZE)
        answer = bytearray(SIZE + 9)

        def up() -> None:
            c.sendall(upload)
            read(read(2)[1])

        def down() -> None:
            c.sendall(ask)
            read(SIZE + 9, answer)

        rows: dict[str, list[float]] = {"after a download": [], "after an upload": []}
        for _ in range(rounds):
            for name, before in (("after a download", down), ("after an upload", up)):
                before()
                t = time.perf_counter()
                down()
                rows[name].append(time.perf_counter() - t)
        c.close()
        return {k: statistics.median(v[5:]) * 1e3 for k, v in rows.items()}
    finally:
        server.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--shifts", type=int, nargs="+", default=[0, 1, 9, 25])
    ap.add_argument("--rounds", type=int, default=40)
    args = ap.parse_args()
    print("| body's offset in its buffer | 8 MB down after a download, p50 ms | after an upload, p50 ms | after upload / after download |")
    print("| ---: | ---: | ---: | ---: |")
    for shift in args.shifts:
        r = run(shift, args.rounds)
        print(f"| {shift} | {r['after a download']:.2f} | {r['after an upload']:.2f} | {r['after an upload'] / r['after a download']:.2f} |")
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

"""
Link failures seen quickly, with their cause: a refused connect, a port speaking another protocol
and a frozen node (SIGSTOP) fail pending calls with ERR_UNAVAILABLE and the reason; a call lost with
its link is resent as soon as the link is back; libzmq's queue is bounded by a high-water mark.
"""
import http.server
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading

import pytest
import zmq

from crucial.client.connection import Connection
from crucial.errors import HighWaterMarkError, InvalidOptionError, UnavailableError
from crucial.wire.codec import WireCodec, decode_value, parse_call

# The defaults must fail well inside this; the old 30 s silence rule cannot.
LIMIT = 8.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_refused_connect_fails_with_err_unavailable_and_econnrefused_within_the_default_window(monkeypatch):
    monkeypatch.delenv("CRUCIAL_UNAVAILABLE_MS", raising=False)
    c = Connection(f"tcp://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(UnavailableError) as info:
            c.call_async("AtomicLong", "x", "get", []).result(LIMIT)
        assert info.value.code == "ERR_UNAVAILABLE"
        assert "no link for 2000 ms" in str(info.value) and "ECONNREFUSED" in str(info.value)
        assert info.value.__cause__.code == "ECONNREFUSED"
    finally:
        c.close()


def test_crucial_unavailable_ms_sets_the_window_and_a_bad_value_is_refused(monkeypatch):
    monkeypatch.setenv("CRUCIAL_UNAVAILABLE_MS", "300")
    c = Connection(f"tcp://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(UnavailableError, match="no link for 300 ms"):
            c.call_async("AtomicLong", "x", "get", []).result(LIMIT)
    finally:
        c.close()
    monkeypatch.setenv("CRUCIAL_UNAVAILABLE_MS", "soon")
    with pytest.raises(InvalidOptionError, match="CRUCIAL_UNAVAILABLE_MS must be a positive number"):
        Connection("tcp://127.0.0.1:1")


def test_a_port_speaking_http_fails_with_what_it_sent_as_the_cause():
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    c = Connection(f"tcp://127.0.0.1:{server.server_address[1]}", unavailable_after=0.5)
    try:
        with pytest.raises(UnavailableError, match="not a ZMTP peer") as info:
            c.call_async("AtomicLong", "x", "get", []).result(LIMIT)
        assert info.value.__cause__.code == "EPROTO"
    finally:
        c.close()
        server.shutdown()
        server.server_close()


NODE = """
import sys, zmq
from crucial.wire.codec import WireCodec, decode_value, parse_call
sock = zmq.Context().socket(zmq.ROUTER)
port = sock.bind_to_random_port("tcp://127.0.0.1")
print(port, flush=True)
codec = WireCodec()
while True:
    route, *frames = sock.recv_multipart()
    call = parse_call(decode_value(frames))
    sock.send_multipart([route, *codec.encode_ok(call.seq, "pong" if call.method == "ping" else "ok")])
"""


def test_a_frozen_node_is_found_by_heartbeats_and_pending_calls_fail_with_the_lost_link_as_cause():
    node = subprocess.Popen([sys.executable, "-c", NODE], stdout=subprocess.PIPE, text=True)
    port = int(node.stdout.readline())
    c = Connection(f"tcp://127.0.0.1:{port}", heartbeat_ivl=0.05, heartbeat_timeout=0.15, unavailable_after=0.3)
    try:
        assert c.call("X", "k", "get", [], timeout=LIMIT) == "ok"
        os.kill(node.pid, signal.SIGSTOP)
        with pytest.raises(UnavailableError, match="heartbeat timeout") as info:
            c.call_async("X", "k", "get", []).result(LIMIT)
        assert not c.connected
        assert "link" in str(info.value.__cause__)
    finally:
        c.close()
        os.kill(node.pid, signal.SIGKILL)
        node.wait()


def test_a_call_lost_with_its_link_is_resent_as_soon_as_the_link_is_back():
    first_ctx, ctx = zmq.Context(), zmq.Context()
    first = first_ctx.socket(zmq.ROUTER)
    first.setsockopt(zmq.LINGER, 0)
    port = first.bind_to_random_port("tcp://127.0.0.1")
    seen = []
    # resend_after of 10 minutes: only the reconnect can bring the call back within the test.
    c = Connection(f"tcp://127.0.0.1:{port}", resend_after=600, heartbeat_ivl=0)
    second = ctx.socket(zmq.ROUTER)
    second.setsockopt(zmq.LINGER, 0)
    try:
        fut = c.call_async("X", "k", "get", [])
        assert first.poll(int(LIMIT * 1000)), "the call never arrived"
        route, *frames = first.recv_multipart()  # the call arrives; the node "crashes" without answering
        seen.append(parse_call(decode_value(frames)).seq)
        first.close(0)
        first_ctx.term()  # returns once the listening port is released
        second.bind(f"tcp://127.0.0.1:{port}")
        assert second.poll(int(LIMIT * 1000)), "the call was not resent on reconnect"
        route, *frames = second.recv_multipart()
        call = parse_call(decode_value(frames))
        seen.append(call.seq)
        second.send_multipart([route, *WireCodec().encode_ok(call.seq, "ok")])
        assert fut.result(LIMIT) == "ok"
        assert seen[0] == seen[1], "the same (client, seq), so the node applies it once"
    finally:
        c.close()
        first.close(0)
        second.close(0)
        first_ctx.term()
        ctx.term()


def test_past_the_send_high_water_mark_a_call_fails_at_once_with_high_water_mark_error():
    ctx = zmq.Context()
    sink = ctx.socket(zmq.ROUTER)
    sink.setsockopt(zmq.LINGER, 0)
    sink.setsockopt(zmq.RCVHWM, 1)
    port = sink.bind_to_random_port("tcp://127.0.0.1")
    c = Connection(f"tcp://127.0.0.1:{port}", send_hwm=1, unavailable_after=60)
    big = bytes(1 << 20)
    try:
        c.call_async("X", "k", "get", [])
        assert sink.poll(int(LIMIT * 1000)), "no link"
        sink.recv_multipart()
        # The sink reads no more: kernel buffers, then libzmq's queue of 1 fill up.
        err = None
        for _ in range(200):
            fut = c.call_async("X", "k", "set", [big])
            try:
                fut.result(0.05)
            except HighWaterMarkError as e:
                err = e
                break
            except Exception:
                pass
        assert err is not None and err.code == "ERR_HIGH_WATER_MARK"
        assert "send_hwm" in str(err)
    finally:
        c.close()
        sink.close(0)
        ctx.term()

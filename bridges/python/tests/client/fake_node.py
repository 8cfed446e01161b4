"""A scripted stand-in for a DSO node: a ROUTER on a thread that parses each call and lets the test decide."""
import threading

import zmq
from crucial.wire.codec import WireCodec, decode_value, parse_call


class FakeNode:
    """
    Binds a ROUTER on 127.0.0.1 and hands each call to ``on_call(call, frames)``: a return of ``(value,)``
    is answered with an OK reply of that value, ``None`` drops the call unanswered (a lost message).
    """

    def __init__(self, on_call):
        self.on_call = on_call
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.address = f"tcp://127.0.0.1:{self.sock.bind_to_random_port('tcp://127.0.0.1')}"
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        codec = WireCodec()
        while not self.stop:
            if not self.sock.poll(50):
                continue
            route, *frames = self.sock.recv_multipart()
            call = parse_call(decode_value(frames))
            answer = self.on_call(call, frames)
            if answer is not None:
                self.sock.send_multipart([route, *codec.encode_ok(call.seq, answer[0])])

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close(0)
        self.ctx.term()

"""
Where an empty task's time goes (issue 13): ``call_async(empty, 0).result()`` on a warm executor with
perf_counter_ns stamps at each hop (the worker pipe's send and receive in the parent, the pool's
``_finish``, the caller's return), p50 per hop in µs. Stamps are taken by wrapping the methods, so
they add a little to each hop. Also the caller thread's CPU per call (``time.thread_time_ns``).

    python bench/python/empty_task_hops.py [--n 1500]       (CRUCIAL_PY=DIR/bridges/python: another checkout)
"""
import argparse, os, statistics, sys, time
sys.path.insert(0, os.environ.get("CRUCIAL_PY", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bridges", "python")))
from crucial.lithops import FunctionExecutor
from crucial.worker import pool as P
from multiprocessing.connection import Connection  # the worker pipe's class (pool.py no longer imports it by name)
pc = time.perf_counter_ns
st = {}
orig_finish = P.WorkerPool._finish
def fin(self, task, ok, value, stats, proc):
    st['fin'] = pc()
    return orig_finish(self, task, ok, value, stats, proc)
P.WorkerPool._finish = fin
orig_send = Connection.send_bytes
def sb(self, b, *a):
    r = orig_send(self, b, *a); st['sent'] = pc(); return r
Connection.send_bytes = sb
orig_recv = Connection.recv_bytes
def rb(self, *a):
    r = orig_recv(self, *a); st['recv'] = pc(); return r
Connection.recv_bytes = rb
try:  # since the worker pipe's own framing (crucial/worker/framing.py) the pool no longer calls Connection's methods
    from crucial.worker import framing as F, process as PR
    orig_send_message, orig_reader_recv = PR.send_message, F.Reader.recv
    def sm(conn, data):
        r = orig_send_message(conn, data); st['sent'] = pc(); return r
    def rr(self):
        r = orig_reader_recv(self); st['recv'] = pc(); return r
    PR.send_message, F.Reader.recv = sm, rr
except ImportError:
    pass
ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=1500)
args = ap.parse_args()
fx = FunctionExecutor(workers=2, show_progressbar=False)
def empty(x): return None
for _ in range(200): fx.call_async(empty, 0).result()
rows = []
tt = time.thread_time_ns
for _ in range(args.n):
    c0 = tt(); t0 = pc(); f = fx.call_async(empty, 0); t1 = pc(); f.result(); t2 = pc(); c2 = tt()
    rows.append((t1 - t0, st['sent'] - t0, st['recv'] - st['sent'], st['fin'] - st['recv'], t2 - st['fin'], t2 - t0, c2 - c0))
# Since 4fca7b4 the caller itself reads the reply of a task handed to an idle worker: "recv" is then its
# own wake-up, and "finish->caller back" the return through the pool and the future, not a hand-over.
names = ["call_async", "t0->sent", "sent->reply read (worker+wake)", "recv->finish (unpickle)", "finish->caller back", "total", "caller thread CPU"]
for i, n in enumerate(names):
    print(f"{n:34s} p50 {statistics.median(r[i] for r in rows)/1000:7.1f} us")
print(f"load {os.getloadavg()[0]:.1f}")

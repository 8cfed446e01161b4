"""
A signal to a program's whole process group (``timeout``, a terminal's Ctrl-C) reaches its embedded
node too. SIGTERM ends the node as the program's exit does, its Unix socket and directory removed;
SIGINT is the program's to handle, so a program that catches KeyboardInterrupt keeps its node.
Each case is a fresh program in a process group of its own.
"""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from ..lithops.programs import PACKAGE_PARENT


def start(source: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("CRUCIAL_DSO", "CRUCIAL_WORKER")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), env.get("PYTHONPATH")]))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(source)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def test_sigterm_to_the_group_during_a_parked_call_leaves_no_socket_behind():
    p = start("""
        import crucial
        from crucial import CyclicBarrier
        print(crucial.dso_address(), flush=True)
        CyclicBarrier('signals.park', 2).await_()
    """)
    try:
        address = p.stdout.readline().strip()
        assert address.startswith("ipc://"), address + p.stderr.read()
        time.sleep(1.0)  # the await is parked on the node
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(30)
        sock_dir = Path(address[len("ipc://"):]).parent
        deadline = time.monotonic() + 15
        while sock_dir.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not sock_dir.exists(), f"{sock_dir} was left behind: {list(sock_dir.iterdir())}"
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)


def test_sigint_to_the_group_is_the_programs_to_handle_and_its_node_stays():
    p = start("""
        import time, crucial
        from crucial import AtomicLong
        print(AtomicLong('signals.c', 0).add_and_get(1), flush=True)
        try:
            time.sleep(60)
        except KeyboardInterrupt:
            print(AtomicLong('signals.c', 0).add_and_get(1), flush=True)
    """)
    try:
        assert p.stdout.readline().strip() == "1", p.stderr.read()
        time.sleep(0.5)
        os.killpg(p.pid, signal.SIGINT)
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert out.split() == ["2"]
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)


def test_ctrl_c_in_a_parked_wait_withdraws_it_on_the_node():
    # Interrupted in acquire() and in a barrier's await_(): the node must not keep either call, or a
    # released permit goes to nobody and the next party trips the barrier alone.
    p = start("""
        import os, signal, threading, time, crucial
        from crucial import CyclicBarrier, Semaphore
        sem = Semaphore('signals.sem', 0)
        barrier = CyclicBarrier('signals.barrier', 2)
        for wait in (sem.acquire, barrier.await_):
            threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
            try:
                wait()
                print('not interrupted', flush=True)
            except KeyboardInterrupt:
                pass
        deadline = time.monotonic() + 10
        while (sem.get_queue_length(), barrier.get_number_waiting()) != (0, 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        sem.release()
        print(sem.available_permits(), sem.get_queue_length(), barrier.get_number_waiting(), flush=True)
    """)
    try:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert out.split() == ["1", "0", "0"], out + err
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)

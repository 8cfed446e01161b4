"""
A slot of the pool: one worker process, the parent thread that reads its replies, and that thread's
epoll on the worker's pipe, which a caller reading the reply itself disarms (issue 13).
"""
from __future__ import annotations

import select
import socket
import threading
from typing import Optional, Tuple

from .process import _Process
from .task import Task

# A worker's pipe in its slot's epoll: watched one-shot, or disarmed while a caller reads it.
_ARMED = (select.EPOLLIN | select.EPOLLONESHOT) if hasattr(select, "epoll") else 0
_DISARMED = select.EPOLLONESHOT if hasattr(select, "epoll") else 0


#: ``_Slot.reader`` while the reply of a hand-off is kept for its submitter's ``result()`` (no thread reads yet).
CLAIMED = -1
#: How long the slot's thread sleeps at a time while a claim may be pending, and for how long after the last claim.
#: Rarely needed (a thread that leaves a claim unread stops claiming), so long: each tick takes the GIL,
#: and 2 ms ticks of four slot threads slowed a process's other threads 2-4x here.
CLAIM_TICK_MS = 20
CLAIM_ACTIVE_S = 1.0


class _Slot:
    """One worker process and the parent thread that reads its replies."""

    __slots__ = ("index", "proc", "idle", "handoff", "ready", "wake_r", "wake_w", "reader", "epoll", "watched", "watched_fd", "armed",
                 "claimer", "claims", "seen_claims", "last_claim", "timed")

    def __init__(self, index: int) -> None:
        self.index = index
        self.proc: Optional[_Process] = None
        #: its thread waits for work, watching its worker's pipe; a submitter may hand the worker a task
        self.idle = False
        #: the task a submitting thread handed this slot's worker itself
        self.handoff: Optional[Task] = None
        #: set once that submitter knows whether the worker took the task (set while no hand-off is under way)
        self.ready = threading.Event()
        self.ready.set()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        #: a thread reading the hand-off's reply itself (WorkerPool.read_reply), or CLAIMED; the slot's thread leaves the pipe alone
        self.reader: Optional[int] = None
        #: the thread that handed this worker a task and CLAIMED its reply, how many claims so far, and the
        #: count the slot's thread saw at its last timed wake-up (a claim unread for a whole tick is given up)
        self.claimer = 0
        self.claims = 0
        self.seen_claims = 0
        #: when the last claim was made (time.monotonic), and whether the slot's thread sleeps with a timeout
        self.last_claim = 0.0
        self.timed = False
        # epoll (Linux): a reader takes the worker's pipe out of what this slot's thread sleeps on
        # without waking it; without epoll the slot's thread reads every reply.
        self.epoll = select.epoll() if hasattr(select, "epoll") else None
        #: (process, fd) whose pipe is registered in the epoll, its fd, and whether it is armed
        self.watched: Optional[Tuple[_Process, int]] = None
        self.watched_fd = -1
        self.armed = False
        if self.epoll is not None:
            self.epoll.register(self.wake_r.fileno(), select.EPOLLIN)

    def wake(self) -> None:
        try:
            self.wake_w.send(b"\0")
        except OSError:
            pass  # the pipe is full: the thread is awake anyway

    def drain(self) -> None:
        try:
            while self.wake_r.recv(4096):
                pass
        except OSError:
            pass


def watch(slot: _Slot) -> None:
    """
    Arms the slot's epoll on its worker's pipe, or disarms it while a caller reads that pipe (under
    the pool's lock). The pipe stays registered and is armed one-shot: disarming is a modify,
    ~3 us cheaper than removing it while the slot's thread waits; a hang-up, which epoll reports
    even when disarmed, then wakes that thread once, not in a loop.
    """
    ep = slot.epoll
    if ep is None:
        return
    proc = slot.proc
    cur = slot.watched
    if cur is not None and cur[0] is not proc:  # another process now: drop the old one's pipe
        slot.watched = cur = None
        try:
            ep.unregister(slot.watched_fd)
        except (OSError, ValueError):  # closed with its process: epoll dropped it then
            pass
    if proc is None:
        return
    arm = slot.reader is None
    events = _ARMED if arm else _DISARMED
    if cur is None:
        try:
            fd = proc.conn.fileno()
        except OSError:
            return
        try:
            ep.register(fd, events)
        except FileExistsError:
            ep.modify(fd, events)
        slot.watched, slot.watched_fd, slot.armed = (proc, fd), fd, arm
    elif arm or slot.armed:  # arm every time: a one-shot event may have disarmed it since
        ep.modify(slot.watched_fd, events)
        slot.armed = arm

"""
Client of a node's executor service (``$jobs``, PROTOCOL.md §11), as ``core/jobs/job-client.ts``: submit
a named job kind with its arguments, follow its status and progress, wait for its result, cancel it.
Jobs run on the node's side, so they outlive the client that submitted them.

Job kinds are handlers registered in the node (``echo``, ``sum``, ``ml.fit``); a client never sends
code. Numeric data travels as Arrow: pass a ``pyarrow.Table`` or a numpy array as an argument.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from .client.connection import Connection
from .client.context import default_connection

__all__ = ["JOBS_TYPE", "JobClient", "submit_job"]

logger = logging.getLogger(__name__)

#: Type name of the node's executor service object (its key is ``""``).
JOBS_TYPE = "$jobs"


class JobClient:
    """
    Calls a node's executor service; each method is one call to the node.

    :param connection: the node's connection; default: the process-wide one (``CRUCIAL_DSO``, or the
        embedded node)
    """

    def __init__(self, connection: Optional[Connection] = None) -> None:
        self._connection = connection

    def _call(self, method: str, *args: Any) -> Any:
        conn = self._connection or default_connection()
        return conn.call(JOBS_TYPE, "", method, list(args))

    def submit(self, kind: str, args: Optional[Dict[str, Any]] = None) -> str:
        """
        Queues a job of a registered kind.

        :param kind: the job kind (``ml.fit``, ``sum``, ``echo``)
        :param args: its named arguments (wire values; tables and numeric arrays travel as Arrow)
        :return: the job's id
        :raises BadArgumentError: if the node has no such kind or the arguments do not fit it
        """
        job_id = self._call("submit", kind, args or {})
        logger.info("job %s submitted (%s)", job_id, kind)
        return job_id

    def status(self, job_id: str) -> Dict[str, Any]:
        """
        :param job_id: the id ``submit`` returned
        :return: ``{id, kind, state, progress, submittedAt, startedAt, finishedAt, error}``; ``state`` is one of
            ``queued``, ``running``, ``succeeded``, ``failed``, ``cancelled``
        :raises BadArgumentError: if the node knows no such job
        """
        return self._call("status", job_id)

    def result(self, job_id: str, timeout: Optional[float] = None) -> Any:
        """
        Waits for the job's result; the node holds the call until the job finishes.

        :param job_id: the id ``submit`` returned
        :param timeout: seconds to wait at most (the job keeps running); None waits as long as it takes
        :return: the job's result
        :raises TimeoutError: (``crucial.errors.TimeoutError``) if ``timeout`` passed first
        :raises CrucialError: the job's own error if it failed, its code kept; ``IllegalStateError`` if it was cancelled
        """
        if timeout is None:
            return self._call("result", job_id)
        return self._call("result", job_id, max(0.0, float(timeout)) * 1000.0)

    def cancel(self, job_id: str) -> bool:
        """:return: True if the job was queued or running and is now cancelled."""
        return bool(self._call("cancel", job_id))

    def list(self) -> List[Dict[str, Any]]:
        """:return: the status of every job the node still keeps."""
        return list(self._call("list"))

    def kinds(self) -> List[str]:
        """:return: the job kinds the node runs."""
        return list(self._call("kinds"))


def submit_job(kind: str, args: Optional[Dict[str, Any]] = None, connection: Optional[Connection] = None, timeout: Optional[float] = None) -> Any:
    """
    Submits a job and waits for its result.

    :param kind: the job kind
    :param args: its named arguments
    :param connection: the node's connection; default: the process-wide one
    :param timeout: seconds to wait for the result at most
    :return: the job's result
    :raises BadArgumentError: if the node has no such kind or the arguments do not fit it
    :raises CrucialError: the job's error if it failed
    """
    client = JobClient(connection)
    return client.result(client.submit(kind, args), timeout)

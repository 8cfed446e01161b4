"""
Every failure crucial reports is a :class:`CrucialError` with a stable ``code``, the same strings as
the TypeScript core (``core/protocol/errors.ts``). A remote failure travels as ``{code, name, message, stack}``
and is rebuilt here from its code, so ``except BrokenBarrierError`` works across languages.
"""
from __future__ import annotations

import builtins
import threading
from typing import Any, Dict, Optional, Type

__all__ = [
    "ErrorCode",
    "CrucialError",
    "BadFrameError",
    "ProtocolVersionError",
    "PayloadTooLargeError",
    "UnknownTypeError",
    "UnknownMethodError",
    "BadArgumentError",
    "NoObjectError",
    "ModuleMissingError",
    "IllegalStateError",
    "BrokenBarrierError",
    "TimeoutError",
    "RemoteError",
    "TaskFailedError",
    "NotSerializableError",
    "ReleasedError",
    "ClosedError",
    "UnavailableError",
    "HighWaterMarkError",
    "RejectedError",
    "InvalidOptionError",
    "ReplyNotKeptError",
    "UnauthorizedError",
    "ForbiddenError",
    "ModelNotFoundError",
    "LimitExceededError",
    "OverloadedError",
    "error_from_data",
    "error_to_data",
]


class ErrorCode:
    """The stable error codes. Never rename one: clients in other languages match on them."""

    BAD_FRAME = "ERR_BAD_FRAME"
    PROTOCOL_VERSION = "ERR_PROTOCOL_VERSION"
    PAYLOAD_TOO_LARGE = "ERR_PAYLOAD_TOO_LARGE"
    UNKNOWN_TYPE = "ERR_UNKNOWN_TYPE"
    UNKNOWN_METHOD = "ERR_UNKNOWN_METHOD"
    BAD_ARGUMENT = "ERR_BAD_ARGUMENT"
    NO_OBJECT = "ERR_NO_OBJECT"
    MODULE_MISSING = "ERR_MODULE_MISSING"
    ILLEGAL_STATE = "ERR_ILLEGAL_STATE"
    BROKEN_BARRIER = "ERR_BROKEN_BARRIER"
    TIMEOUT = "ERR_TIMEOUT"
    REMOTE = "ERR_REMOTE"
    TASK_FAILED = "ERR_TASK_FAILED"
    NOT_SERIALIZABLE = "ERR_NOT_SERIALIZABLE"
    RELEASED = "ERR_RELEASED"
    CLOSED = "ERR_CLOSED"
    UNAVAILABLE = "ERR_UNAVAILABLE"
    REJECTED = "ERR_REJECTED"
    INVALID_OPTION = "ERR_INVALID_OPTION"
    REPLY_NOT_KEPT = "ERR_REPLY_NOT_KEPT"
    HIGH_WATER_MARK = "ERR_HIGH_WATER_MARK"
    UNAUTHORIZED = "ERR_UNAUTHORIZED"
    FORBIDDEN = "ERR_FORBIDDEN"
    NOT_FOUND = "ERR_NOT_FOUND"
    LIMIT = "ERR_LIMIT"
    OVERLOADED = "ERR_OVERLOADED"


class CrucialError(Exception):
    """
    Base class of every crucial error.

    :param message: what went wrong
    :ivar code: stable, language-independent code of the condition
    :ivar remote_name: name of the original error class on the remote side, when it came over the wire
    :ivar remote_stack: stack (or traceback) of the process where the error was raised
    """

    code: str = ErrorCode.REMOTE

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.remote_name: Optional[str] = None
        self.remote_stack: Optional[str] = None

    def __str__(self) -> str:
        return self.message


# Plain class statements (not type()), so type checkers and IDEs see each class and its bases.
class BadFrameError(CrucialError):
    """A frame could not be decoded: truncated, malformed, or not a crucial message."""

    code = ErrorCode.BAD_FRAME


class ProtocolVersionError(CrucialError):
    """The peer speaks another protocol version."""

    code = ErrorCode.PROTOCOL_VERSION


class PayloadTooLargeError(CrucialError):
    """A message exceeded the node's payload limit."""

    code = ErrorCode.PAYLOAD_TOO_LARGE


class UnknownTypeError(CrucialError):
    """No object type of that name is known to the node."""

    code = ErrorCode.UNKNOWN_TYPE


class UnknownMethodError(CrucialError, AttributeError):
    """The object type has no such method."""

    code = ErrorCode.UNKNOWN_METHOD


class BadArgumentError(CrucialError, ValueError):
    """An argument has the wrong type or is out of range."""

    code = ErrorCode.BAD_ARGUMENT


class NoObjectError(CrucialError, LookupError):
    """The object does not exist and the call carried no constructor arguments."""

    code = ErrorCode.NO_OBJECT


class ModuleMissingError(CrucialError):
    """The node has not loaded the module that defines a user class."""

    code = ErrorCode.MODULE_MISSING


class IllegalStateError(CrucialError):
    """The call is not valid in the object's current state."""

    code = ErrorCode.ILLEGAL_STATE


class BrokenBarrierError(CrucialError, threading.BrokenBarrierError):
    """A barrier was broken while this party waited (as threading.BrokenBarrierError)."""

    code = ErrorCode.BROKEN_BARRIER


class TimeoutError(CrucialError, builtins.TimeoutError):
    """A blocking call or a task did not finish in the time given."""

    code = ErrorCode.TIMEOUT


class RemoteError(CrucialError):
    """User code running remotely threw; remote_name and remote_stack say what and where."""

    code = ErrorCode.REMOTE


class TaskFailedError(CrucialError):
    """A task failed (its process crashed or it raised); __cause__ holds what is known."""

    code = ErrorCode.TASK_FAILED


class NotSerializableError(CrucialError, TypeError):
    """A value cannot cross a process boundary."""

    code = ErrorCode.NOT_SERIALIZABLE


class ReleasedError(CrucialError):
    """A proxy was used after release()."""

    code = ErrorCode.RELEASED


class ClosedError(CrucialError):
    """The connection or executor was closed."""

    code = ErrorCode.CLOSED


class UnavailableError(CrucialError, ConnectionError):
    """The DSO node did not answer after every retry."""

    code = ErrorCode.UNAVAILABLE


class RejectedError(CrucialError):
    """The executor refused a task (it is shut down)."""

    code = ErrorCode.REJECTED


class InvalidOptionError(CrucialError, ValueError):
    """An option passed to a constructor is invalid."""

    code = ErrorCode.INVALID_OPTION


class ReplyNotKeptError(CrucialError):
    """A resent call was applied already but its reply was too large to keep; it is not run again."""

    code = ErrorCode.REPLY_NOT_KEPT


class HighWaterMarkError(CrucialError):
    """A send would grow a link's queue past its high-water mark."""

    code = ErrorCode.HIGH_WATER_MARK


class UnauthorizedError(CrucialError, PermissionError):
    """The node refused this client at the ZMTP handshake: no credentials, a wrong token or an unknown CURVE key."""

    code = ErrorCode.UNAUTHORIZED


class ForbiddenError(CrucialError, PermissionError):
    """The client is authenticated but not allowed this call (a module upload on a node that does not allow it)."""

    code = ErrorCode.FORBIDDEN


class ModelNotFoundError(CrucialError, LookupError):
    """No model of that name (or no such version of it) is published in the DSO (``crucial.ml``)."""

    code = ErrorCode.NOT_FOUND


class LimitExceededError(CrucialError):
    """A call asked the node for more work or memory than its per-call limits allow."""

    code = ErrorCode.LIMIT


class OverloadedError(CrucialError):
    """The node is over its memory budget (``--max-memory``) and refuses new work for now; retry later."""

    code = ErrorCode.OVERLOADED


_BY_CODE: Dict[str, Type[CrucialError]] = {
    cls.code: cls
    for cls in (
        BadFrameError, ProtocolVersionError, PayloadTooLargeError, UnknownTypeError, UnknownMethodError,
        BadArgumentError, NoObjectError, ModuleMissingError, IllegalStateError, BrokenBarrierError,
        TimeoutError, RemoteError, TaskFailedError, NotSerializableError, ReleasedError, ClosedError,
        UnavailableError, RejectedError, InvalidOptionError, ReplyNotKeptError, HighWaterMarkError,
        ModelNotFoundError, UnauthorizedError, ForbiddenError, LimitExceededError, OverloadedError,
    )
}


def error_from_data(data: Any) -> CrucialError:
    """
    Rebuilds an error received over the wire, keeping the remote name and stack. Unknown codes and
    malformed payloads become :class:`RemoteError`; nothing in the payload is evaluated.

    :param data: the decoded ``{code, name, message, stack}`` map
    :return: the typed exception (not raised)
    """
    if not isinstance(data, dict):
        err: CrucialError = RemoteError(f"malformed error payload: {data!r}"[:200])
        return err
    code = data.get("code")
    cls = _BY_CODE.get(code, RemoteError) if isinstance(code, str) else RemoteError
    message = data.get("message")
    err = cls(message if isinstance(message, str) else repr(message))
    name, stack = data.get("name"), data.get("stack")
    err.remote_name = name if isinstance(name, str) else None
    err.remote_stack = stack if isinstance(stack, str) else None
    if err.remote_stack:
        err.add_note(f"[remote {err.remote_name}]\n{err.remote_stack}") if hasattr(err, "add_note") else None
    return err


def error_to_data(err: BaseException) -> Dict[str, str]:
    """
    Turns an exception into wire data. Non-crucial exceptions become ``ERR_REMOTE``.

    :param err: the exception
    :return: ``{code, name, message, stack}``
    """
    import traceback

    stack = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    if isinstance(err, CrucialError):
        return {"code": err.code, "name": err.remote_name or type(err).__name__, "message": err.message, "stack": err.remote_stack or stack}
    return {"code": ErrorCode.REMOTE, "name": type(err).__name__, "message": str(err), "stack": stack}

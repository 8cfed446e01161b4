"""A remote promise any process can complete once; ``get`` parks on the node until then."""
from __future__ import annotations

from typing import Any, Optional

from ..errors import error_to_data
from ..objects.shared_object import SharedObject, proxy_class

__all__ = ["Future"]


@proxy_class("Future")
class Future(SharedObject):
    """
    A shared future (the DSO's, not :class:`concurrent.futures.Future`, though it answers the same
    ``result`` / ``set_result`` / ``set_exception`` / ``done`` names).

    :param key: the object's key
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, **options: Any) -> None:
        super().__init__(key, (), **options)

    def set(self, value: Any = None) -> None:
        """
        Completes the future.

        :param value: the value
        :raises IllegalStateError: if it was completed already
        """
        self._invoke("set", value)

    def set_error(self, error: BaseException) -> None:
        """
        Completes the future exceptionally; ``get`` then raises the rebuilt, typed error.

        :param error: the exception (sent as ``{code, name, message, stack}``)
        """
        self._invoke("setError", error_to_data(error))

    def get(self, timeout: Optional[float] = None) -> Any:
        """
        Waits for the value.

        :param timeout: seconds; None waits for ever
        :raises TimeoutError: if not completed in time
        """
        return self._invoke("get") if timeout is None else self._invoke("get", max(0.0, float(timeout)) * 1000.0)

    def is_done(self) -> bool:
        """:return: whether the future was completed."""
        return bool(self._invoke("isDone"))

    # concurrent.futures names
    result = get
    set_result = set
    set_exception = set_error
    done = is_done

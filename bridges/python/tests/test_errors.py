import pathlib
import re
import threading

import pytest

from crucial import errors
from crucial.errors import ErrorCode, error_from_data, error_to_data


def test_every_error_code_has_one_exception_class_with_the_same_code():
    codes = {v for k, v in vars(ErrorCode).items() if k.isupper()}
    classes = {getattr(errors, n).code: getattr(errors, n) for n in errors.__all__ if n.endswith("Error") and n != "CrucialError"}
    assert set(classes) == codes
    # The same codes as the TypeScript core, whatever their number.
    ts = pathlib.Path(__file__).resolve().parents[3] / "core" / "protocol" / "errors.ts"
    ts_codes = set(re.findall(r"^  [A-Z_]+: '(ERR_[A-Z_]+)',$", ts.read_text(), re.M))
    assert codes == ts_codes


def test_a_remote_error_is_rebuilt_from_its_code_with_name_message_and_stack():
    err = error_from_data({"code": "ERR_BROKEN_BARRIER", "name": "BrokenBarrierError", "message": "barrier broken", "stack": "at x"})
    assert isinstance(err, errors.BrokenBarrierError)
    assert isinstance(err, threading.BrokenBarrierError)
    assert (err.code, err.message, err.remote_name, err.remote_stack) == ("ERR_BROKEN_BARRIER", "barrier broken", "BrokenBarrierError", "at x")


def test_an_unknown_code_or_a_malformed_payload_becomes_a_remote_error():
    assert type(error_from_data({"code": "ERR_NEW", "name": "X", "message": "m"})) is errors.RemoteError
    assert type(error_from_data("not a map")) is errors.RemoteError
    assert type(error_from_data({"code": 5, "message": None})) is errors.RemoteError


def test_crucial_timeouts_are_builtin_timeouts_too():
    assert issubclass(errors.TimeoutError, TimeoutError)
    assert issubclass(errors.BadArgumentError, ValueError)


def test_a_python_exception_becomes_wire_data_with_its_traceback():
    try:
        raise KeyError("k")
    except KeyError as e:
        data = error_to_data(e)
    assert data["code"] == "ERR_REMOTE" and data["name"] == "KeyError" and "raise KeyError" in data["stack"]
    assert error_to_data(errors.IllegalStateError("done twice"))["code"] == "ERR_ILLEGAL_STATE"

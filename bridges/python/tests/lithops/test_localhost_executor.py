"""``crucial.lithops.LocalhostExecutor`` takes Lithops's arguments in Lithops's order (config first)."""
import inspect

import pytest

from crucial.lithops import FunctionExecutor, LocalhostExecutor


def test_a_positional_config_is_the_config_not_the_mode():
    fexec = LocalhostExecutor({"lithops": {"workers": 1, "retries": 2}})
    assert fexec.mode == "localhost"
    assert fexec.retries == 2
    assert fexec.config["lithops"]["workers"] == 1
    assert fexec.call_async(lambda x: x + 1, 1).result() == 2


def test_it_is_a_function_executor_that_keeps_its_keyword_options():
    fexec = LocalhostExecutor(retries=1, show_progressbar=False)
    assert isinstance(fexec, FunctionExecutor)
    assert fexec.retries == 1 and fexec.show_progressbar is False


def test_its_parameters_are_lithops_own():
    lithops = pytest.importorskip("lithops")
    ours = list(inspect.signature(LocalhostExecutor).parameters)
    theirs = list(inspect.signature(lithops.LocalhostExecutor).parameters)
    assert ours == theirs

"""
Lithops's own test modules that need no cloud, run against ``crucial.lithops.FunctionExecutor``
(through ``lithops_compat_plugin``) in one pytest subprocess; each case the executor serves is
checked here by name. The README lists them, and the ones that do not pass and why.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import lithops  # noqa: F401  (a [test] dependency: missing, it fails the collection instead of skipping)
import pytest

HERE = Path(__file__).resolve().parent
MODULES = ["test_call_async", "test_map", "test_map_reduce", "test_retries", "test_future"]

#: Cases that run functions on the executor and pass (module, class, name).
EXPECTED = [
    *[("test_call_async", "TestCallAsync", n) for n in (
        "test_hello_world", "test_lambda_fn", "test_set_iterdata", "test_partial_function", "test_dict_iterdata",
        "test_object_with_side_effects")],
    *[("test_map", "TestMap", n) for n in (
        "test_simple_map", "test_max_workers", "test_range_iterdata", "test_dict_iterdata", "test_set_iterdata",
        "test_set_range_iterdata", "test_multiple_executions", "test_lithops_inside_lithops",
        "test_lithops_return_futures_map_over_decorator", "test_extra_args_tuple_and_dict", "test_extra_env",
        "test_futures_list_chaining", "test_chaining_plain_futures_hides_consumed_outputs[list]",
        "test_chaining_plain_futures_hides_consumed_outputs[tuple]", "test_chaining_plain_futures_hides_consumed_outputs[<lambda>]",
        "test_chaining_a_slice_keeps_unconsumed_outputs")],
    ("test_map_reduce", "TestMapReduce", "test_simple_map_reduce"),
    *[("test_retries", "", n) for n in (
        "test_success[timing_map0-3-2]", "test_success[timing_map1-3-2]", "test_success[timing_map2-3-2]",
        "test_success[timing_map3-3-2]", "test_failure[timing_map0-3-2]")],
    ("test_future", "", "test_fn_returns_obj_with_ambiguous_truth_value"),
]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, dso):
    base = tmp_path_factory.mktemp("lithops")
    report = base / "outcomes.tsv"
    env = {**os.environ, "CRUCIAL_PROGRESSBAR": "0", "CRUCIAL_LITHOPS_REPORT": str(report),
           "PYTHONPATH": str(HERE.parents[1]) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "tests.lithops.lithops_compat_plugin", "-p", "no:cacheprovider",
                    "--rootdir", str(base), "--pyargs", *[f"lithops.tests.{m}" for m in MODULES]],
                   cwd=base, env=env, capture_output=True, text=True, timeout=900)
    out = {}
    for line in report.read_text().splitlines():
        nodeid, outcome = line.rsplit("\t", 1)
        m = re.search(r"(test_\w+)\.py::(.*)$", nodeid)
        parts = m.group(2).split("::")
        key = (m.group(1), parts[0] if len(parts) == 2 else "", parts[-1])
        out[key] = "failed" if out.get(key) == "failed" else outcome
    return out


@pytest.mark.parametrize("module, klass, name", EXPECTED, ids=["::".join(filter(None, c)) for c in EXPECTED])
def test_a_lithops_test_passes_against_crucials_executor(outcomes, module, klass, name):
    assert outcomes.get((module, klass, name)) == "passed"

"""
A pytest plugin that runs Lithops's own test modules against ``crucial.lithops.FunctionExecutor``:
loaded before the modules are imported, it puts crucial's executor where they look for Lithops's.
Use: ``python -m pytest -p tests.lithops.lithops_compat_plugin --pyargs lithops.tests.test_map``.
"""
import os

import lithops
import lithops.executors
import lithops.retries

from crucial.lithops import FunctionExecutor

lithops.FunctionExecutor = FunctionExecutor
lithops.executors.FunctionExecutor = FunctionExecutor
lithops.retries.FunctionExecutor = FunctionExecutor

#: Lithops test classes whose setup downloads data sets from the internet; only their in-memory cases run.
IN_MEMORY_ONLY = {"test_map_reduce.py": {"test_simple_map_reduce"}}


def pytest_collection_modifyitems(config, items):
    keep, drop = [], []
    for item in items:
        allowed = IN_MEMORY_ONLY.get(item.fspath.basename)
        if allowed is None:
            keep.append(item)
            continue
        if item.originalname in allowed:
            # The class setup uploads the bag-of-words files first; the in-memory case never reads them.
            item.module.upload_data_sets = lambda storage: 0
            keep.append(item)
        else:
            drop.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_runtest_logreport(report):
    """With CRUCIAL_LITHOPS_REPORT set, appends ``<nodeid>\\t<outcome>`` per test (setup failures count)."""
    path = os.environ.get("CRUCIAL_LITHOPS_REPORT")
    if not path or (report.when != "call" and report.passed):
        return
    with open(path, "a") as f:
        f.write(f"{os.path.basename(report.location[0])}{report.nodeid[report.nodeid.find('::'):]}\t{report.outcome}\n")

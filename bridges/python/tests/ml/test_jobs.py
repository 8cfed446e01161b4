"""The executor service from Python (crucial.jobs): the same $jobs calls a TS client makes, on the session's node."""
import uuid

import numpy as np
import pyarrow as pa
import pytest
from crucial import CountDownLatch, connect
from crucial.errors import BadArgumentError, IllegalStateError, TimeoutError
from crucial.jobs import JobClient, submit_job


def test_jobs_kinds_and_sum_over_an_arrow_table(dso):
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=1234), rng.integers(0, 1000, size=1234)
    jobs = JobClient()
    assert jobs.kinds() == ["echo", "sum", "ml.fit"]
    res = submit_job("sum", {"data": pa.table({"a": a, "b": b, "s": [str(i) for i in range(1234)]})})
    assert res["rows"] == 1234
    assert sorted(res["sums"]) == ["a", "b"]
    assert res["sums"]["a"] == pytest.approx(a.sum(), abs=1e-9)
    assert res["sums"]["b"] == int(b.sum())
    assert submit_job("sum", {"data": np.arange(10.0)})["sums"]["v"] == 45


def test_jobs_unknown_kind_and_bad_fit_parameters_are_bad_argument_errors(dso):
    jobs = JobClient()
    with pytest.raises(BadArgumentError, match='unknown job kind "nope"'):
        jobs.submit("nope", {})
    data = pa.table({"x0": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 0.0]})
    with pytest.raises(BadArgumentError, match=r"params\.nEstimators\) must be a positive integer"):
        jobs.submit("ml.fit", {"algorithm": "random_forest", "params": {"nEstimators": 0}, "data": data, "modelName": "m"})
    with pytest.raises(BadArgumentError, match="a model name must be"):
        jobs.submit("ml.fit", {"algorithm": "logistic_regression", "data": data, "modelName": "no spaces"})


def test_jobs_a_job_outlives_the_python_client_that_submitted_it(dso):
    key = "latch-" + uuid.uuid4().hex[:8]
    gone = connect(dso.address)
    job_id = JobClient(gone).submit("echo", {"value": [1, "x"], "after": key})
    gone.close()
    jobs = JobClient()
    with pytest.raises(TimeoutError):
        jobs.result(job_id, timeout=0)
    CountDownLatch(key, 1).count_down()
    assert jobs.result(job_id) == [1, "x"]
    st = jobs.status(job_id)
    assert st["state"] == "succeeded" and st["progress"]["step"] == 1


def test_jobs_cancel_a_running_job(dso):
    key = "latch-" + uuid.uuid4().hex[:8]
    jobs = JobClient()
    job_id = jobs.submit("echo", {"value": 1, "after": key})
    assert jobs.cancel(job_id) is True
    with pytest.raises(IllegalStateError, match="cancelled"):
        jobs.result(job_id)
    assert jobs.status(job_id)["state"] == "cancelled"
    assert jobs.cancel(job_id) is False
    CountDownLatch(key, 1).count_down()


def test_jobs_a_trainers_error_is_raised_by_result_with_its_code(dso):
    jobs = JobClient()
    data = pa.table({"x0": np.arange(5.0), "x1": np.arange(5.0)})
    job_id = jobs.submit("ml.fit", {"algorithm": "kmeans", "params": {"k": 6}, "data": data, "modelName": "py-never-published"})
    with pytest.raises(BadArgumentError, match="greater than the 5 rows"):
        jobs.result(job_id)
    st = jobs.status(job_id)
    assert st["state"] == "failed" and st["error"]["code"] == "ERR_BAD_ARGUMENT"

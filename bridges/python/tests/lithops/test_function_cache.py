"""
A job's pickled function is reused by later jobs only when a new pickle could not differ (issue 13):
the same function (or the same lambda made again) ships once per worker, and a function whose
captured state changed, or that keeps state of its own in the worker, is pickled and loaded anew.
"""
import cloudpickle
from crucial.lithops import FunctionExecutor
from crucial.lithops.fncache import FunctionCache, fingerprint
from crucial.worker.pool import WorkerPool

SCALE = 2
SEEN = []
runs = 0


def _local_functions():
    # Defined in a function, so cloudpickle ships them by value (with the globals they name), as it
    # does a notebook's or a script's functions; a module's own functions travel by name.
    def scaled(x):
        return x * SCALE

    def counting(x):
        global runs
        runs += 1
        return runs

    return scaled, counting


scaled, counting = _local_functions()


class Spy(WorkerPool):
    """A one-worker pool that records the key and bytes each task ships its function with."""

    def __init__(self):
        super().__init__(1)
        self.shipped = []

    def submit(self, task):
        self.shipped.append((task.fn_key, task.fn_bytes))
        super().submit(task)


def test_the_same_function_and_a_lambda_made_again_keep_their_first_key_and_bytes():
    cache, keys = FunctionCache(), iter(f"k{i}" for i in range(100))
    first = cache.get(scaled, lambda: next(keys))
    assert cache.get(scaled, lambda: next(keys)) == first
    lambdas = [cache.get(lambda x: x + 1, lambda: next(keys)) for _ in range(3)]
    assert len(set(lambdas)) == 1 and lambdas[0][0] != first[0]
    assert cloudpickle.loads(lambdas[0][1])(1) == 2 and cloudpickle.loads(first[1])(3) == 6


def test_an_executor_ships_a_reused_function_once_and_it_still_runs_with_its_own_data():
    pool = Spy()
    try:
        fx = FunctionExecutor(pool=pool)
        assert [fx.call_async(lambda x: x * 3, i).result() for i in range(4)] == [0, 3, 6, 9]
        assert len({k for k, _ in pool.shipped}) == 1, "each call_async made its function a new job key"
    finally:
        pool.shutdown()


def test_a_global_rebound_between_calls_is_seen_by_the_next_call():
    global SCALE
    pool = Spy()
    try:
        fx = FunctionExecutor(pool=pool)
        assert fx.call_async(scaled, 5).result() == 10
        SCALE = 7
        assert fx.call_async(scaled, 5).result() == 35
        assert len({k for k, _ in pool.shipped}) == 2
    finally:
        SCALE = 2
        pool.shutdown()


def test_a_mutable_global_is_pickled_at_every_call_as_lithops_does():
    def reads_list(x):
        return len(SEEN) + x

    assert fingerprint(reads_list) is None
    pool = Spy()
    try:
        fx = FunctionExecutor(pool=pool)
        assert fx.call_async(reads_list, 0).result() == 0
        SEEN.append(1)
        assert fx.call_async(reads_list, 0).result() == 1
    finally:
        SEEN.clear()
        pool.shutdown()


def test_a_function_that_writes_its_globals_gets_a_fresh_copy_per_job():
    assert fingerprint(counting) is None
    pool = Spy()
    try:
        fx = FunctionExecutor(pool=pool)
        # One worker: were the loaded function reused, its globals would carry the count across jobs.
        assert [fx.call_async(counting, 0).result() for _ in range(3)] == [1, 1, 1]
    finally:
        pool.shutdown()


def test_closures_defaults_and_attributes_decide_as_the_pickle_would():
    def make(v):
        return lambda x: x + v

    assert fingerprint(make(1)) != fingerprint(make(2))
    assert fingerprint(make([1])) is None

    def with_default(x, d=(1, 2)):
        return x

    def with_list_default(x, d=[]):  # noqa: B006 - the case under test
        return x

    assert fingerprint(with_default) is not None and fingerprint(with_list_default) is None

    def tagged(x):
        return x

    tagged.tag = "t"
    assert fingerprint(tagged) is None

"""
One program, one DSO node: without ``CRUCIAL_DSO``, the executor's worker processes and the parent
share the node the parent embeds, whether the executor or the first object came first. Each case is
a fresh program, as a user runs it; the counts and the barrier are the oracle (two nodes give
per-node counts and a barrier whose parties never meet).
"""
import json

from .programs import run_program

COUNT = """
    import json, sys
    from crucial import AtomicLong, dso_address
    from crucial.lithops import FunctionExecutor

    if sys.argv[-1] == "object-first":
        AtomicLong("c").get()
    fx = FunctionExecutor(workers=2)
    seen = fx.map(lambda i: (AtomicLong("c").add_and_get(1), __import__("os").environ["CRUCIAL_DSO"]), range(8)).get_result()
    print(json.dumps({"counts": sorted(c for c, _ in seen), "nodes": sorted({a for _, a in seen}),
                      "parent": AtomicLong("c").get(), "address": dso_address()}))
"""

BARRIER = """
    import json, sys
    from crucial import CyclicBarrier
    from crucial.lithops import FunctionExecutor

    def party(i):
        return CyclicBarrier("b", 2).await_(timeout=30)

    if sys.argv[-1] == "object-first":
        CyclicBarrier("b", 2).get_parties()
    fx = FunctionExecutor(workers=2)  # the Lithops order: executor, then the shared objects
    print(json.dumps(sorted(fx.map(party, range(2)).get_result())))
"""


def _run(source, order):
    out = run_program(source.replace("sys.argv[-1]", repr(order)))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _check_counts(order):
    got = _run(COUNT, order)
    assert got["counts"] == list(range(1, 9))
    assert got["parent"] == 8
    assert got["nodes"] == [got["address"]]


def test_an_executor_created_before_any_object_shares_the_parents_node():
    _check_counts("executor-first")


def test_an_object_used_before_the_executor_shares_its_node_with_the_workers():
    _check_counts("object-first")


def test_a_barrier_written_in_the_lithops_order_meets_on_one_node():
    assert _run(BARRIER, "executor-first") == [0, 1]


def test_a_barrier_created_before_the_executor_meets_on_one_node():
    assert _run(BARRIER, "object-first") == [0, 1]

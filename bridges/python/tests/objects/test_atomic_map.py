import numpy as np
import pytest

from crucial import AtomicMap, errors


def test_atomic_map_gets_puts_and_lists_entries(dso, key):
    m = AtomicMap(key, {"a": 1})
    assert m.put("b", 2) is None and m["b"] == 2 and m.get("zz") is None and m.get("zz", 0) == 0
    m.put_all({"c": 3, 4: "four"})
    assert m.entries() == [("a", 1), ("b", 2), ("c", 3), (4, "four")]
    assert m.put_if_absent("a", 9) == 1 and "c" in m and len(m) == 4
    assert m.remove("c") == 3 and m.to_dict() == {"a": 1, "b": 2, 4: "four"}
    with pytest.raises(KeyError):
        m["nope"]


def test_merge_all_sums_numpy_vectors_on_the_node(dso, key):
    m = AtomicMap(key)
    m.merge_all({"c0": np.array([1.0, 2.0]), "n": 1}, "sum")
    m.merge_all({"c0": np.array([0.5, 0.5]), "n": 2}, "sum")
    assert m["c0"].tolist() == [1.5, 2.5] and m["n"] == 3
    assert m.merge("best", 5, "max") == 5 and m.merge("best", 3, "max") == 5
    assert m.merge("s", "a", "concat") == "a" and m.merge("s", "b", "concat") == "ab"


def test_a_merge_with_an_unknown_function_is_a_bad_argument(dso, key):
    with pytest.raises(errors.BadArgumentError, match="merge function must be one of"):
        AtomicMap(key).merge("k", 1, "eval")


def test_atomic_map_conditional_remove_and_replace_and_contains_value(dso, key):
    m = AtomicMap(key, {"a": 1, "b": [1, 2]})
    assert m.remove("a", 5) is False and m.remove("a", 1) is True and "a" not in m
    assert m.remove("a", 1) is False
    assert m.replace("zz", 1) is None and "zz" not in m
    assert m.replace("b", [3]) == [1, 2] and m.replace("b", [1, 2], [9]) is False and m.replace("b", [3], [4]) is True
    assert m.contains_value([4]) and not m.contains_value([3])
    assert m.remove("b") == [4] and m.is_empty()

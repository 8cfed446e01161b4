import pytest

from crucial import AtomicTreeMap, errors


def test_atomic_tree_map_keeps_keys_sorted_and_ranks_by_value(dso, key):
    t = AtomicTreeMap(key, {"b": 2, "a": 5})
    t["c"] = 1
    t.put(1, 9)
    assert t.keys() == [1, "a", "b", "c"] and t.first_key() == 1 and t.last_key() == "c"
    assert t.head_map("b") == [(1, 9), ("a", 5)] and t.tail_map("b") == [("b", 2), ("c", 1)]
    assert t.top(2) == [(1, 9), ("a", 5)]
    assert t.remove("a") == 5 and "a" not in t and len(t) == 3


def test_atomic_tree_map_navigable_methods(dso, key):
    t = AtomicTreeMap(key)
    assert t.is_empty() and t.first_entry() is None and t.poll_first_entry() is None
    t.put_all({"b": 2, 3: 30, 1: 10, "a": 1})
    assert t.entries() == [(1, 10), (3, 30), ("a", 1), ("b", 2)] and t.values() == [10, 30, 1, 2]
    assert t.put_if_absent("a", 9) == 1 and t.put_if_absent("c", 3) is None
    assert t.get_or_default("zz", -1) == -1 and t.contains_value(30) and not t.contains_value(31)
    assert (t.floor_key(2), t.ceiling_key(2), t.lower_key(3), t.higher_key(3)) == (1, 3, 1, "a")
    assert (t.floor_entry(3), t.higher_entry("c"), t.lower_entry(1)) == ((3, 30), None, None)
    assert t.head_map(3, inclusive=True) == [(1, 10), (3, 30)] and t.tail_map("a", inclusive=False) == [("b", 2), ("c", 3)]
    assert t.sub_map(1, "b") == [(1, 10), (3, 30), ("a", 1)] and t.sub_map(1, "b", False, True) == [(3, 30), ("a", 1), ("b", 2)]
    assert t.descending_keys() == ["c", "b", "a", 3, 1] and t.descending_map()[0] == ("c", 3)
    assert t.first_entry() == (1, 10) and t.last_entry() == ("c", 3)
    assert t.poll_first_entry() == (1, 10) and t.poll_last_entry() == ("c", 3) and t.keys() == [3, "a", "b"]


def test_atomic_tree_map_conditional_updates_and_merge(dso, key):
    t = AtomicTreeMap(key, {"a": 1, "b": 2})
    assert t.remove("a", 5) is False and t.remove("a", 1) is True and "a" not in t
    assert t.replace("zz", 1) is None and "zz" not in t
    assert t.replace("b", 3) == 2 and t.replace("b", 2, 9) is False and t.replace("b", 3, 4) is True
    assert t.merge("b", 10, "sum") == 14 and t.merge("c", 7, "max") == 7
    assert t.entries() == [("b", 14), ("c", 7)]


def test_atomic_tree_map_sub_map_with_bounds_reversed_is_a_bad_argument(dso, key):
    t = AtomicTreeMap(key, {1: 1})
    with pytest.raises(errors.BadArgumentError):
        t.sub_map(5, 2)

from crucial import AtomicTreeMap


def test_atomic_tree_map_keeps_keys_sorted_and_ranks_by_value(dso, key):
    t = AtomicTreeMap(key, {"b": 2, "a": 5})
    t["c"] = 1
    t.put(1, 9)
    assert t.keys() == [1, "a", "b", "c"] and t.first_key() == 1 and t.last_key() == "c"
    assert t.head_map("b") == [(1, 9), ("a", 5)] and t.tail_map("b") == [("b", 2), ("c", 1)]
    assert t.top(2) == [(1, 9), ("a", 5)]
    assert t.remove("a") == 5 and "a" not in t and len(t) == 3

from crucial import AtomicList


def test_atomic_list_behaves_like_a_java_list_and_a_python_list(dso, key):
    lst = AtomicList(key, [1, 2])
    lst.append(3)
    lst.extend([4, 5])
    lst.insert(0, 0)
    assert lst.to_list() == [0, 1, 2, 3, 4, 5] and len(lst) == 6
    assert lst[2] == 2 and 3 in lst and lst.index_of(4) == 4 and lst.last_index_of(9) == -1
    assert lst.set(0, "zero") == 0 and lst.remove(0) == "zero" and lst.pop() == 5
    assert lst.remove_value(4) and lst.sub_list(0, 2) == [1, 2] and list(lst) == [1, 2, 3]
    lst.clear()
    assert lst.is_empty()


def test_atomic_list_bulk_operations(dso, key):
    lst = AtomicList(key, [1, 2, 3, 2])
    assert lst.insert_all(1, ["x", "y"]) and lst.to_list() == [1, "x", "y", 2, 3, 2]
    assert not lst.insert_all(0, [])
    assert lst.contains_all([2, "x"]) and not lst.contains_all([2, "z"])
    assert lst.remove_all([2, "y"]) and lst.to_list() == [1, "x", 3]
    assert not lst.remove_all([42])
    assert lst.retain_all([3, 1]) and lst.to_list() == [1, 3]
    assert not lst.retain_all([1, 3])

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

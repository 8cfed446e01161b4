import numpy as np

from crucial import AtomicMatrix


def test_atomic_matrix_adds_rows_on_the_node_and_returns_numpy(dso, key):
    m = AtomicMatrix(key, 2, 3)
    assert m.shape() == (2, 3)
    m.add_to_row(0, np.ones(3))
    m.add_to_row(0, [1.0, 2.0, 3.0])
    m.set_row(1, np.arange(3))
    assert m.add(1, 2, 0.5) == 2.5 and m.get(0, 1) == 3.0
    assert m.get_row(0).tolist() == [2.0, 3.0, 4.0]
    assert m.to_array().tolist() == [[2.0, 3.0, 4.0], [0.0, 1.0, 2.5]]

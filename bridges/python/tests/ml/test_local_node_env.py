"""
A node this process starts (``start_local_dso``) runs ml.fit jobs for itself even when this process's
``CRUCIAL_DSO`` names another node (one it started earlier, or any): the node's own client must use the
node, and a node whose environment named another refused every fit with ERR_ILLEGAL_STATE.
"""
import numpy as np
import pytest
from crucial.client.context import connect, set_default_connection
from crucial.client.local_dso import start_local_dso
from crucial.ml import KMeans

pytestmark = pytest.mark.timeout(300)


def test_a_started_node_fits_although_this_process_names_another(monkeypatch):
    monkeypatch.setenv("CRUCIAL_DSO", "tcp://127.0.0.1:9")  # nothing listens there
    X = np.concatenate([np.random.default_rng(1).normal(c, 0.1, (50, 2)) for c in (0.0, 5.0)])
    with start_local_dso() as node:
        conn = connect(node.address)
        set_default_connection(conn)
        try:
            model = KMeans(2, random_state=1).fit(X)
        finally:
            set_default_connection(None)
            conn.close()
    assert sorted(np.round(model.cluster_centers_[:, 0]).tolist()) == [0.0, 5.0]

"""
The node an installed wheel runs (scripts/bundle-python-node.mjs: crucial-node.mjs, its worker crucial-worker.mjs and
piscina's worker script) runs ml.fit jobs with nothing but the system ``node``: bundled into a temp directory with no
node_modules above it, it fits each estimator, and the models predict what the same fits on the checkout's node do.
"""
import os
import secrets
import subprocess

import numpy as np
import pytest
from crucial.client.context import connect, set_default_connection
from crucial.client.credentials import Credentials, register_credentials
from crucial.ml import KMeans, LogisticRegression, RandomForestClassifier
from sklearn.datasets import make_classification

from ..conftest import REPO

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def bundled_node(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "_node"
    subprocess.run(["node", str(REPO / "scripts" / "bundle-python-node.mjs"), str(out)], cwd=REPO, check=True, timeout=300, capture_output=True)
    assert {p.name for p in out.iterdir()} == {"crucial-node.mjs", "crucial-worker.mjs", "crucial-cli.mjs", "worker-shim.cjs", "piscina"}
    # As crucial.client.context starts it: the token in the node's environment, registered for this process's clients.
    token = secrets.token_hex(32)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CRUCIAL_")}, "CRUCIAL_TOKEN": token}
    proc = subprocess.Popen(["node", str(out / "crucial-node.mjs"), "127.0.0.1", "0"], cwd=out.parent, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("DSO "), line
    address = line[4:].strip()
    register_credentials(address, Credentials(token=token))
    yield address
    proc.stdin.close()
    proc.wait(30)


@pytest.mark.parametrize("make", [
    lambda: KMeans(3, random_state=3),
    lambda: LogisticRegression(),
    lambda: RandomForestClassifier(10, random_state=3, oob_score=True),
], ids=["kmeans", "logistic_regression", "random_forest"])
def test_bundled_node_fits_like_the_checkout_node(dso, bundled_node, make):
    X, y = make_classification(300, n_features=4, n_informative=3, n_redundant=0, n_classes=3, random_state=3)
    reference = make().fit(X, y)  # on the session's node (the checkout's TypeScript under tsx)
    conn = connect(bundled_node)
    set_default_connection(conn)
    try:
        bundled = make().fit(X, y)
    finally:
        set_default_connection(None)
        conn.close()
    assert np.array_equal(bundled.predict(X), reference.predict(X))

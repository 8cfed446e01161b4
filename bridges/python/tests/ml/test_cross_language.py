"""
A model fitted from Python is loaded in TypeScript (ModelStore + predict) and served by ``crucial ml serve`` with
the same labels; a model fitted in TypeScript is loaded from Python (crucial.ml.load_model) and predicts the same
labels with numpy. Both sides talk to the session's node only; the TS side runs as a tsx subprocess.
"""
import json
import os
import re
import subprocess
import urllib.request

import numpy as np
import pytest
from crucial.ml import KMeans, LogisticRegression, RandomForestClassifier, load_model
from crucial.ml.predict import predict_labels
from sklearn.datasets import make_blobs, make_classification

from ..conftest import REPO

SEED = int(os.environ.get("CRUCIAL_TEST_SEED", "0"))
TSX = REPO / "node_modules" / ".bin" / "tsx"
INTEROP = REPO / "bridges" / "python" / "tests" / "fixtures" / "ml-interop.ts"


def ts(args, payload):
    out = subprocess.run([str(TSX), str(INTEROP), *args], cwd=REPO, input=json.dumps(payload), capture_output=True, text=True, timeout=180,
                         env=dict(os.environ))
    assert out.returncode == 0, f"ml-interop.ts {args} failed:\n{out.stderr[-3000:]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def data(kind):
    if kind == "kmeans":
        X, y = make_blobs(200, n_features=3, centers=4, random_state=SEED)
    else:
        X, y = make_classification(300, n_features=5, n_informative=3, n_classes=3, random_state=SEED)
    return X, y


ESTIMATORS = {
    "kmeans": lambda name: KMeans(4, random_state=SEED, model_name=name),
    "logistic_regression": lambda name: LogisticRegression(model_name=name),
    "random_forest": lambda name: RandomForestClassifier(15, random_state=SEED, model_name=name),
}


@pytest.mark.parametrize("algorithm", sorted(ESTIMATORS))
def test_cross_language_python_fit_is_loaded_in_typescript_with_the_same_labels(dso, algorithm):
    X, y = data(algorithm)
    name = f"py2ts-{algorithm}-{os.getpid()}"
    est = ESTIMATORS[algorithm](name).fit(X, y)
    got = ts(["predict", name], {"X": X.reshape(-1).tolist(), "nRows": len(X)})
    assert got["version"] == est.model_version_
    expected = est.predict(X)
    # TS labels are class values (the model's meta.classes), k-means labels the centre index: both as float64.
    assert np.array_equal(np.asarray(got["labels"]), expected.astype(np.float64)), f"seed {SEED}"


@pytest.mark.parametrize("algorithm", sorted(ESTIMATORS))
def test_cross_language_typescript_fit_is_loaded_from_python_with_the_same_labels(dso, algorithm):
    X, y = data(algorithm)
    name = f"ts2py-{algorithm}-{os.getpid()}"
    params = {"kmeans": {"k": 4, "seed": SEED}, "logistic_regression": {}, "random_forest": {"nEstimators": 15, "seed": SEED}}[algorithm]
    got = ts(["fit", algorithm, name], {"X": X.reshape(-1).tolist(), "y": y.astype(float).tolist(), "nRows": len(X), "nCols": X.shape[1], "params": params})
    model = load_model(name)
    assert model.version == got["version"] and model.algorithm == algorithm
    assert np.array_equal(predict_labels(model, X), np.asarray(got["labels"])), f"seed {SEED}"


def test_cross_language_python_fit_is_served_by_crucial_ml_serve(dso):
    X, y = data("random_forest")
    name = f"py-served-{os.getpid()}"
    est = RandomForestClassifier(15, random_state=SEED, model_name=name).fit(X, y)
    proc = subprocess.Popen([str(TSX), str(REPO / "core" / "cli" / "main.ts"), "ml", "serve", "--port", "0", "--model", name, "--poll-ms", "0"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        line = proc.stdout.readline()
        m = re.search(r"ready at (http://\S+)", line)
        assert m, f"crucial ml serve did not start: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
        body = {"inputs": [{"name": "input-0", "shape": list(X.shape), "datatype": "FP64", "data": X.reshape(-1).tolist()}]}
        req = urllib.request.Request(f"{m.group(1)}/v2/models/{name}/infer", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            reply = json.loads(r.read())
        out = {o["name"]: o for o in reply["outputs"]}["predict"]
        assert np.array_equal(np.asarray(out["data"], dtype=np.float64), est.predict(X).astype(np.float64))
    finally:
        proc.terminate()
        proc.wait(30)

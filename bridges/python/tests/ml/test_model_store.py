"""crucial.ml's model store (ml/model/FORMAT.md) from Python: publish, versions, load, errors; read back by TypeScript."""
import os

import numpy as np
import pytest
from crucial.errors import BadArgumentError, ModelNotFoundError
from crucial.ml import Model, ModelStore, load_model, publish_model
from crucial.ml.predict import predict_labels

from .test_cross_language import ts


def forest_model():
    """A hand-built forest of two stumps on feature 1 (threshold 0.5), classes 3 and 7."""
    return Model(
        algorithm="random_forest", params={"nEstimators": 2}, meta={"nFeatures": 2, "classes": [3, 7]},
        arrays={
            "feature": np.array([1, -1, -1, 1, -1, -1], dtype=np.int32),
            "threshold": np.array([0.5, 0, 0, 0.5, 0, 0], dtype=np.float64),
            "left": np.array([1, -1, -1, 1, -1, -1], dtype=np.int32),
            "right": np.array([2, -1, -1, 2, -1, -1], dtype=np.int32),
            "value": np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]] * 2, dtype=np.float64),
            "treeOffsets": np.array([0, 3, 6], dtype=np.int32),
        })


def test_model_store_publish_versions_load_round_trip(dso):
    name = f"py-store-{os.getpid()}"
    store = ModelStore()
    v1 = publish_model(name, forest_model())
    m = forest_model()
    m.params["nEstimators"] = 3
    v2 = store.publish(name, m)
    assert (v1, v2) == (v1, v1 + 1) and m.version == v2 and m.name == name
    assert store.versions(name) == [v1, v2] and store.latest_version(name) == v2
    assert name in store.list()
    old, new = load_model(name, v1), load_model(name)
    assert (old.version, old.params, new.version, new.params) == (v1, {"nEstimators": 2}, v2, {"nEstimators": 3})
    assert new.arrays["feature"].dtype == np.int32 and new.arrays["value"].shape == (6, 2)
    for k, a in forest_model().arrays.items():
        assert np.array_equal(new.arrays[k], a) and new.arrays[k].dtype == a.dtype
    X = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 0.49], [5.0, 0.51]])
    assert predict_labels(new, X).tolist() == [3, 7, 3, 7]


def test_model_store_a_python_published_model_is_read_by_typescript(dso):
    name = f"py-hand-{os.getpid()}"
    publish_model(name, forest_model())
    X = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 0.49], [5.0, 0.51]])
    assert ts(["predict", name], {"X": X.reshape(-1).tolist(), "nRows": 4})["labels"] == [3, 7, 3, 7]


def test_model_store_errors(dso):
    with pytest.raises(ModelNotFoundError, match='no model "never-published-x" is published'):
        load_model("never-published-x")
    name = f"py-err-{os.getpid()}"
    publish_model(name, forest_model())
    with pytest.raises(ModelNotFoundError, match="has no version 99"):
        load_model(name, 99)
    with pytest.raises(BadArgumentError, match="a model name must be"):
        load_model("../etc")
    with pytest.raises(BadArgumentError, match="version must be a positive integer"):
        load_model(name, 0)
    bad = forest_model()
    bad.meta["inertia"] = float("nan")
    with pytest.raises(BadArgumentError, match="plain JSON"):
        publish_model(name, bad)
    bad = forest_model()
    bad.arrays["threshold"] = bad.arrays["threshold"].astype(np.float32)
    with pytest.raises(BadArgumentError, match="float64 or int32"):
        publish_model(name, bad)
    with pytest.raises(BadArgumentError, match="nFeatures"):
        publish_model(name, Model(algorithm="kmeans", params={}, meta={}))

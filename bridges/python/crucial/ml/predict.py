"""
Prediction from a ``crucial-model/1`` model's arrays alone, with numpy: the same arithmetic as the TypeScript
predict functions (``ml/<alg>/predict.ts``), so both languages give the same labels for the same model.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from ..errors import BadArgumentError
from .model import Model

__all__ = ["kmeans_distances", "logreg_decision", "logreg_proba", "forest_proba", "predict_labels"]


def _check_x(model: Model, X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    d = int(model.meta["nFeatures"])
    if X.ndim != 2 or X.shape[1] != d:
        raise BadArgumentError(f"X must be 2-D with {d} features, got shape {X.shape}")
    return X


def kmeans_distances(model: Model, X: np.ndarray) -> np.ndarray:
    """:return: the Euclidean distance of each row to each centroid, ``(n, k)``."""
    X = _check_x(model, X)
    c = model.arrays["centroids"]
    sq = (X * X).sum(1)[:, None] - 2.0 * X @ c.T + (c * c).sum(1)[None, :]
    return np.sqrt(np.maximum(sq, 0.0))


def logreg_decision(model: Model, X: np.ndarray) -> np.ndarray:
    """:return: ``X @ coef.T + intercept``: ``(n,)`` for a binary model (positive class ``classes[1]``), ``(n, K)`` otherwise."""
    X = _check_x(model, X)
    z = X @ model.arrays["coef"].T + model.arrays["intercept"]
    return z[:, 0] if z.shape[1] == 1 else z


def logreg_proba(model: Model, X: np.ndarray) -> np.ndarray:
    """:return: class probabilities ``(n, K)`` in ``meta.classes`` order (sigmoid for binary, softmax otherwise)."""
    z = logreg_decision(model, X)
    if z.ndim == 1:
        p1 = 1.0 / (1.0 + np.exp(-z))
        return np.stack([1.0 - p1, p1], axis=1)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _forest(model: Model) -> Tuple[np.ndarray, ...]:
    a = model.arrays
    return (a["feature"].astype(np.int64), a["threshold"], a["left"].astype(np.int64), a["right"].astype(np.int64),
            a["value"], a["treeOffsets"].astype(np.int64))


def forest_proba(model: Model, X: np.ndarray) -> np.ndarray:
    """:return: the mean over trees of the leaves' class probabilities ``(n, K)`` (go left when ``x[f] <= threshold``)."""
    X = _check_x(model, X)
    feature, threshold, left, right, value, offsets = _forest(model)
    n = X.shape[0]
    rows = np.arange(n)
    proba = np.zeros((n, value.shape[1]))
    n_trees = len(offsets) - 1
    for t in range(n_trees):
        off = offsets[t]
        node = np.full(n, off)
        while True:
            f = feature[node]
            inner = f >= 0
            if not inner.any():
                break
            go_left = np.zeros(n, dtype=bool)
            go_left[inner] = X[rows[inner], f[inner]] <= threshold[node[inner]]
            nxt = np.where(go_left, left[node], right[node]) + off
            node = np.where(inner, nxt, node)
        proba += value[node]
    return proba / max(n_trees, 1)


def predict_labels(model: Model, X: np.ndarray) -> np.ndarray:
    """:return: the model's labels: class values (``meta.classes``) for classifiers, the nearest centroid's index for k-means."""
    if model.algorithm == "kmeans":
        return kmeans_distances(model, X).argmin(axis=1).astype(np.float64)
    proba = logreg_proba(model, X) if model.algorithm == "logistic_regression" else forest_proba(model, X)
    classes = np.asarray(model.meta["classes"], dtype=np.float64)
    return classes[proba.argmax(axis=1)]

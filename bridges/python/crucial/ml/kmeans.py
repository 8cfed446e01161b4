"""``crucial.ml.KMeans``: scikit-learn's KMeans interface, trained by crucial's k-means (``ml/kmeans``) on the node's workers."""
from __future__ import annotations

from numbers import Integral, Real
from typing import Any, Optional

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import CrucialMLEstimator, seed_of
from .predict import kmeans_distances

__all__ = ["KMeans"]


class KMeans(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, CrucialMLEstimator):
    """
    k-means clustering (Lloyd, k-means++ initialisation) trained as cloud threads by the DSO node's executor
    service; the fitted model is published in the DSO (``model_name``) and predictions are computed locally.

    :param n_clusters: number of clusters
    :param n_init: k-means++ initialisations; the lowest inertia wins (``"auto"`` = 1, as scikit-learn for k-means++)
    :param max_iter: Lloyd iterations per initialisation
    :param tol: relative tolerance on the centres' shift (scikit-learn's definition)
    :param random_state: seed (int, RandomState or None)
    :param n_workers: cloud threads (data partitions); default: the service's (2)
    :param model_name: publish the model under this name; default: a fresh name per fit
    :param verbose: show the fit's progress (iterations with inertia or loss, trees grown) on a progress bar

    Fitted attributes: ``cluster_centers_``, ``labels_``, ``inertia_``, ``n_iter_``, ``n_features_in_``,
    ``model_name_``, ``model_version_``.

    Not supported (scikit-learn's ``check_estimator`` exceptions, see the package README): ``sample_weight``
    (fit has none, so the sample-weight checks do not apply), ``init`` other than k-means++, ``algorithm``,
    sparse input (refused with scikit-learn's TypeError).
    """

    _algorithm = "kmeans"
    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "n_init": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "n_workers": [Interval(Integral, 1, None, closed="left"), None],
        "model_name": [str, None],
    }

    def __init__(self, n_clusters: int = 8, *, n_init: Any = "auto", max_iter: int = 300, tol: float = 1e-4,
                 random_state: Any = None, n_workers: Optional[int] = None, model_name: Optional[str] = None, verbose: int = 0) -> None:
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.n_workers = n_workers
        self.model_name = model_name
        self.verbose = verbose

    def fit(self, X: Any, y: Any = None) -> "KMeans":
        """
        :param X: training data ``(n_samples, n_features)``
        :param y: ignored
        :return: self
        :raises ValueError: on bad parameters or data (``n_samples`` < ``n_clusters``, NaN, ...)
        """
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64)
        if X.shape[0] < self.n_clusters:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}.")
        params = {"k": int(self.n_clusters), "nInit": 1 if self.n_init == "auto" else int(self.n_init),
                  "maxIter": int(self.max_iter), "tol": float(self.tol), "seed": seed_of(self.random_state)}
        model = self._fit_model(X, None, params)
        self._model = model
        self.model_name_, self.model_version_ = model.name, model.version
        self.cluster_centers_ = model.arrays["centroids"].copy()
        self.n_iter_ = int(model.meta.get("nIter", 1))
        self._n_features_out = self.cluster_centers_.shape[0]
        d = kmeans_distances(model, X)
        self.labels_ = d.argmin(axis=1).astype(np.int32)
        self.inertia_ = float((d.min(axis=1) ** 2).sum())
        return self

    def predict(self, X: Any) -> np.ndarray:
        """:return: the index of the nearest centre of each row."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return kmeans_distances(self._model, X).argmin(axis=1).astype(np.int32)

    def transform(self, X: Any) -> np.ndarray:
        """:return: the distance of each row to each centre, ``(n_samples, n_clusters)``."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return kmeans_distances(self._model, X)

    def score(self, X: Any, y: Any = None) -> float:
        """:return: minus the inertia of ``X`` on the fitted centres (higher is better)."""
        return -float((self.transform(X).min(axis=1) ** 2).sum())

"""``crucial.ml.RandomForestClassifier``: scikit-learn's interface, trained by crucial's random forest (``ml/forest``)."""
from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any, Optional

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import seed_of
from ._classifier import CrucialClassifier
from .predict import forest_proba

__all__ = ["RandomForestClassifier"]


class RandomForestClassifier(ClassifierMixin, CrucialClassifier):
    """
    A random forest of CART trees (gini or entropy) grown as parallel cloud-thread tasks, the out-of-bag votes
    merged on the DSO node; the forest is published in the DSO and predictions are computed locally with numpy.

    :param n_estimators: number of trees
    :param criterion: ``"gini"`` or ``"entropy"``
    :param max_depth: deepest level (None: grow until pure)
    :param min_samples_split: fewest samples to split a node (int, or a fraction of the samples)
    :param min_samples_leaf: fewest samples in a leaf (int, or a fraction of the samples)
    :param max_features: features tried per split: ``"sqrt"``, ``"log2"``, None (all), an int, or a fraction
    :param bootstrap: draw each tree's rows with replacement
    :param oob_score: compute the out-of-bag accuracy (``oob_score_``; needs ``bootstrap``)
    :param class_weight: ``"balanced"``, a dict class → weight, or None
    :param random_state: seed (int, RandomState or None)
    :param n_workers: cloud threads (partitions of the trees); default: the service's (2)
    :param model_name: publish the model under this name; default: a fresh name per fit
    :param verbose: show the fit's progress (iterations with inertia or loss, trees grown) on a progress bar

    Fitted attributes: ``classes_``, ``n_classes_``, ``oob_score_`` (with ``oob_score``), ``n_features_in_``,
    ``model_name_``, ``model_version_``.

    Not supported (``check_estimator`` exceptions, see the package README): ``sample_weight``,
    ``class_weight="balanced_subsample"``, ``min_weight_fraction_leaf``, ``max_leaf_nodes``,
    ``min_impurity_decrease``, ``max_samples``, ``warm_start``, ``feature_importances_``, sparse input.
    """

    _algorithm = "random_forest"
    _parameter_constraints: dict = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "criterion": [StrOptions({"gini", "entropy"})],
        "max_depth": [Interval(Integral, 1, None, closed="left"), None],
        "min_samples_split": [Interval(Integral, 2, None, closed="left"), Interval(Real, 0.0, 1.0, closed="right")],
        "min_samples_leaf": [Interval(Integral, 1, None, closed="left"), Interval(Real, 0.0, 1.0, closed="neither")],
        "max_features": [Interval(Integral, 1, None, closed="left"), Interval(Real, 0.0, 1.0, closed="right"), StrOptions({"sqrt", "log2"}), None],
        "bootstrap": ["boolean"],
        "oob_score": ["boolean"],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "n_workers": [Interval(Integral, 1, None, closed="left"), None],
        "model_name": [str, None],
    }

    def __init__(self, n_estimators: int = 100, *, criterion: str = "gini", max_depth: Optional[int] = None,
                 min_samples_split: Any = 2, min_samples_leaf: Any = 1, max_features: Any = "sqrt", bootstrap: bool = True,
                 oob_score: bool = False, class_weight: Any = None, random_state: Any = None,
                 n_workers: Optional[int] = None, model_name: Optional[str] = None, verbose: int = 0) -> None:
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_workers = n_workers
        self.model_name = model_name
        self.verbose = verbose

    def fit(self, X: Any, y: Any) -> "RandomForestClassifier":
        """
        :param X: training data ``(n_samples, n_features)``
        :param y: class labels ``(n_samples,)``
        :return: self
        :raises ValueError: on bad parameters or data (one class only, continuous targets, ``oob_score`` without
            ``bootstrap``, NaN, ...)
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        if self.oob_score and not self.bootstrap:
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        y_wire = self._encode_labels(y)
        n = X.shape[0]
        split = self.min_samples_split
        split = max(2, math.ceil(split * n)) if isinstance(split, float) else int(split)
        leaf = self.min_samples_leaf
        leaf = max(1, math.ceil(leaf * n)) if isinstance(leaf, float) else int(leaf)
        mf = self.max_features
        if isinstance(mf, float):
            mf = None if mf >= 1.0 else max(1, int(mf * X.shape[1]))
        elif isinstance(mf, (int, np.integer)):
            mf = int(mf)
        params = {
            "nEstimators": int(self.n_estimators), "criterion": self.criterion,
            "maxDepth": None if self.max_depth is None else int(self.max_depth),
            "minSamplesSplit": split, "minSamplesLeaf": leaf, "maxFeatures": mf, "bootstrap": bool(self.bootstrap),
            "oobScore": bool(self.oob_score), "classWeight": self._class_weight_wire(self.class_weight), "seed": seed_of(self.random_state),
        }
        model = self._fit_model(X, y_wire, params)
        self._model, self._order = self._check_model(model)
        self.model_name_, self.model_version_ = model.name, model.version
        self.n_classes_ = len(self.classes_)
        if self.oob_score:
            self.oob_score_ = float(model.meta["oobScore"])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """:return: the mean over trees of the leaves' class probabilities, columns in ``classes_`` order."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self._proba_in_class_order(forest_proba(self._model, X))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """:return: the log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """:return: the class of highest mean probability of each row."""
        check_is_fitted(self)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

"""``crucial.ml.LogisticRegression``: scikit-learn's interface, trained by crucial's L2 logistic regression (``ml/logreg``)."""
from __future__ import annotations

from numbers import Integral, Real
from typing import Any, Optional

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from ._classifier import CrucialClassifier

__all__ = ["LogisticRegression"]


class LogisticRegression(ClassifierMixin, CrucialClassifier):
    """
    L2-regularised logistic regression (binary, or multinomial for 3+ classes), the gradient summed on the DSO
    node each iteration by cloud threads over partitions of the data; the model is published in the DSO and
    predictions are computed locally with numpy.

    :param C: inverse regularisation strength (scikit-learn's)
    :param max_iter: most optimiser iterations
    :param tol: tolerance of the stopping criterion
    :param fit_intercept: fit an intercept per class
    :param n_workers: cloud threads (data partitions); default: the service's (2)
    :param model_name: publish the model under this name; default: a fresh name per fit
    :param verbose: show the fit's progress (iterations with inertia or loss, trees grown) on a progress bar

    Fitted attributes: ``classes_``, ``coef_`` ``(1, n_features)`` for two classes else ``(n_classes, n_features)``,
    ``intercept_``, ``n_iter_``, ``n_features_in_``, ``model_name_``, ``model_version_``.

    Not supported (``check_estimator`` exceptions, see the package README): ``sample_weight``, ``penalty`` other
    than L2, ``class_weight``, ``solver``, ``warm_start``, sparse input (refused with scikit-learn's TypeError).
    """

    _algorithm = "logistic_regression"
    _parameter_constraints: dict = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "verbose": ["verbose"],
        "n_workers": [Interval(Integral, 1, None, closed="left"), None],
        "model_name": [str, None],
    }

    def __init__(self, C: float = 1.0, *, max_iter: int = 100, tol: float = 1e-4, fit_intercept: bool = True,
                 n_workers: Optional[int] = None, model_name: Optional[str] = None, verbose: int = 0) -> None:
        self.C = C
        self.max_iter = max_iter
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.n_workers = n_workers
        self.model_name = model_name
        self.verbose = verbose

    def fit(self, X: Any, y: Any) -> "LogisticRegression":
        """
        :param X: training data ``(n_samples, n_features)``
        :param y: class labels ``(n_samples,)``
        :return: self
        :raises ValueError: on bad parameters or data (one class only, continuous targets, NaN, ...)
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        y_wire = self._encode_labels(y)
        params = {"C": float(self.C), "maxIter": int(self.max_iter), "tol": float(self.tol), "fitIntercept": bool(self.fit_intercept)}
        model = self._fit_model(X, y_wire, params)
        self._model, self._order = self._check_model(model)
        self.model_name_, self.model_version_ = model.name, model.version
        coef, intercept = model.arrays["coef"], model.arrays["intercept"]
        if coef.shape[0] > 1:  # multinomial: rows in the model's class order
            self.coef_ = np.zeros_like(coef)
            self.coef_[self._order] = coef
            self.intercept_ = np.zeros_like(intercept)
            self.intercept_[self._order] = intercept
        else:
            self.coef_, self.intercept_ = coef.copy(), intercept.copy()
        self.n_iter_ = np.array([max(1, int(model.meta.get("nIter", 1)))], dtype=np.int32)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """:return: ``X @ coef_.T + intercept_``: ``(n_samples,)`` for two classes (positive class ``classes_[1]``)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        z = X @ self.coef_.T + self.intercept_
        return z[:, 0] if z.shape[1] == 1 else z

    def predict_proba(self, X: Any) -> np.ndarray:
        """:return: class probabilities ``(n_samples, n_classes)``, columns in ``classes_`` order."""
        z = self.decision_function(X)
        if z.ndim == 1:
            p1 = 1.0 / (1.0 + np.exp(-z))
            return np.stack([1.0 - p1, p1], axis=1)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """:return: the log of :meth:`predict_proba`."""
        return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """:return: the most probable class of each row."""
        check_is_fitted(self)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


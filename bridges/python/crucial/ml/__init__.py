"""
``crucial.ml``: scikit-learn estimators whose ``fit`` runs crucial's TypeScript trainers on the DSO node's workers
(the executor service's ``ml.fit`` job), and the models they publish in the DSO (``ml/model/FORMAT.md``), readable
and publishable from Python: a model fitted here is loaded and served from TypeScript, and the reverse.

The estimators need scikit-learn (``pip install 'crucial[ml]'``); it is imported only when one of them is first used,
so ``import crucial`` and the model store stay light.
"""
from __future__ import annotations

from typing import Any

from .model import MODEL_FORMAT, Model, ModelStore, load_model, publish_model

__all__ = ["KMeans", "LogisticRegression", "RandomForestClassifier", "MODEL_FORMAT", "Model", "ModelStore", "load_model", "publish_model"]

_ESTIMATORS = {"KMeans": ".kmeans", "LogisticRegression": ".logistic", "RandomForestClassifier": ".forest"}


def __getattr__(name: str) -> Any:
    module = _ESTIMATORS.get(name)
    if module is None:
        raise AttributeError(f"module 'crucial.ml' has no attribute {name!r}")
    import importlib

    try:
        value = getattr(importlib.import_module(module, __name__), name)
    except ImportError as err:
        raise ImportError(f"crucial.ml.{name} needs scikit-learn: pip install 'crucial[ml]' ({err})") from err
    globals()[name] = value
    return value

"""Label handling the two classifiers share: any labels scikit-learn accepts, mapped to the numbers the trainers see."""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import numpy as np
from sklearn.utils.multiclass import check_classification_targets

from ._base import CrucialMLEstimator
from .model import Model


class CrucialClassifier(CrucialMLEstimator):
    """
    Labels travel as float64: numeric labels as they are (so the published model's ``meta.classes`` are the real
    class values, and a model served from TypeScript answers them), any other labels (strings) as their index in
    the sorted ``classes_``.
    """

    def _encode_labels(self, y: np.ndarray) -> np.ndarray:
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"{type(self).__name__} needs samples of at least 2 classes in the data, "
                             f"but the data contains only one class: {self.classes_[0]!r}")
        numeric = self.classes_.dtype.kind in "iufb"
        self._wire_classes = self.classes_.astype(np.float64) if numeric else np.arange(len(self.classes_), dtype=np.float64)
        return np.asarray(y, dtype=np.float64) if numeric else codes.astype(np.float64)

    def _wire_label(self, label: Any) -> str:
        """A class label as the trainer's class-weight keys name it: the float64 value as JavaScript prints it."""
        i = int(np.searchsorted(self.classes_, label))
        if i >= len(self.classes_) or self.classes_[i] != label:
            raise ValueError(f"class_weight names {label!r}, which is not a class of y ({list(self.classes_)})")
        v = float(self._wire_classes[i])
        return str(int(v)) if v.is_integer() else repr(v)

    def _class_order(self, model: Model) -> np.ndarray:
        """Column ``j`` of the model's probabilities is ``classes_[order[j]]``."""
        model_classes = np.asarray(model.meta["classes"], dtype=np.float64)
        order = np.searchsorted(self._wire_classes, model_classes)
        if len(model_classes) != len(self.classes_) or not np.array_equal(self._wire_classes[order], model_classes):
            raise ValueError(f"the fitted model's classes {model_classes.tolist()} are not the data's {self._wire_classes.tolist()}")
        return order

    def _check_model(self, model: Model) -> Tuple[Model, np.ndarray]:
        return model, self._class_order(model)

    def _proba_in_class_order(self, proba: np.ndarray) -> np.ndarray:
        out = np.zeros_like(proba)
        out[:, self._order] = proba
        return out

    def _class_weight_wire(self, class_weight: Any) -> Optional[Any]:
        if class_weight is None or class_weight == "balanced":
            return class_weight
        out: Dict[str, float] = {}
        for label, w in dict(class_weight).items():
            out[self._wire_label(label)] = float(w)
        return out

"""
What the three estimators share: the data shipped as Arrow to the node's executor service (``ml.fit``), the
fitted model loaded back from the DSO, and scikit-learn's conventions (validation, tags, random_state).
"""
from __future__ import annotations

import logging
import uuid
from typing import Any, Dict, Optional

import numpy as np
import pyarrow as pa
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from ..errors import TimeoutError as CrucialTimeoutError
from ..jobs import JobClient
from .model import Model, load_model

logger = logging.getLogger(__name__)


def to_table(X: np.ndarray, y: Optional[np.ndarray]) -> pa.Table:
    """
    The training data as one Arrow table: float64 feature columns ``x0..x{d-1}`` and, for classifiers, the label
    column ``y`` (float64). Columns are handed to Arrow without a copy where numpy's layout allows.
    """
    cols = {f"x{j}": pa.array(np.ascontiguousarray(X[:, j], dtype=np.float64)) for j in range(X.shape[1])}
    if y is not None:
        cols["y"] = pa.array(np.ascontiguousarray(y, dtype=np.float64))
    return pa.table(cols)


def seed_of(random_state: Any) -> int:
    """An int seed for the TypeScript trainers: the int itself, or a draw from a RandomState / a fresh one for None."""
    # A bool too: scikit-learn's check_random_state(True) is RandomState(1), so True must give seed 1's model.
    if isinstance(random_state, (int, np.integer)):
        # numpy's RandomState (scikit-learn's) takes exactly this range; folding other ints in would
        # silently give two random_state values the same model.
        if not 0 <= int(random_state) <= 2**32 - 1:
            raise ValueError(f"random_state must be between 0 and 2**32 - 1, got {int(random_state)}")
        return int(random_state)
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


class CrucialMLEstimator(BaseEstimator):
    """Base of crucial's estimators: ``fit`` runs the TypeScript trainer as a job on the DSO node."""

    _algorithm = ""

    def _fit_model(self, X: np.ndarray, y: Optional[np.ndarray], params: Dict[str, Any]) -> Model:
        """Ships the data, runs ``ml.fit`` on the node's workers, and loads the published model from the DSO."""
        name = self.model_name or f"sklearn.{self._algorithm}.{uuid.uuid4().hex[:16]}"
        args: Dict[str, Any] = {"algorithm": self._algorithm, "params": params, "data": to_table(X, y), "modelName": name}
        if self.n_workers is not None:
            args["workers"] = int(self.n_workers)
        jobs = JobClient()
        job_id = jobs.submit("ml.fit", args)
        try:
            result = _wait_showing_progress(jobs, job_id, name) if self.verbose else jobs.result(job_id)
        except KeyboardInterrupt:
            # The job would run on without anyone to read it: an interrupted fit cancels it (nothing is published).
            jobs.cancel(job_id)
            raise
        logger.info("job %s fitted %s v%s", job_id, result["modelName"], result["version"])
        return load_model(result["modelName"], int(result["version"]))


def _wait_showing_progress(jobs: JobClient, job_id: str, name: str) -> Any:
    """The job's result, with a progress bar (tqdm, on stderr) fed by the progress the trainer reports to the job."""
    from tqdm import tqdm

    bar = tqdm(desc=f"crucial.ml {name}", unit="step", leave=True)
    try:
        while True:
            try:
                result = jobs.result(job_id, timeout=0.25)
            except CrucialTimeoutError:
                result = None
            progress = jobs.status(job_id).get("progress")
            if progress:
                bar.total = progress.get("total") or bar.total
                bar.n = int(progress["step"])
                metric = progress.get("metric")
                bar.set_postfix_str(progress["label"] + ("" if metric is None else f" {metric:.6g}"), refresh=False)
                bar.refresh()
            if result is not None:
                return result
    finally:
        bar.close()

"""
Models in the DSO, read and published the way ``ml/model/FORMAT.md`` lays them out (``crucial-model/1``), so a
model fitted from Python is loaded and served by TypeScript (``ModelStore``, ``crucial ml serve``) and the reverse.

Arrays travel as Arrow (AtomicMatrix ``toArray`` / ``$touch`` with the data as constructor argument), never as
pickles; the rest of a model is JSON text.
"""
from __future__ import annotations

import json
import math
import re
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

import numpy as np

from ..client.connection import Connection
from ..client.context import default_connection
from ..errors import BadArgumentError, IllegalStateError, ModelNotFoundError

__all__ = ["MODEL_FORMAT", "ALGORITHMS", "Model", "ModelStore", "load_model", "publish_model"]

#: The format every model carries; readers refuse any other.
MODEL_FORMAT = "crucial-model/1"
#: Algorithms a model may be of.
ALGORITHMS = ("kmeans", "logistic_regression", "random_forest")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_INDEX_KEY = "ml/models"
_TOUCH = "$touch"


def _versions_key(name: str) -> str:
    return f"ml/model/{name}/versions"


def _counter_key(name: str) -> str:
    return f"ml/model/{name}/next"


def _array_key(name: str, version: int, array: str) -> str:
    return f"ml/model/{name}/v{version}/{array}"


def check_name(name: Any) -> str:
    """
    :param name: a model name
    :return: it, if it is 1-128 letters, digits, ``.``, ``_`` or ``-`` starting with a letter or digit
    :raises BadArgumentError: otherwise
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise BadArgumentError(f"a model name must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit; got {name!r}")
    return name


@dataclass
class Model:
    """
    A ``crucial-model/1`` model: named numeric arrays (float64 or int32 numpy arrays of any shape) plus JSON.

    :param algorithm: ``kmeans``, ``logistic_regression`` or ``random_forest``
    :param params: hyper-parameters as given to fit (JSON)
    :param meta: ``nFeatures`` (required), ``classes`` (classifiers), ``inertia``, ``lossHistory``, ``oobScore``... (JSON)
    :param arrays: name → array (``centroids``; ``coef``, ``intercept``; ``feature``, ``threshold``, ``left``, ``right``,
        ``value``, ``treeOffsets``)
    :param name: set by the store on publish and load
    :param version: set by the store on publish and load
    """

    algorithm: str
    params: Dict[str, Any]
    meta: Dict[str, Any]
    arrays: Dict[str, np.ndarray] = field(default_factory=dict)
    name: Optional[str] = None
    version: Optional[int] = None
    format: str = MODEL_FORMAT

    def validate(self) -> "Model":
        """
        :return: this model, if it follows the format
        :raises BadArgumentError: naming what does not
        """
        if self.format != MODEL_FORMAT:
            raise BadArgumentError(f"model format must be {MODEL_FORMAT!r}, got {self.format!r}")
        if self.algorithm not in ALGORITHMS:
            raise BadArgumentError(f"model algorithm must be one of {', '.join(ALGORITHMS)}, got {self.algorithm!r}")
        for what, value in (("params", self.params), ("meta", self.meta)):
            if not isinstance(value, dict):
                raise BadArgumentError(f"model {what} must be a dict, got {type(value).__name__}")
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError) as err:
                raise BadArgumentError(f"model {what} must be plain JSON (no NaN or Infinity): {err}") from err
        n = self.meta.get("nFeatures")
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise BadArgumentError(f"model meta.nFeatures must be an integer >= 1, got {n!r}")
        for arr, a in self.arrays.items():
            if not isinstance(arr, str) or not arr or "/" in arr:
                raise BadArgumentError(f"model array names are non-empty and contain no '/', got {arr!r}")
            if not isinstance(a, np.ndarray) or a.dtype not in (np.float64, np.int32):
                raise BadArgumentError(f"model array {arr} must be a float64 or int32 numpy array, got {getattr(a, 'dtype', type(a).__name__)}")
        return self


def _matrix_shape(shape: List[int]) -> Optional[List[int]]:
    n = math.prod(shape)
    if n == 0:
        return None
    rows = shape[0] if shape else 1
    return [rows, n // rows]


class ModelStore:
    """
    The models of a DSO node, by name and version (``ml/model/FORMAT.md``), as TypeScript's ``ModelStore``.

    :param connection: the node's connection; default: the process-wide one
    :param persistent: create the store's objects persistent (default True: on a ``--pmem`` node models survive restarts)
    """

    def __init__(self, connection: Optional[Connection] = None, persistent: bool = True) -> None:
        self._connection = connection
        self._opts: Dict[str, Any] = {"persistent": True} if persistent else {}

    def _conn(self) -> Connection:
        return self._connection or default_connection()

    def _call_async(self, type: str, key: str, method: str, args: List[Any], init: Optional[List[Any]] = None) -> "Future[Any]":
        opts = dict(self._opts, init=init) if init is not None else self._opts
        return self._conn().call_async(type, key, method, args, opts or None)

    def _call(self, type: str, key: str, method: str, args: List[Any], init: Optional[List[Any]] = None) -> Any:
        return self._call_async(type, key, method, args, init).result()

    def publish(self, name: str, model: Model) -> int:
        """
        Publishes ``model`` as the next version of ``name`` and makes it the latest (atomically: a reader sees the
        previous version or the whole new one).

        :return: the new version
        :raises BadArgumentError: if the name or the model is malformed
        """
        check_name(name)
        model.validate()
        version = int(self._call("AtomicLong", _counter_key(name), "incrementAndGet", [], [0]))
        manifest: Dict[str, Any] = {
            "format": MODEL_FORMAT, "name": name, "version": version, "algorithm": model.algorithm,
            "params": model.params, "meta": model.meta, "arrays": {},
            "publishedAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        writes = []
        for arr, a in model.arrays.items():
            shape = [int(d) for d in a.shape]
            dims = _matrix_shape(shape)
            key = _array_key(name, version, arr) if dims else None
            manifest["arrays"][arr] = {"dtype": a.dtype.name, "shape": shape, "key": key}
            if dims:
                data = np.ascontiguousarray(a, dtype=np.float64).reshape(-1)
                writes.append(self._call_async("AtomicMatrix", key, _TOUCH, [], [dims[0], dims[1], data]))
        for w in writes:
            w.result()
        self._call("AtomicMap", _versions_key(name), "put", [version, json.dumps(manifest, allow_nan=False)])
        self._call("AtomicMap", _INDEX_KEY, "merge", [name, version, "max"])
        model.name, model.version = name, version
        return version

    def latest_version(self, name: str) -> Optional[int]:
        """:return: the latest version of ``name``, or None if none is published (one call on the node)."""
        check_name(name)
        v = self._call("AtomicMap", _INDEX_KEY, "get", [name])
        return None if v is None else int(v)

    def load(self, name: str, version: Optional[int] = None) -> Model:
        """
        :param name: the model's name
        :param version: a version; default the latest
        :return: the model, with ``name`` and ``version`` set
        :raises ModelNotFoundError: if no model of that name, or no such version, is published
        :raises BadArgumentError: if the name is malformed or ``version`` is not a positive integer
        :raises IllegalStateError: if the stored model does not match its manifest
        """
        check_name(name)
        if version is not None and (not isinstance(version, (int, np.integer)) or isinstance(version, bool) or version < 1):
            raise BadArgumentError(f"version must be a positive integer, got {version!r}")
        latest = self.latest_version(name)
        if latest is None:
            raise ModelNotFoundError(f'no model "{name}" is published')
        v = int(version) if version is not None else latest
        text = self._call("AtomicMap", _versions_key(name), "get", [v])
        if not isinstance(text, str):
            raise ModelNotFoundError(f'model "{name}" has no version {v}')
        m = json.loads(text)
        if m.get("format") != MODEL_FORMAT:
            raise IllegalStateError(f'model "{name}" v{v} is in format {m.get("format")!r}, not {MODEL_FORMAT}')
        reads = {arr: (spec, None if spec["key"] is None else self._call_async("AtomicMatrix", spec["key"], "toArray", []))
                 for arr, spec in m["arrays"].items()}
        arrays: Dict[str, np.ndarray] = {}
        for arr, (spec, fut) in reads.items():
            shape = [int(d) for d in spec["shape"]]
            stored = np.zeros(0) if fut is None else np.asarray(fut.result(), dtype=np.float64)
            if stored.size != math.prod(shape):
                raise IllegalStateError(f'model "{name}" v{v}: array {arr} holds {stored.size} numbers, its shape needs {math.prod(shape)}')
            arrays[arr] = stored.reshape(shape).astype(np.int32 if spec["dtype"] == "int32" else np.float64)
        return Model(algorithm=m["algorithm"], params=m["params"], meta=m["meta"], arrays=arrays, name=name, version=v)

    def versions(self, name: str) -> List[int]:
        """:return: every complete version of ``name``, ascending (empty if none)."""
        if self.latest_version(name) is None:
            return []
        return sorted(int(k) for k in self._call("AtomicMap", _versions_key(name), "keys", []))

    def list(self) -> List[str]:
        """:return: the names of every published model, sorted."""
        return sorted(str(k) for k in self._call("AtomicMap", _INDEX_KEY, "keys", []))


def load_model(name: str, version: Optional[int] = None, connection: Optional[Connection] = None) -> Model:
    """
    Loads a published model (the latest version, or ``version``) from the DSO.

    :raises ModelNotFoundError: if it is not published
    """
    return ModelStore(connection).load(name, version)


def publish_model(name: str, model: Model, connection: Optional[Connection] = None) -> int:
    """
    Publishes ``model`` under ``name`` as its next version.

    :return: the new version
    :raises BadArgumentError: if the name or the model is malformed
    """
    return ModelStore(connection).publish(name, model)

#!/usr/bin/env python3
"""Makes the ml/ test and bench datasets with scikit-learn and writes them as Arrow IPC files.

Each dataset is split once, deterministically (``--seed``), into ``<out>/<name>-train.arrow`` and
``<out>/<name>-test.arrow``: Arrow IPC *file* format (Feather v2), feature columns ``f0..f{d-1}``
float64 and the label column ``y`` float64 (class index or cluster id), written in record batches of
``--batch-rows`` rows so a worker reading its own row range decodes only the batches it needs.

Datasets (``--datasets``, comma-separated, default all):

- ``breast_cancer``  569 x 30, 2 classes (sklearn.datasets.load_breast_cancer)
- ``digits``         1797 x 64, 10 classes (sklearn.datasets.load_digits)
- ``blobs``          ``--rows`` x ``--blob-features`` (default 1,000,000 x 16), ``--centers`` clusters
                     (make_blobs); the k-means bench data (10k / 100k / 1M rows)
- ``classification`` ``--rows`` x 16, 2 balanced classes, 8 informative features (make_classification);
                     the logistic-regression and random-forest bench data
- ``imbalanced``     ``--imbalanced-rows`` x 30 (default 20,000), 1% positives (make_classification
                     with weights [0.99, 0.01]); stands in for the seed's credit-card fraud data

Classification splits are stratified. One JSON line per dataset on stdout with ``--json``
(name, rows, train/test paths and row counts, nFeatures, classes), for scripts; a table otherwise.

Examples::

    python3 scripts/ml/datasets.py --out /tmp/ml-data
    python3 scripts/ml/datasets.py --out /tmp/ml-data/10k --datasets blobs,classification --rows 10000 --json
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split

ALL = ("breast_cancer", "digits", "blobs", "classification", "imbalanced")


def make(name: str, args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, bool]:
    """Returns (X, y, stratify) for one dataset name; y holds class indexes or cluster ids."""
    seed = args.seed
    if name == "breast_cancer":
        X, y = skd.load_breast_cancer(return_X_y=True)
        return X, y, True
    if name == "digits":
        X, y = skd.load_digits(return_X_y=True)
        return X, y, True
    if name == "blobs":
        X, y = skd.make_blobs(n_samples=args.rows, n_features=args.blob_features, centers=args.centers, cluster_std=args.cluster_std, random_state=seed)
        # Clusters are not classes here: a plain shuffle split is enough.
        return X, y, False
    if name == "classification":
        X, y = skd.make_classification(n_samples=args.rows, n_features=16, n_informative=8, n_redundant=4, n_classes=2, class_sep=1.0, flip_y=0.01,
                                       random_state=seed)
        return X, y, True
    if name == "imbalanced":
        X, y = skd.make_classification(
            n_samples=args.imbalanced_rows, n_features=30, n_informative=10, n_redundant=5, n_classes=2,
            weights=[0.99, 0.01], class_sep=1.5, flip_y=0.0, random_state=seed,
        )
        return X, y, True
    raise ValueError(f"unknown dataset {name!r}; known: {', '.join(ALL)}")


def write_arrow(path: Path, X: np.ndarray, y: np.ndarray, batch_rows: int) -> None:
    """Writes X (n x d) and y as an Arrow IPC file: columns f0..f{d-1} then y, all float64."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    cols = [pa.array(X[:, j]) for j in range(X.shape[1])] + [pa.array(np.asarray(y, dtype=np.float64))]
    names = [f"f{j}" for j in range(X.shape[1])] + ["y"]
    table = pa.Table.from_arrays(cols, names=names)
    tmp = path.with_name(path.name + ".tmp")
    # Written aside then renamed: a reader never sees half a file (tests may share a data folder).
    with pa.OSFile(str(tmp), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=batch_rows):
            writer.write_batch(batch)
    os.replace(tmp, path)


def build(name: str, args: argparse.Namespace) -> dict:
    X, y, stratify = make(name, args)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=args.test_size, random_state=args.seed, stratify=y if stratify else None)
    out = Path(args.out)
    train, test = out / f"{name}-train.arrow", out / f"{name}-test.arrow"
    write_arrow(train, X_tr, y_tr, args.batch_rows)
    write_arrow(test, X_te, y_te, args.batch_rows)
    classes = sorted(float(c) for c in np.unique(y))
    return {
        "name": name, "rows": int(X.shape[0]), "nFeatures": int(X.shape[1]),
        "train": str(train), "trainRows": int(X_tr.shape[0]), "test": str(test), "testRows": int(X_te.shape[0]),
        "classes": classes, "positiveRate": float(np.mean(y == classes[-1])) if len(classes) == 2 else None,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="datasets.py", description=__doc__.split("\n\n")[0],
        epilog="Files: <out>/<name>-train.arrow and <out>/<name>-test.arrow (Arrow IPC file; f0..fN float64, y float64).",
    )
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.add_argument("--datasets", default=",".join(ALL), help=f"comma-separated subset of: {', '.join(ALL)} (default: all)")
    p.add_argument("--rows", type=int, default=1_000_000, help="rows of blobs and classification (default 1000000)")
    p.add_argument("--imbalanced-rows", type=int, default=20_000, help="rows of imbalanced (default 20000)")
    p.add_argument("--blob-features", type=int, default=16, help="features of blobs (default 16)")
    p.add_argument("--centers", type=int, default=8, help="clusters of blobs (default 8)")
    p.add_argument("--cluster-std", type=float, default=2.0, help="standard deviation of each blob (default 2.0)")
    p.add_argument("--test-size", type=float, default=0.2, help="fraction of rows in the test split (default 0.2)")
    p.add_argument("--seed", type=int, default=0, help="random seed of generation and split (default 0)")
    p.add_argument("--batch-rows", type=int, default=65_536, help="rows per Arrow record batch (default 65536)")
    p.add_argument("--json", action="store_true", help="print one JSON line per dataset instead of a table")
    args = p.parse_args(argv)
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    unknown = [n for n in names if n not in ALL]
    if unknown or not names:
        p.error(f"--datasets: unknown {', '.join(unknown) or '(empty)'}; known: {', '.join(ALL)}")
    if args.rows < 10 or args.imbalanced_rows < 200:
        p.error("--rows must be >= 10 and --imbalanced-rows >= 200 (a stratified split needs a few positives)")
    if not 0 < args.test_size < 1:
        p.error("--test-size must be in (0, 1)")
    if args.batch_rows < 1:
        p.error("--batch-rows must be a positive integer")
    args.names = names
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for name in args.names:
        t0 = time.perf_counter()
        info = build(name, args)
        info["seconds"] = round(time.perf_counter() - t0, 3)
        if args.json:
            print(json.dumps(info), flush=True)
        else:
            print(f"{name:<15} {info['trainRows']:>9} train + {info['testRows']:>8} test rows x {info['nFeatures']:>3} features, "
                  f"{len(info['classes'])} classes -> {info['train']} ({info['seconds']} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Trains the serving bench's scikit-learn model on an Arrow training file and lays it out as an MLServer model
folder: ``<out>/model.joblib`` and ``<out>/model-settings.json`` (runtime ``mlserver_sklearn.SKLearnModel``).

Run from the bench's peers venv (scikit-learn and pyarrow; the same scikit-learn version as the MLServer venv, so
the pickle loads there):

    python bench/ml/sklearn_model.py --algorithm forest --train imbalanced-train.arrow --name fraud-forest --out DIR
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import joblib
import numpy as np
import pyarrow.ipc as ipc
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--algorithm", choices=["forest", "kmeans"], required=True)
    ap.add_argument("--train", required=True, help="Arrow IPC file (f0..fN, y)")
    ap.add_argument("--name", required=True, help="model name MLServer serves it under")
    ap.add_argument("--out", required=True, help="model folder to write")
    ap.add_argument("--params", default="{}", help="JSON: trees/seed (forest), k/seed (kmeans)")
    args = ap.parse_args()
    p = json.loads(args.params)
    with ipc.open_file(args.train) as r:
        t = r.read_all()
    X = np.column_stack([t.column(c).to_numpy() for c in t.column_names if c != "y"]).astype(np.float64)
    y = t.column("y").to_numpy()
    if args.algorithm == "forest":
        model = RandomForestClassifier(n_estimators=p.get("trees", 50), class_weight="balanced", random_state=p.get("seed", 1), n_jobs=1).fit(X, y)
    else:
        model = KMeans(n_clusters=p.get("k", 8), n_init=1, random_state=p.get("seed", 1)).fit(X)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out / "model.joblib")
    settings = {"name": args.name, "implementation": "mlserver_sklearn.SKLearnModel", "parameters": {"uri": "./model.joblib", "version": "1"}}
    (out / "model-settings.json").write_text(json.dumps(settings, indent=2))
    print(json.dumps({"name": args.name, "dir": str(out), "nFeatures": int(X.shape[1])}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

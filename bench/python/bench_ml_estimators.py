"""
crucial.ml's estimators end to end from Python (validate, ship X/y as Arrow, ml.fit job on the node's 2 workers,
load the model from the DSO) against scikit-learn's on the same data and split, in one run.

    python bench/python/bench_ml_estimators.py [--rows 20000] [--features 16]

Starts its own node from this checkout (crucial.client.context.LocalDso). Prints one line per estimator:
fit seconds for both (median of 3; scikit-learn with n_jobs=2 where it has it) and held-out score.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bridges" / "python"))

import sklearn.cluster  # noqa: E402
import sklearn.ensemble  # noqa: E402
import sklearn.linear_model  # noqa: E402
from crucial.client.context import LocalDso  # noqa: E402
from crucial.ml import KMeans, LogisticRegression, RandomForestClassifier  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


def timed(fit, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        est = fit()
        times.append(time.perf_counter() - t)
    return est, statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000 if os.environ.get("CI") else 20000)
    ap.add_argument("--features", type=int, default=16)
    a = ap.parse_args()
    X, y = make_classification(a.rows + a.rows // 4, n_features=a.features, n_informative=a.features // 2, random_state=0)
    X = StandardScaler().fit_transform(X)
    Xt, yt, Xv, yv = X[: a.rows], y[: a.rows], X[a.rows:], y[a.rows:]
    print(f"load {os.getloadavg()[0]:.1f}; {a.rows} training rows x {a.features}")
    with LocalDso(root=ROOT) as node:
        os.environ["CRUCIAL_DSO"] = node.address
        LogisticRegression().fit(Xt[:200], yt[:200])  # warm the node's trainers and worker pool
        cases = [
            ("KMeans(8)", lambda: KMeans(8, random_state=0).fit(Xt), lambda: sklearn.cluster.KMeans(8, n_init=1, random_state=0).fit(Xt),
             lambda e: -e.inertia_),
            ("LogisticRegression", lambda: LogisticRegression().fit(Xt, yt), lambda: sklearn.linear_model.LogisticRegression().fit(Xt, yt),
             lambda e: e.score(Xv, yv)),
            ("RandomForestClassifier(50)", lambda: RandomForestClassifier(50, random_state=0).fit(Xt, yt),
             lambda: sklearn.ensemble.RandomForestClassifier(50, random_state=0, n_jobs=2).fit(Xt, yt), lambda e: e.score(Xv, yv)),
        ]
        for name, ours, theirs, score in cases:
            e1, t1 = timed(ours)
            e2, t2 = timed(theirs)
            print(f"{name}: crucial {t1:.2f} s (score {score(e1):.4g}), scikit-learn {t2:.2f} s (score {score(e2):.4g}), ratio {t1 / t2:.2f}x")
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Fits the ml bench's peers — scikit-learn and Spark MLlib — on the bench's Arrow files and times the fit alone.

Run by bench/ml/fit.ts from the bench venv (.venv-bench/peers: pyspark, scikit-learn, pyarrow); it reads
a JSON list of jobs on stdin and prints one JSON line per job on stdout (progress goes to stderr):

    job:    {"algorithm": "kmeans"|"logreg"|"forest", "size": "10k", "train": path, "test": path, "params": {...}}
    result: {"system", "algorithm", "size", "rows", "fitSeconds", "inertia"|"accuracy", ...}

Both peers get the data already in memory (a cached Spark DataFrame, counted once), so fitSeconds is
the fit call only. Spark's session start-up is measured once and printed as {"startupSeconds": ...}.
Each algorithm is fitted once on the first 2,000 rows before the timed fits (JIT and caches warm), for
both peers alike. Each job is then fitted up to --repeats times (default 1), stopping early once its timed
fits add up to --budget seconds; fitSeconds is their median (bench/ml/fit.ts gives crucial the same rule). Parallelism: 2 (sklearn n_jobs=2 and 2 BLAS/OpenMP threads; Spark local[2]).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

# Before numpy/sklearn load: their BLAS and OpenMP pools read these once.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "2")

import numpy as np  # noqa: E402
import pyarrow.ipc as ipc  # noqa: E402


def timed_fits(fit, repeats: int, budget: float):
    """Calls fit() up to `repeats` times (at least once, fewer once the fits took `budget` s together);
    returns the median time, every time, and the last fit's result."""
    times, out = [], None
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        out = fit()
        times.append(time.perf_counter() - t0)
        if sum(times) >= budget:
            break
    s = sorted(times)
    return s[(len(s) - 1) // 2], times, out


def log(msg: str) -> None:
    print(f"  [peers] {msg}", file=sys.stderr, flush=True)


def read_arrow(path: str) -> tuple[np.ndarray, np.ndarray]:
    with ipc.open_file(path) as r:
        t = r.read_all()
    feats = [c for c in t.column_names if c != "y"]
    X = np.column_stack([t.column(c).to_numpy() for c in feats]).astype(np.float64)
    return X, t.column("y").to_numpy().astype(np.float64)


# ---- scikit-learn ---------------------------------------------------------------------------------

def sk_estimator(alg: str, p: dict):
    from sklearn.cluster import KMeans
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    if alg == "kmeans":
        return KMeans(n_clusters=p["k"], n_init=p["nInit"], max_iter=p["maxIter"], tol=p["tol"], random_state=p["seed"])
    if alg == "logreg":
        return LogisticRegression(C=p["C"], max_iter=p["maxIter"], tol=p["tol"])
    if alg == "forest":
        return RandomForestClassifier(n_estimators=p["nEstimators"], max_depth=p["maxDepth"], max_features=p["maxFeatures"],
                                      bootstrap=True, n_jobs=2, random_state=p["seed"])
    raise ValueError(alg)


def sk_run(job: dict, X, y, Xt, yt, repeats: int = 1, budget: float = 0.0) -> dict:
    from sklearn.metrics import accuracy_score

    def one():
        e = sk_estimator(job["algorithm"], job["params"])
        return e.fit(X) if job["algorithm"] == "kmeans" else e.fit(X, y)
    fit, times, est = timed_fits(one, repeats, budget)
    out = {"fitSeconds": fit, "fits": times}
    if job["algorithm"] == "kmeans":
        out["inertia"] = float(est.inertia_)
        out["nIter"] = int(est.n_iter_)
    else:
        out["accuracy"] = float(accuracy_score(yt, est.predict(Xt)))
    return out


# ---- Spark MLlib ----------------------------------------------------------------------------------

def spark_session():
    from pyspark.sql import SparkSession
    t0 = time.perf_counter()
    spark = (SparkSession.builder.master("local[2]").appName("crucial-ml-bench")
             .config("spark.ui.enabled", "false").config("spark.driver.memory", os.environ.get("BENCH_SPARK_MEMORY", "4g"))
             .config("spark.sql.execution.arrow.pyspark.enabled", "true").config("spark.sql.shuffle.partitions", "2")
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    spark.range(1).count()  # the first job starts the executor threads
    return spark, time.perf_counter() - t0


def spark_frame(spark, X, y):
    import pandas as pd
    from pyspark.ml.feature import VectorAssembler
    cols = [f"f{j}" for j in range(X.shape[1])]
    pdf = pd.DataFrame(X, columns=cols)
    pdf["label"] = y
    # Assembled and cached before any timed fit: the fit reads the cached vectors, as sklearn reads its array.
    df = VectorAssembler(inputCols=cols, outputCol="features").transform(spark.createDataFrame(pdf)).select("features", "label")
    df = df.repartition(2).cache()
    df.count()
    return df


def spark_estimator(alg: str, p: dict, n: int):
    from pyspark.ml.classification import LogisticRegression, RandomForestClassifier
    from pyspark.ml.clustering import KMeans
    if alg == "kmeans":
        # k-means|| is Spark's k-means++; n_init has no Spark counterpart (the bench uses nInit=1).
        return KMeans(k=p["k"], maxIter=p["maxIter"], tol=p["tol"], seed=p["seed"], initMode="k-means||")
    if alg == "logreg":
        # Same objective as sklearn's: sklearn minimises C*sum(loss) + |w|^2/2, Spark mean(loss) + reg*|w|^2/2.
        return LogisticRegression(regParam=1.0 / (p["C"] * n), elasticNetParam=0.0, maxIter=p["maxIter"], tol=p["tol"], standardization=False)
    if alg == "forest":
        return RandomForestClassifier(numTrees=p["nEstimators"], maxDepth=min(p["maxDepth"] or 30, 30), featureSubsetStrategy=p["maxFeatures"],
                                      bootstrap=True, subsamplingRate=1.0, seed=p["seed"])
    raise ValueError(alg)


def spark_run(spark, job: dict, df, dft, n: int, repeats: int = 1, budget: float = 0.0) -> dict:
    from pyspark.ml.evaluation import MulticlassClassificationEvaluator
    fit, times, model = timed_fits(lambda: spark_estimator(job["algorithm"], job["params"], n).fit(df), repeats, budget)
    out = {"fitSeconds": fit, "fits": times}
    if job["algorithm"] == "kmeans":
        out["inertia"] = float(model.summary.trainingCost)
        out["nIter"] = int(model.summary.numIter)
    else:
        ev = MulticlassClassificationEvaluator(labelCol="label", predictionCol="prediction", metricName="accuracy")
        out["accuracy"] = float(ev.evaluate(model.transform(dft)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--system", choices=["sklearn", "spark"], required=True)
    ap.add_argument("--repeats", type=int, default=1, help="timed fits per job (median reported)")
    ap.add_argument("--budget", type=float, default=0.0, help="stop a job's timed fits once they took this many seconds")
    args = ap.parse_args()
    jobs = json.load(sys.stdin)
    spark = None
    if args.system == "spark":
        log("starting Spark (local[2]) ...")
        spark, startup = spark_session()
        log(f"Spark session up in {startup:.2f} s")
        print(json.dumps({"system": "spark", "startupSeconds": startup}), flush=True)
    warmed: set[str] = set()
    for job in jobs:
        X, y = read_arrow(job["train"])
        Xt, yt = read_arrow(job["test"])
        alg = job["algorithm"]
        if alg not in warmed:
            wj = dict(job)
            log(f"{args.system} {alg}: warm-up fit on 2000 rows")
            if spark is None:
                sk_run(wj, X[:2000], y[:2000], Xt[:500], yt[:500])
            else:
                spark_run(spark, wj, spark_frame(spark, X[:2000], y[:2000]), spark_frame(spark, Xt[:500], yt[:500]), 2000)
            warmed.add(alg)
        log(f"{args.system} {alg} {job['size']}: fitting {len(X)} rows ...")
        if spark is None:
            res = sk_run(job, X, y, Xt, yt, args.repeats, args.budget)
        else:
            df, dft = spark_frame(spark, X, y), spark_frame(spark, Xt, yt)
            res = spark_run(spark, job, df, dft, len(X), args.repeats, args.budget)
            df.unpersist()
            dft.unpersist()
        res.update({"system": args.system, "algorithm": alg, "size": job["size"], "rows": len(X)})
        log(f"{args.system} {alg} {job['size']}: {res['fitSeconds']:.3f} s")
        print(json.dumps(res), flush=True)
    if spark is not None:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

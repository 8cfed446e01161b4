"""
The notebook's flow (examples/notebooks) as a plain script, run by test_wheel.py with the installed
wheel in a fresh venv: π over an executor map, then k-means with shared centroids and a barrier.
Prints one JSON line with what the test checks.
"""
import json
import time

import numpy as np

import crucial
from crucial import AtomicLong, AtomicMap, CyclicBarrier
from crucial.client import context
from crucial.lithops import ALL_COMPLETED, FunctionExecutor

K, D, WORKERS, POINTS, ITERS = 4, 2, 4, 1_000, 6
TRUE_CENTERS = np.array([[0, 0], [8, 8], [0, 8], [8, 0]], dtype=float)


def throw_darts(samples, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.random(samples), rng.random(samples)
    hits = int(((x * x + y * y) <= 1.0).sum())
    AtomicLong("pi-hits").add_and_get(hits)
    return hits


def kmeans_worker(wid, run):
    rng = np.random.default_rng(wid)
    pts = TRUE_CENTERS[rng.integers(0, K, POINTS)] + rng.normal(0, 1, (POINTS, D))
    state, barrier = AtomicMap(run), CyclicBarrier(run + "-barrier", WORKERS)
    centroids = np.array(state["init"]).reshape(K, D)
    inertia = []
    for it in range(ITERS):
        d2 = ((pts[:, None, :] - centroids[None]) ** 2).sum(-1)
        labels = d2.argmin(1)
        inertia.append(float(d2.min(1).sum()))
        sums = np.zeros((K, D))
        np.add.at(sums, labels, pts)
        state.merge_all({f"sum{it}": sums.ravel(), f"n{it}": np.bincount(labels, minlength=K).astype(float)}, "sum")
        barrier.await_()
        centroids = state[f"sum{it}"].reshape(K, D) / np.maximum(state[f"n{it}"], 1)[:, None]
    return inertia, centroids


def main():
    address = crucial.dso_address()
    fexec = FunctionExecutor(workers=WORKERS)

    AtomicLong("pi-hits", 0, force_new=True).get()
    tasks, samples = 8, 100_000
    futures = fexec.map(throw_darts, [(samples, seed) for seed in range(tasks)])
    fexec.wait(futures, return_when=ALL_COMPLETED)
    hits = AtomicLong("pi-hits").get()
    returned = sum(fexec.get_result(futures))

    run = f"kmeans-{time.time_ns()}"
    AtomicMap(run).put("init", np.array([[1, 1], [2, 2], [3, 3], [4, 4]], dtype=float).ravel())
    results = fexec.map(kmeans_worker, [(w, run) for w in range(WORKERS)]).get_result()
    total_inertia = np.sum([r[0] for r in results], axis=0)
    final = results[0][1]
    print(json.dumps({
        "crucial_file": crucial.__file__,
        "version": crucial.__version__,
        "node_from_checkout": context._embedded is not None and context._embedded.root is not None,
        "address": address,
        "pi": 4 * hits / (tasks * samples),
        "hits": hits,
        "returned": returned,
        "same_centroids": all(bool(np.allclose(r[1], final)) for r in results),
        "inertia_first": float(total_inertia[0]),
        "inertia_last": float(total_inertia[-1]),
        "centroids": sorted(np.round(final, 1).tolist()),
    }))
    fexec.clean()
    crucial.shutdown()


if __name__ == "__main__":
    main()

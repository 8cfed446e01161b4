"""The passes of bench/ml-kernels/pass.ts in scikit-learn / numpy, on one thread (threadpoolctl):
one Lloyd iteration (scikit-learn's lloyd_iter_chunked_dense: BLAS GEMM distances, labels, sums),
the same in plain numpy, and LinearModelLoss.loss_gradient (HalfBinomialLoss). CPU time
(time.process_time), median of the repetitions.

    python3 bench/ml-kernels/pass_sklearn.py [--rows 400000] [--reps 15] [--data /tmp/crucial-ml-bench/1m]
"""
import argparse
import time

import numpy as np
import pyarrow as pa
from threadpoolctl import threadpool_limits
from sklearn.cluster._k_means_lloyd import lloyd_iter_chunked_dense
from sklearn.cluster._k_means_common import _inertia_dense
from sklearn._loss.loss import HalfBinomialLoss
from sklearn.linear_model._linear_loss import LinearModelLoss

ap = argparse.ArgumentParser()
ap.add_argument('--rows', type=int, default=400000)
ap.add_argument('--reps', type=int, default=15)
ap.add_argument('--data', default='/tmp/crucial-ml-bench/1m')
a = ap.parse_args()


def read(name):
    t = pa.ipc.open_file(f'{a.data}/{name}-train.arrow').read_all()
    cols = [c for c in t.column_names if c != 'y']
    X = np.ascontiguousarray(np.column_stack([t.column(c).to_numpy() for c in cols])[: a.rows], dtype=np.float64)
    return X, t.column('y').to_numpy()[: a.rows].astype(np.float64)


def median(f):
    cpu, wall = [], []
    for _ in range(a.reps):
        w, c = time.perf_counter(), time.process_time()
        f()
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return f'{sorted(cpu)[len(cpu) // 2]:.1f} ms CPU (wall {sorted(wall)[len(wall) // 2]:.1f})'


X, _ = read('blobs')
n, d = X.shape
k = 8
C = np.ascontiguousarray(X[np.arange(k) * 997])
sw = np.ones(n)
with threadpool_limits(1):
    print(f'k-means Lloyd iteration, {n} x {d}, k = {k}, 1 thread:')

    def lloyd():
        labels = np.empty(n, dtype=np.int32)
        lloyd_iter_chunked_dense(X, sw, C, np.empty_like(C), np.zeros(k), labels, np.zeros(k), 1)
        return labels

    print(f'  scikit-learn lloyd_iter_chunked_dense {median(lloyd)}')
    labels = lloyd()
    print(f'  + _inertia_dense {median(lambda: _inertia_dense(X, sw, C, labels, 1))}')

    def numpy_pass():
        d2 = (X * X).sum(1)[:, None] - 2 * X @ C.T + (C * C).sum(1)[None, :]
        lab = d2.argmin(1)
        counts = np.bincount(lab, minlength=k)
        sums = np.zeros((k, d))
        np.add.at(sums, lab, X)
        return d2[np.arange(n), lab].sum(), counts, sums

    print(f'  numpy (GEMM form, argmin, add.at) {median(numpy_pass)}')

    X, y = read('classification')
    n, d = X.shape
    loss = LinearModelLoss(base_loss=HalfBinomialLoss(), fit_intercept=True)
    coef = np.sin(np.arange(d + 1)) * 0.1
    y01 = (y == 1).astype(np.float64)
    print(f'logistic loss + gradient (binary), {n} x {d}, 1 thread:')
    print(f'  scikit-learn LinearModelLoss.loss_gradient {median(lambda: loss.loss_gradient(coef, X, y01, None, 0.0, 1))}')

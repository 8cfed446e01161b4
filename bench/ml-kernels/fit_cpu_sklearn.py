"""scikit-learn's side of fit-cpu.ts: the same fits (k = 8, n_init 1, max_iter 100, seed 7; C = 1,
max_iter 100) on the same training file, n_jobs=2 (2 BLAS/OpenMP threads), wall and CPU
(time.process_time, all threads) per fit.

    python3 bench/ml-kernels/fit_cpu_sklearn.py [--size 1m] [--reps 3]
"""
import argparse
import os
import time

import numpy as np
import pyarrow as pa
from threadpoolctl import threadpool_limits
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression

ap = argparse.ArgumentParser()
ap.add_argument('--size', default='1m')
ap.add_argument('--reps', type=int, default=3)
ap.add_argument('--data', default='/tmp/crucial-ml-bench')
a = ap.parse_args()


def read(name):
    t = pa.ipc.open_file(f'{a.data}/{a.size}/{name}-train.arrow').read_all()
    cols = [c for c in t.column_names if c != 'y']
    return np.column_stack([t.column(c).to_numpy() for c in cols]).astype(np.float64), t.column('y').to_numpy()


print(f'scikit-learn, {a.size}, load {" ".join(f"{v:.1f}" for v in os.getloadavg())}')
Xb, _ = read('blobs')
Xc, yc = read('classification')
with threadpool_limits(2):
    for alg, fit in [('kmeans', lambda: KMeans(8, n_init=1, max_iter=100, tol=1e-4, random_state=7).fit(Xb)),
                     ('logreg', lambda: LogisticRegression(C=1, max_iter=100, tol=1e-4).fit(Xc, yc))]:
        for _ in range(a.reps):
            w, c = time.perf_counter(), time.process_time()
            m = fit()
            print(f'  {alg}: wall {time.perf_counter() - w:.3f} s, CPU {time.process_time() - c:.3f} s, iterations {np.max(m.n_iter_)}')

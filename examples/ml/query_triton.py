#!/usr/bin/env python3
"""Queries the example models served by ``crucial ml serve`` with an off-the-shelf Triton client.

``tritonclient[http]`` speaks the Open Inference Protocol (KServe V2) and sends tensors in Triton's
binary extension by default; crucial's server accepts both that and JSON tensors. The rows sent are
the first ``--rows`` test rows of each dataset (the Arrow files examples/ml/train.ts trained on).

    python3 examples/ml/query_triton.py --url 127.0.0.1:8080 --data /tmp/crucial-ml-example
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pyarrow.ipc as ipc
import tritonclient.http as httpclient


def read_rows(path: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    with ipc.open_file(path) as r:
        t = r.read_all().slice(0, n)
    X = np.column_stack([t.column(c).to_numpy() for c in t.column_names if c != "y"]).astype(np.float64)
    return X, t.column("y").to_numpy()


def infer(client: httpclient.InferenceServerClient, model: str, X: np.ndarray, outputs: list[str]) -> dict[str, np.ndarray]:
    inp = httpclient.InferInput("input-0", list(X.shape), "FP64")
    inp.set_data_from_numpy(X)  # binary_data=True: raw bytes after the JSON header
    res = client.infer(model, [inp], outputs=[httpclient.InferRequestedOutput(o) for o in outputs])
    return {o: res.as_numpy(o) for o in outputs}


def main() -> int:
    ap = argparse.ArgumentParser(description="query the example models with tritonclient.http (Open Inference Protocol)")
    ap.add_argument("--url", default="127.0.0.1:8080", help="server host:port, no scheme (default 127.0.0.1:8080)")
    ap.add_argument("--data", default="/tmp/crucial-ml-example", help="folder of the Arrow files train.ts used")
    ap.add_argument("--kmeans-model", default="blobs-kmeans")
    ap.add_argument("--forest-model", default="fraud-forest")
    ap.add_argument("--rows", type=int, default=1000, help="test rows sent to each model (default 1000)")
    ap.add_argument("--json", action="store_true", help="print one JSON line instead of text")
    args = ap.parse_args()

    client = httpclient.InferenceServerClient(url=args.url)
    if not client.is_server_ready():
        print(f"server at {args.url} is not ready", file=sys.stderr)
        return 1
    meta = {m: client.get_model_metadata(m) for m in (args.kmeans_model, args.forest_model)}

    Xb, yb = read_rows(f"{args.data}/blobs-test.arrow", args.rows)
    clusters = infer(client, args.kmeans_model, Xb, ["predict"])["predict"].reshape(-1)
    # Cluster ids are arbitrary: purity = share of rows whose cluster's majority blob is their own blob.
    purity = sum(np.bincount(yb[clusters == c].astype(int)).max() for c in np.unique(clusters)) / len(yb)

    Xf, yf = read_rows(f"{args.data}/imbalanced-test.arrow", args.rows)
    out = infer(client, args.forest_model, Xf, ["predict", "predict_proba"])
    pred, proba = out["predict"].reshape(-1), out["predict_proba"]
    result = {
        "kmeans": {"model": args.kmeans_model, "versions": meta[args.kmeans_model].get("versions"), "rows": len(yb),
                   "clusters": int(len(np.unique(clusters))), "purity": float(purity)},
        "forest": {"model": args.forest_model, "versions": meta[args.forest_model].get("versions"), "rows": len(yf),
                   "accuracy": float(np.mean(pred == yf)), "positives": int(yf.sum()), "flagged": int(pred.sum()),
                   "probaShape": list(proba.shape), "probaRowSums": [float(proba.sum(1).min()), float(proba.sum(1).max())]},
    }
    if args.json:
        print(json.dumps(result))
    else:
        k, f = result["kmeans"], result["forest"]
        print(f"{k['model']}: {k['rows']} rows -> {k['clusters']} clusters, purity {k['purity']:.3f}")
        print(f"{f['model']}: {f['rows']} rows, accuracy {f['accuracy']:.4f}, {f['flagged']} flagged of {f['positives']} positives; "
              f"predict_proba {f['probaShape']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

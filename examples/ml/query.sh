#!/usr/bin/env bash
# Queries the two example models over the Open Inference Protocol (KServe V2 REST) with curl:
# readiness, model metadata, then predictions (JSON tensors).
#
#   examples/ml/query.sh [URL] [KMEANS_MODEL] [FOREST_MODEL]
#   examples/ml/query.sh http://127.0.0.1:8080 blobs-kmeans fraud-forest
#
# The rows are made up (the models do not care): 2 rows of 16 features for k-means (blobs), 2 of 30
# for the forest (the imbalanced set). Exits non-zero on any HTTP error (curl --fail-with-body).
set -euo pipefail
URL=${1:-http://127.0.0.1:8080}
KMEANS=${2:-blobs-kmeans}
FOREST=${3:-fraud-forest}

# row N VALUE: N comma-separated copies of VALUE
row() { local out=$2; for ((i = 1; i < $1; i++)); do out+=",$2"; done; printf '%s' "$out"; }
req() { curl -sS --fail-with-body "$@"; echo; }

echo "# server ready?"
req "$URL/v2/health/ready" -o /dev/null -w '%{http_code}'
echo "# model metadata"
req "$URL/v2/models/$KMEANS"
req "$URL/v2/models/$FOREST"

echo "# k-means: cluster of each row (output 'predict')"
req -X POST "$URL/v2/models/$KMEANS/infer" -H 'Content-Type: application/json' -d "{
  \"inputs\": [{\"name\": \"input-0\", \"shape\": [2, 16], \"datatype\": \"FP64\", \"data\": [$(row 16 0.0), $(row 16 5.0)]}]
}"

echo "# forest: class and class probabilities (outputs 'predict' and 'predict_proba')"
req -X POST "$URL/v2/models/$FOREST/infer" -H 'Content-Type: application/json' -d "{
  \"inputs\": [{\"name\": \"input-0\", \"shape\": [2, 30], \"datatype\": \"FP64\", \"data\": [$(row 30 0.0), $(row 30 1.5)]}],
  \"outputs\": [{\"name\": \"predict\"}, {\"name\": \"predict_proba\"}]
}"

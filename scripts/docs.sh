#!/usr/bin/env bash
# npm run docs: the API reference, generated from the sources into docs/api/ (not committed).
#   docs/api/ts           crucial and crucial/pmem (TypeDoc, typedoc.json; fails on an undocumented export)
#   docs/api/ts-internal  crucial/internal, the unstable tooling subpath (typedoc.internal.json)
#   docs/api/python       the Python package (pdoc, from the docstrings; pip install -e '.[docs]')
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

npx typedoc --options typedoc.json
npx typedoc --options typedoc.internal.json

if ! "$PYTHON" -c 'import pdoc' 2>/dev/null; then
  echo "docs: pdoc is not installed for $PYTHON; run: $PYTHON -m pip install -e '.[docs]'" >&2
  exit 1
fi
rm -rf docs/api/python
PYTHONPATH="bridges/python${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -m pdoc --docformat restructuredtext \
  --output-directory docs/api/python crucial crucial.lithops crucial.worker

echo "API reference:"
echo "  TypeScript          $(pwd)/docs/api/ts/index.html"
echo "  crucial/internal    $(pwd)/docs/api/ts-internal/index.html"
echo "  Python              $(pwd)/docs/api/python/index.html"

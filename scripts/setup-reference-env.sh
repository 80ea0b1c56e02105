#!/usr/bin/env bash
# Python environment for CROSS-CHECKING ONLY: the reference implementation
# (sentence-transformers on the full PyPI torch) used by
#   scripts/make_embed_reference.py   (writes crates/recoupe-embed/tests/data/embed_reference.json)
#   scripts/bench_embed_peer.py       (speed ratio against sentence-transformers)
# Nothing here is needed to build, run or test recoupe.
#
# Creates `.recoupe/ref-venv` (git-ignored) with torch==2.4.0 (the CUDA build from PyPI:
# ~5 GB with its nvidia wheels, ~1 min), sentence-transformers==3.3.1 and
# transformers==4.46.3 (newer versions refuse torch 2.4). Idempotent: a second run is a no-op.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.recoupe/ref-venv"
STAMP="$VENV/.recoupe-ref-env-1"

if [[ -f "$STAMP" ]]; then
  exit 0
fi
echo "setup-reference-env: creating $VENV (full torch 2.4.0, ~5 GB)" >&2
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet \
  "torch==2.4.0" \
  "sentence-transformers==3.3.1" \
  "transformers==4.46.3" \
  "numpy<2.1"
"$VENV/bin/python" -c "import torch, sentence_transformers; print('torch', torch.__version__, 'sentence-transformers', sentence_transformers.__version__)" >&2
touch "$STAMP"

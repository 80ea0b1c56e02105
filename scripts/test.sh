#!/usr/bin/env bash
# The project's test command (README "Run the tests"; CI calls it through .ci/run):
# set-up if missing, then fmt check, clippy with warnings denied, and the workspace tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
echo "==> cargo test --workspace"
cargo test --workspace "$@"

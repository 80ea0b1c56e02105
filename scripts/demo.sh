#!/usr/bin/env bash
# The main job on the seed articles (README "Run the demo"): set-up if missing, build,
# cluster the five seed articles, print where the output is.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
seeds=../shared/fixtures/seed-articles/articles.jsonl
[ -f "$seeds" ] || { echo "error: $seeds not found: the shared fixtures must sit beside the repo" >&2; exit 2; }
cargo build --release -p recoupe-cli
target/release/recoupe run "$seeds" --out out/seeds "$@"

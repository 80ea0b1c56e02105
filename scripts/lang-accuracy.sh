#!/usr/bin/env bash
# Regenerates the tables in crates/recoupe-lang/README.md: accuracy (per kind, French,
# per language) on ../shared/eval/lingua-langid.jsonl (whole corpus, then its tuning and
# held-out halves), start-up and memory, binary size, the interleaved speed comparison
# (examples/speed.rs) and (with --bench) the criterion one. Prints markdown to stdout.
#
#   scripts/lang-accuracy.sh [--per-lang N] [--bench]
#
# --per-lang N caps items per language and kind (quick run); default is the full set.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
per_lang=()
bench=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --per-lang) per_lang=(--per-lang "$2"); shift 2 ;;
    --bench) bench=1; shift ;;
    *) echo "unknown argument $1: use --per-lang N and/or --bench" >&2; exit 2 ;;
  esac
done
if [[ ! -f ../shared/eval/lingua-langid.jsonl ]]; then
  echo "../shared/eval/lingua-langid.jsonl not found: the eval data lives next to the repository" >&2
  exit 1
fi

cargo build --release -q -p recoupe-lang --example accuracy --example footprint --example speed
bin="$CARGO_TARGET_DIR/release/examples"

echo "## Accuracy"
"$bin/accuracy" "${per_lang[@]}"
echo
echo "## Accuracy, tuning half (settings were chosen here)"
"$bin/accuracy" "${per_lang[@]}" --split tune --only whatlang,ours-whatlang-only,ours
echo
echo "## Accuracy, held-out half"
"$bin/accuracy" "${per_lang[@]}" --split held-out --only whatlang,ours-whatlang-only,ours,lingua-high

echo
echo "## Speed (one thread, detectors alternated over the same held-out texts, median of 7 passes)"
"$bin/speed" --per-lang 40 --passes 7

echo
echo "## Start-up and memory (20 word pairs per language, fresh process each)"
echo '```text'
for mode in ours-whatlang-only ours ours-preload lingua-high; do
  "$bin/footprint" "$mode"
done
echo '```'

echo
echo "## Binary size (stripped 'detect' example, with and without the hybrid feature)"
tmp="$(mktemp -d)"
cargo build --release -q -p recoupe-lang --no-default-features --example detect
cp "$bin/detect" "$tmp/slim" && strip "$tmp/slim"
cargo build --release -q -p recoupe-lang --example detect
cp "$bin/detect" "$tmp/hybrid" && strip "$tmp/hybrid"
echo "- whatlang only (--no-default-features): $(du -h "$tmp/slim" | cut -f1)"
echo "- hybrid (default): $(du -h "$tmp/hybrid" | cut -f1)"
rm -rf "$tmp"

if [[ $bench -eq 1 ]]; then
  echo
  echo "## Speed (criterion, one thread, rounds interleaved; ratios within this run)"
  cargo bench -q -p recoupe-bench --features lang --bench lang >/dev/null
  python3 - "$CARGO_TARGET_DIR/criterion" <<'PY'
import json, sys, pathlib
root = pathlib.Path(sys.argv[1])
for kind in ["sentences", "word-pairs"]:
    g = root / f"lang_{kind}"
    tput = {}
    for d in sorted(g.glob("*_*")):
        name, _, rnd = d.name.rpartition("_")
        est = json.loads((d / "new" / "estimates.json").read_text())["median"]["point_estimate"]
        bench = json.loads((d / "new" / "benchmark.json").read_text())
        n = bench["throughput"]["Elements"]
        tput.setdefault(name, []).append(n / (est / 1e9))
    med = {k: sum(v) / len(v) for k, v in tput.items()}
    print(f"\n{kind}: texts/s per core (mean over rounds of each median time) and ratios")
    for k, v in med.items():
        print(f"- {k}: {v:,.0f}/s")
    print(f"- ours / lingua = {med['ours'] / med['lingua']:.1f}x, whatlang / ours = {med['whatlang'] / med['ours']:.1f}x")
PY
fi

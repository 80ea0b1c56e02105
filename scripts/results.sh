#!/usr/bin/env bash
# Regenerates the README "Same-story clustering" results table: `recoupe eval --json` on
# the seed articles, ecbplus-dev and uci-news-headlines, for both models, with the full
# method and the two baselines (minhash: model-independent, run once per corpus; cosine),
# next to the peers quoted in issue 6 and the targets.
#
#   scripts/results.sh                  # prints the Markdown table
#   scripts/results.sh --update-readme  # also replaces it in README.md (between markers)
#   scripts/results.sh --no-run         # only the table, from the JSON of the last runs
#
# Env: RESULTS_DIR (default $CARGO_TARGET_DIR/results or target/results) holds the
# embedding cache shared by every method (each corpus/model is embedded once; later
# runs embed nothing), the run folders and the eval JSON; THREADS (default 2).
# Data: ../shared/fixtures/seed-articles/articles.jsonl (gold field `story`),
# ../shared/eval/ecbplus-dev.jsonl and uci-news-headlines.jsonl (gold field `cluster`).
# Runs are `nice -n 10`: the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."

update_readme=0
run=1
for arg in "$@"; do
    case "$arg" in
        --update-readme) update_readme=1 ;;
        --no-run) run=0 ;;
        *) echo "usage: scripts/results.sh [--update-readme] [--no-run]" >&2; exit 2 ;;
    esac
done

target=${CARGO_TARGET_DIR:-target}
work=${RESULTS_DIR:-$target/results}
threads=${THREADS:-2}
mkdir -p "$work/json" "$work/runs" "$work/cache"

bin=$target/release/recoupe
[[ $run == 1 ]] && cargo build --release -p recoupe-cli >&2

corpora=(
    "seed-articles ../shared/fixtures/seed-articles/articles.jsonl story"
    "ecbplus-dev ../shared/eval/ecbplus-dev.jsonl cluster"
    "uci-news-headlines ../shared/eval/uci-news-headlines.jsonl cluster"
)
models=(all-minilm-l6-v2 multilingual-e5-small)

for entry in "${corpora[@]}"; do
    [[ $run == 1 ]] || break
    read -r name path gold <<<"$entry"
    if [[ ! -f $path ]]; then
        echo "results.sh: $path not found (expected ../shared next to the repository)" >&2
        exit 2
    fi
    for model in "${models[@]}"; do
        for method in full cosine minhash; do
            # MinHash ignores the embeddings: one run per corpus (with the first model).
            if [[ $method == minhash && $model != "${models[0]}" ]]; then
                continue
            fi
            key=$name.$model.$method
            echo "results.sh: $key" >&2
            nice -n 10 "$bin" eval --gold "$gold" "$path" --model "$model" --method "$method" \
                --threads "$threads" --cache-dir "$work/cache" --out "$work/runs/$key" \
                --json --quiet >"$work/json/$key.json"
        done
    done
done

table=$(python3 - "$work/json" <<'EOF'
import json, os, sys

src = sys.argv[1]
models = [("all-minilm-l6-v2", "all-MiniLM-L6-v2"), ("multilingual-e5-small", "multilingual-e5-small")]
corpora = [
    ("seed-articles", "seed articles"),
    ("ecbplus-dev", "ecbplus-dev"),
    ("uci-news-headlines", "uci-news-headlines"),
]
# Peers measured on the same files, as quoted in issue 6 (B3-F1 / ARI).
peers = {
    "ecbplus-dev": [
        ("peer: TF-IDF average-link", "", "0.902", "0.854"),
        ("peer: average-link", "multilingual-e5-small", "0.881", "0.835"),
        ("peer: best MinHash", "", "0.720", "0.662"),
    ],
    "uci-news-headlines": [
        ("peers: threshold tuned on articles", "", "0.31-0.63", ""),
        ("best peer: threshold tuned on the headlines", "", "0.82", ""),
    ],
}

def target(corpus, s):
    if corpus == "seed-articles":
        ok = s["ari"] == 1.0
        return "exact: " + ("met" if ok else "**missed**")
    if corpus == "ecbplus-dev":
        f1_ok, ari_ok = s["b_cubed"]["f1"] >= 0.97, s["ari"] >= 0.95
        verdict = "met" if f1_ok and ari_ok else "**missed**"
        return f"B³-F1 ≥ 0.97, ARI ≥ 0.95: {verdict}"
    ok = s["b_cubed"]["f1"] >= 0.90
    return "B³-F1 ≥ 0.90: " + ("met" if ok else "**missed**")

rows = ["| corpus | method | model | B³ P / R / F1 | ARI | pairwise F1 | clusters (gold) | target |",
        "|---|---|---|---|---|---|---|---|"]
for corpus, label in corpora:
    for method in ("full", "cosine", "minhash"):
        for model, model_label in models:
            path = os.path.join(src, f"{corpus}.{model}.{method}.json")
            if method == "minhash":
                if model != models[0][0]:
                    continue
                model_label = "(none: lexical)"
            with open(path) as f:
                r = json.load(f)
            s = r["scores"]
            b = s["b_cubed"]
            note = ""
            if r["missing_gold"]:
                note += f"; {r['missing_gold']} without gold"
            if r["rejected"]:
                note += f"; {r['rejected']} rejected"
            rows.append(
                f"| {label} | {method} | {model_label} | {b['precision']:.3f} / {b['recall']:.3f} / **{b['f1']:.3f}** "
                f"| {s['ari']:.3f} | {s['pairwise']['f1']:.3f} | {s['predicted_clusters']} ({s['gold_clusters']}{note}) "
                f"| {target(corpus, s) if method == 'full' else ''} |"
            )
    for name, model, f1, ari in peers.get(corpus, []):
        rows.append(f"| {label} | {name} | {model} | – / – / {f1} | {ari or '–'} | | | |")
print("\n".join(rows))
EOF
)

echo "$table"

if [[ $update_readme == 1 ]]; then
    python3 - "$table" <<'EOF'
import sys
begin, end = "<!-- results:begin -->", "<!-- results:end -->"
text = open("README.md").read()
if begin not in text or end not in text:
    sys.exit("results.sh: README.md lacks the results markers")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open("README.md", "w").write(head + begin + "\n" + sys.argv[1] + "\n" + end + tail)
EOF
    echo "results.sh: README.md updated" >&2
fi

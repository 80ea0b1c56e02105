#!/usr/bin/env bash
# End-to-end throughput of `recoupe run`: articles/s and time per stage, on
# ../shared/eval/ecbplus-dev.jsonl and on a synthetic corpus of N articles with planted
# near-duplicates (made from ecbplus-dev by sentence drops, swaps and word edits).
#
# usage: scripts/bench-pipeline.sh [--model NAME] [--synthetic N] [--threads N]
# Each corpus runs twice: cold (empty embedding cache) and warm (every vector cached),
# so the non-embedding share is visible both ways. Figures come from each run's run.json.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=all-minilm-l6-v2
N=10000
THREADS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL=$2; shift 2 ;;
    --synthetic) N=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
EVAL=../shared/eval/ecbplus-dev.jsonl
if [ ! -f "$EVAL" ]; then echo "SKIP: $EVAL not found" >&2; exit 0; fi
WORK=${BENCH_DIR:-target/bench-pipeline}
mkdir -p "$WORK"
cargo build -p recoupe-cli --release --quiet
BIN=${CARGO_TARGET_DIR:-target}/release/recoupe

python3 - "$EVAL" "$N" "$WORK/synthetic-$N.jsonl" <<'PY'
import json, random, sys
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
docs = [json.loads(l) for l in open(src, encoding="utf-8")]
rng = random.Random(7)
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        base = docs[i % len(docs)]
        sents = [s for s in base["text"].replace("\n", " ").split(". ") if s]
        if i >= len(docs):  # a planted variant of document i % len(docs)
            k = rng.randrange(4)
            if k == 0 and len(sents) > 2:
                del sents[rng.randrange(len(sents))]
            elif k == 1 and len(sents) > 2:
                a, b = rng.sample(range(len(sents)), 2)
                sents[a], sents[b] = sents[b], sents[a]
            elif k == 2:
                words = " | ".join(sents).split(" ")
                for _ in range(max(1, len(words) // 20)):
                    j = rng.randrange(len(words))
                    words[j] = words[j][::-1]
                sents = " ".join(words).split(" | ")
        f.write(json.dumps({"id": f"syn-{i}", "text": ". ".join(sents),
                            "source": f"src{i % 37}", "planted_from": base["id"]}) + "\n")
PY

report() {
  python3 - "$1" "$2" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
total = r["total_seconds"]
stages = {s["stage"]: s["seconds"] for s in r["stages"]}
embed = stages.get("embed", 0.0)
rest = total - embed
print(f"{name}: {r['articles']} articles, {r['articles']/total:.1f} articles/s, total {total:.1f}s, "
      f"embedded {r['embedded']} (cached {r['cached']}), threads {r['threads']}")
print("   " + ", ".join(f"{k} {v:.2f}s ({100*v/total:.1f}%)" for k, v in stages.items()))
print(f"   everything but embedding: {rest:.2f}s = {100*rest/total:.1f}% of the total")
PY
}

for corpus in "$EVAL" "$WORK/synthetic-$N.jsonl"; do
  name=$(basename "$corpus" .jsonl)
  out="$WORK/out-$name-$MODEL"
  rm -rf "$out" "$WORK/cache-$name-$MODEL"
  for pass in cold warm; do
    "$BIN" run "$corpus" --out "$out" --model "$MODEL" --threads "$THREADS" \
      --cache-dir "$WORK/cache-$name-$MODEL" --quiet
    report "$name [$MODEL, $pass cache]" "$out/run.json"
  done
done

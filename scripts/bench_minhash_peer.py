#!/usr/bin/env python3
"""MinHash signature throughput: recoupe-similarity against rensa and datasketch.

Same run, same inputs, interleaved rounds, one thread on one core:

1. builds `recoupe-bench`'s `minhash_peer` example (release);
2. has it write the word 5-gram shingle sets of a synthetic news corpus to a file
   (benches/src/corpus.rs, deterministic seed), which every side then reads;
3. for each round, times every variant once (peers in this process, ours in a child
   process that reads the same file), and prints medians and ratios.

What each variant includes (shingle strings are prepared beforehand for everyone):
  ours oph_prehashed      u64 shingle hashes (XXH3, computed before timing) -> signatures
  ours oph_strings        XXH3 of each shingle string + signatures
  ours classic_prehashed  textbook k-hash MinHash on the same u64 hashes (reference)
  rensa RMinHash loop     per document: RMinHash(128, seed).update(strings).digest()
                          (rensa hashes the strings itself; the issue's reference figure)
  rensa matrix strings    RMinHash.digest_matrix_from_token_sets (bulk, hashes strings)
  rensa matrix prehashed  RMinHash.digest_matrix_from_token_hash_sets on rensa's own u64
                          hashes (computed before timing): like-for-like with oph_prehashed
  datasketch bulk         MinHash.bulk on utf-8 encoded shingles (a subset; slow)

The venv (.recoupe/peer-venv, git-ignored) is created on first use with PyPI rensa and
datasketch. The script re-runs itself under `taskset -c 0` with RAYON_NUM_THREADS=1 so
both sides get one core.

usage: python3 scripts/bench_minhash_peer.py [--docs 4000] [--rounds 7] [--num-perm 128]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pyvenv import ensure_venv as ensure_project_venv

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".recoupe" / "peer-venv"
VENV_PY = VENV / "bin" / "python"
PEERS = ["rensa==0.5.0", "datasketch==2.0.0", "numpy"]
SEED = 42


def ensure_venv():
    ensure_project_venv(VENV, PEERS, "rensa, datasketch, numpy")


def reexec_pinned(argv):
    """Run this script again inside the venv, pinned to core 0, one rayon thread."""
    env = dict(os.environ, RAYON_NUM_THREADS="1", RECOUPE_PEER_CHILD="1")
    cmd = [str(VENV_PY), str(Path(__file__).resolve()), *argv]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    else:
        print("taskset not found: running unpinned", file=sys.stderr)
    sys.exit(subprocess.run(cmd, env=env).returncode)


def target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def build():
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "recoupe-bench",
         "--features", "similarity", "--example", "minhash_peer"],
        cwd=ROOT, check=True,
    )
    return target_dir() / "release" / "examples" / "minhash_peer"


def run_ours(binary, path, num_perm):
    out = subprocess.run(
        [str(binary), "bench", "--input", str(path), "--reps", "1", "--num-perm", str(num_perm)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def timed(fn, n):
    t = time.perf_counter()
    fn()
    return n / (time.perf_counter() - t)


def accuracy(binary, path, sets, k):
    """Estimated vs exact Jaccard on planted same-story pairs, ours and rensa's."""
    from rensa import RMinHash

    labels = [int(x) for x in open(f"{path}.labels", encoding="utf-8")]
    by_story = {}
    for i, story in enumerate(labels):
        by_story.setdefault(story, []).append(i)
    pairs = [(a, b) for rows in by_story.values() for i, a in enumerate(rows) for b in rows[i + 1:]]
    pairs = pairs[:3000]
    pairs_path = f"{path}.pairs"
    with open(pairs_path, "w", encoding="utf-8") as f:
        f.writelines(f"{a} {b}\n" for a, b in pairs)
    ours = subprocess.run(
        [str(binary), "estimate", "--input", str(path), "--pairs", pairs_path, "--num-perm", str(k)],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    ours = [float(x) for x in ours]
    sketches = {}

    def sketch(i):
        if i not in sketches:
            m = RMinHash(num_perm=k, seed=SEED)
            m.update(sets[i])
            sketches[i] = m
        return sketches[i]

    exact, theirs = [], []
    for a, b in pairs:
        sa, sb = set(sets[a]), set(sets[b])
        exact.append(len(sa & sb) / len(sa | sb))
        theirs.append(sketch(a).jaccard(sketch(b)))

    def err(est):
        d = [e - x for e, x in zip(est, exact)]
        mae = sum(abs(x) for x in d) / len(d)
        rmse = (sum(x * x for x in d) / len(d)) ** 0.5
        return f"mean abs error {mae:.4f}, rmse {rmse:.4f}, mean signed error {sum(d) / len(d):+.4f}"

    print(f"accuracy on {len(pairs)} planted same-story pairs (exact Jaccard mean "
          f"{sum(exact) / len(exact):.3f}), textbook sd at J=0.5: {(0.25 / k) ** 0.5:.4f}")
    print(f"  ours  {err(ours)}")
    print(f"  rensa {err(theirs)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=4000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--datasketch-docs", type=int, default=400)
    args = ap.parse_args()

    if os.environ.get("RECOUPE_PEER_CHILD") != "1":
        ensure_venv()
        reexec_pinned(sys.argv[1:])

    from datasketch import MinHash
    from rensa import RMinHash

    binary = build()
    work = ROOT / ".recoupe" / "minhash-peer"
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"shingles-{args.docs}.tsv"
    gen = subprocess.run(
        [str(binary), "generate", "--docs", str(args.docs), "--seed", str(SEED), "--out", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout.strip()

    with open(path, encoding="utf-8") as f:
        sets = [line.rstrip("\n").split("\t") for line in f]
    n = len(sets)
    k = args.num_perm
    hashes = RMinHash.hash_token_sets(sets)
    ds_sets = [[s.encode("utf-8") for s in doc] for doc in sets[: args.datasketch_docs]]
    n_ds = len(ds_sets)

    def rensa_loop():
        for doc in sets:
            m = RMinHash(num_perm=k, seed=SEED)
            m.update(doc)
            m.digest()

    variants = {
        "rensa RMinHash loop": lambda: timed(rensa_loop, n),
        "rensa matrix strings": lambda: timed(
            lambda: RMinHash.digest_matrix_from_token_sets(sets, k, SEED), n),
        "rensa matrix prehashed": lambda: timed(
            lambda: RMinHash.digest_matrix_from_token_hash_sets(hashes, k, SEED), n),
        "datasketch bulk": lambda: timed(
            lambda: MinHash.bulk(ds_sets, num_perm=k, seed=SEED), n_ds),
    }
    results = {name: [] for name in variants}
    ours_keys = ["oph_prehashed", "oph_strings", "oph_text_ranges", "classic_prehashed"]
    for key in ours_keys:
        results["ours " + key] = []
    threads = None
    for r in range(args.rounds):
        # Alternate who goes first so drift does not favour one side.
        order = ["ours", *variants] if r % 2 == 0 else [*variants, "ours"]
        for name in order:
            if name == "ours":
                o = run_ours(binary, path, k)
                threads = o["threads"]
                for key in ours_keys:
                    results["ours " + key].append(o[key])
            else:
                results[name].append(variants[name]())

    med = {name: statistics.median(v) for name, v in results.items()}
    print(f"corpus: {gen}; num_perm {k}; word 5-grams; {args.rounds} interleaved rounds")
    print(f"pinned: taskset -c 0, RAYON_NUM_THREADS=1 (ours reports {threads} rayon thread)")
    print(f"{'variant':28} {'docs/s (median)':>16}   rounds")
    for name, v in results.items():
        print(f"{name:28} {med[name]:16,.0f}   " + " ".join(f"{x:,.0f}" for x in v))

    def ratio(a, b):
        per_round = statistics.median(x / y for x, y in zip(results[a], results[b]))
        return med[a] / med[b], per_round

    accuracy(binary, path, sets, k)
    print("ratios (median of medians / median of per-round ratios):")
    for a, b, note in [
        ("ours oph_prehashed", "rensa RMinHash loop", "issue target >= 1.5"),
        ("ours oph_prehashed", "rensa matrix prehashed", "like for like, pre-hashed"),
        ("ours oph_strings", "rensa RMinHash loop", "both hash strings"),
        ("ours oph_strings", "rensa matrix strings", "both hash strings, bulk"),
        ("ours oph_text_ranges", "rensa RMinHash loop", "both hash strings; ours contiguous"),
        ("ours classic_prehashed", "rensa matrix prehashed", "k-hash reference"),
        ("ours oph_prehashed", "datasketch bulk", "reference"),
    ]:
        m, p = ratio(a, b)
        print(f"  {a} / {b}: {m:.2f}x / {p:.2f}x   ({note})")


if __name__ == "__main__":
    main()

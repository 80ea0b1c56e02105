#!/usr/bin/env python3
"""How far can the pair features go on ecbplus-dev? A ceiling check for issue 4's targets.

The story score is a hand-set sum: `w * centred cosine + (1 - w) * rare-token overlap`
(names, numbers, words; see the similarity crate's README), plus since session 7 the
neighbourhood view's part (the dump's `neighbourhood` column; the learned combinations
below use the five views of session 6, without it). This script asks whether a
*learned* combination of the same features, or of those plus sentence-level similarity,
or the two models together, would reach the targets (B-cubed F1 0.97) on topics it was
not fitted on. It measures; nothing here changes recoupe.

Steps (everything is written under --out, default target/pair-ceiling):
 1. `calibrate_stories --corpus ecbplus-dev --dump-pairs OUT` (after `dump_vectors` writes
    `.recoupe/vectors/ecbplus-dev.<model>.jsonl` when missing): every pair of the full
    batch and of each topic half run as its own batch (odd topics: half0, the tuning
    half; even topics: half1, held out), with the crate's views, for both models.
 2. Unless --no-sentences: every line of four or more words of every article embedded on
    its own (`dump_vectors`, both models); per pair, the highest sentence cosine and the
    mean of the three highest, each centred on its batch mean.
 3. Average-link (scipy, on all pairs: the crate's average-link is exact over all pairs
    too) and B-cubed F1 for:
    - the crate's score at its threshold 0.16 (event split off: a reproduction check
      against `calibrate_stories -- --config '{"event_split":false}'`; exact before
      session 7, now exact for MiniLM and within 0.003 for e5: the neighbourhood view
      gives a positive score to pairs that share neighbours without being each other's
      candidates, and scipy may merge groups the crate's candidate graph does not
      link), and at the best threshold of each batch (an oracle);
    - logistic regression and gradient boosting on the pair features, fitted on one
      half (with the threshold that is best there) and applied to the other half and
      to the full batch;
    - the mean of the two models' scores.

The Python side runs in `.recoupe/analysis-venv` (git-ignored; numpy, scipy 1.17.1,
scikit-learn 1.9.1 from PyPI), created on first use.

usage: python3 scripts/pair_ceiling.py [--out DIR] [--no-sentences]
"""

import argparse
import csv
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from pyvenv import ensure_venv as ensure_project_venv

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".recoupe" / "analysis-venv"
VENV_PY = VENV / "bin" / "python"
PACKAGES = ["numpy", "scipy==1.17.1", "scikit-learn==1.9.1"]
MODELS = ["all-minilm-l6-v2", "multilingual-e5-small"]
CORPUS = ROOT / ".." / "shared" / "eval" / "ecbplus-dev.jsonl"
BATCHES = ["full", "half0", "half1"]
THRESHOLD = 0.16
# The similarity crate's default `embedding_weight`: the score's embedding part is
# EMBEDDING_WEIGHT * centred cosine.
EMBEDDING_WEIGHT = 0.2
FEATURES = ["centred", "name", "number", "word", "jaccard"]


def ensure_venv():
    ensure_project_venv(VENV, PACKAGES, "numpy, scipy, sklearn")


def cargo(*args):
    subprocess.run(["cargo", "run", "--release", "-q", *args], cwd=ROOT, check=True)


def dump(out, sentences):
    # The article vectors calibrate_stories reads (as the similarity README says).
    for m in MODELS:
        vectors = ROOT / ".recoupe" / "vectors" / f"ecbplus-dev.{m}.jsonl"
        if not vectors.exists():
            vectors.parent.mkdir(parents=True, exist_ok=True)
            cargo(
                "-p", "recoupe-embed", "--example", "dump_vectors", "--",
                str(ROOT / "models" / m), str(CORPUS), str(vectors),
            )
    cargo(
        "-p", "recoupe-bench", "--example", "calibrate_stories", "--",
        "--corpus", "ecbplus-dev", "--dump-pairs", str(out),
    )
    if not sentences:
        return
    lines = out / "sentences.jsonl"
    with open(CORPUS) as f, open(lines, "w") as w:
        for line in f:
            d = json.loads(line)
            kept = [s for s in d["text"].split("\n") if len(s.split()) >= 4]
            for k, s in enumerate(kept):
                w.write(json.dumps({"id": f"{d['id']}#{k}", "text": s}) + "\n")
    for m in MODELS:
        target = out / f"sentences.{m}.jsonl"
        if not target.exists():
            cargo(
                "-p", "recoupe-embed", "--example", "dump_vectors", "--",
                str(ROOT / "models" / m), str(lines), str(target),
            )


def load_pairs(path):
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def analyse(out, sentences):
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    def index(rows):
        ids, seen, gold = [], {}, {}
        for r in rows:
            for k in ("a", "b"):
                if r[k] not in seen:
                    seen[r[k]] = len(ids)
                    ids.append(r[k])
                    gold[r[k]] = r["gold_" + k]
        return ids, seen, [gold[i] for i in ids]

    def square(rows, values):
        ids, seen, gold = index(rows)
        m = np.zeros((len(ids), len(ids)))
        for r, v in zip(rows, values):
            i, j = seen[r["a"]], seen[r["b"]]
            m[i, j] = m[j, i] = v
        return m, gold

    def average_link(m, threshold):
        top = m.max() + 1.0
        d = top - m
        np.fill_diagonal(d, 0.0)
        return fcluster(linkage(squareform(d, checks=False), "average"), top - threshold, "distance")

    def b3_f1(pred, gold):
        pred, gold = np.asarray(pred), np.asarray(gold)
        p = r = 0.0
        for i in range(len(pred)):
            sp, sg = pred == pred[i], gold == gold[i]
            both = (sp & sg).sum()
            p += both / sp.sum()
            r += both / sg.sum()
        p, r = p / len(pred), r / len(pred)
        return 2 * p * r / (p + r)

    def f1_at(rows, values, threshold):
        m, gold = square(rows, values)
        return b3_f1(average_link(m, threshold), gold)

    def best(rows, values, thresholds):
        return max((f1_at(rows, values, t), t) for t in thresholds)

    pairs = {(m, b): load_pairs(out / f"ecbplus-dev.{m}.{b}.tsv") for m in MODELS for b in BATCHES}
    sentence_max = {}
    if sentences:
        for m in MODELS:
            vecs = defaultdict(list)
            with open(out / f"sentences.{m}.jsonl") as f:
                for line in f:
                    d = json.loads(line)
                    doc, k = d["id"].rsplit("#", 1)
                    vecs[doc].append((int(k), np.asarray(d["vector"], dtype=np.float32)))
            docs = sorted(vecs)
            mats = [np.stack([v for _, v in sorted(vecs[d], key=lambda t: t[0])]) for d in docs]
            pos = {d: i for i, d in enumerate(docs)}
            top1 = np.zeros((len(docs), len(docs)), dtype=np.float32)
            top3 = np.zeros_like(top1)
            for i, a in enumerate(mats):
                for j in range(i, len(docs)):
                    c = np.sort((a @ mats[j].T).ravel())
                    top1[i, j] = top1[j, i] = c[-1]
                    top3[i, j] = top3[j, i] = c[-3:].mean()
            sentence_max[m] = (pos, top1, top3)

    def features(m, rows, with_sentences):
        x = np.array([[float(r[k]) for k in FEATURES] for r in rows])
        if with_sentences:
            pos, top1, top3 = sentence_max[m]
            ia = [pos[r["a"]] for r in rows]
            ib = [pos[r["b"]] for r in rows]
            s = np.column_stack([top1[ia, ib], top3[ia, ib]])
            x = np.column_stack([x, s - s.mean(0)])
        y = np.array([r["gold_a"] == r["gold_b"] for r in rows])
        return x, y

    grid = [round(0.10 + 0.01 * i, 2) for i in range(16)]
    print("B-cubed F1 on ecbplus-dev; half0 = odd topics (tuning), half1 = even topics (held out);")
    print("each half is its own batch. Average-link over all pairs, event split off.\n")
    print("| model | score | full | half0 | half1 |")
    print("|---|---|---|---|---|")
    for m in MODELS:
        at = [f1_at(pairs[m, b], [float(r["score"]) for r in pairs[m, b]], THRESHOLD) for b in BATCHES]
        print(f"| {m} | crate score at {THRESHOLD} | " + " | ".join(f"{f:.3f}" for f in at) + " |")
        oracle = [best(pairs[m, b], [float(r["score"]) for r in pairs[m, b]], grid) for b in BATCHES]
        print(f"| {m} | crate score, best threshold of each batch (oracle) | "
              + " | ".join(f"{f:.3f} ({t})" for f, t in oracle) + " |")
        # The centred cosine divided by the batch's mean top-1 centred cosine (so one
        # threshold might serve both models): the score with its embedding part rescaled.
        scaled = []
        for b in BATCHES:
            centred, _ = square(pairs[m, b], [float(r["centred"]) for r in pairs[m, b]])
            np.fill_diagonal(centred, -np.inf)
            top1 = centred.max(1).mean()
            values = [float(r["score"]) + EMBEDDING_WEIGHT * float(r["centred"]) * (1 / top1 - 1)
                      for r in pairs[m, b]]
            f, t = best(pairs[m, b], values, grid)
            scaled.append(f"{f:.3f} ({t}; top-1 {top1:.3f})")
        print(f"| {m} | embedding part / mean top-1 centred cosine, best threshold | " + " | ".join(scaled) + " |")
    rows = {b: pairs[MODELS[0], b] for b in BATCHES}
    mean = {b: [(float(r["score"]) + float(s["score"])) / 2
                for r, s in zip(pairs[MODELS[0], b], pairs[MODELS[1], b])] for b in BATCHES}
    for b in BATCHES:
        assert all((r["a"], r["b"]) == (s["a"], s["b"]) for r, s in zip(pairs[MODELS[0], b], pairs[MODELS[1], b]))
    at = [f1_at(rows[b], mean[b], THRESHOLD) for b in BATCHES]
    oracle = [best(rows[b], mean[b], grid) for b in BATCHES]
    print(f"| both | mean of the two scores at {THRESHOLD} | " + " | ".join(f"{f:.3f}" for f in at) + " |")
    print("| both | mean of the two scores, best threshold (oracle) | "
          + " | ".join(f"{f:.3f} ({t})" for f, t in oracle) + " |")

    import re

    from sklearn.metrics import roc_auc_score

    print("\nArticles naming a year (1950-2029) in the topics merged by the default:\n")
    years = defaultdict(lambda: [0, 0])
    with open(CORPUS) as f:
        for line in f:
            d = json.loads(line)
            if d["topic"] in ("9", "10", "11", "20"):
                years[d["cluster"]][0] += 1
                years[d["cluster"]][1] += bool(re.search(r"\b(19[5-9]\d|20[0-2]\d)\b", d["text"]))
    print(", ".join(f"{c} {n}/{total}" for c, (total, n) in sorted(years.items())))

    print("\nROC AUC of single views on same-topic pairs of the full batch (same story or not):\n")
    views = ["cos", "centred", "rare", "name", "number", "word", "jaccard", "neighbourhood", "score"]
    views += ["sentence top1", "sentence top3"] if sentences else []
    print("| model | " + " | ".join(views) + " |")
    print("|---|" + "---|" * len(views))
    for m in MODELS:
        same = [r for r in pairs[m, "full"] if r["topic_a"] == r["topic_b"]]
        y = [r["gold_a"] == r["gold_b"] for r in same]
        cells = [roc_auc_score(y, [float(r[v]) for r in same]) for v in views[:9]]
        if sentences:
            pos, top1, top3 = sentence_max[m]
            ia = [pos[r["a"]] for r in same]
            ib = [pos[r["b"]] for r in same]
            cells += [roc_auc_score(y, top1[ia, ib]), roc_auc_score(y, top3[ia, ib])]
        print(f"| {m} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")

    print("\nLearned combinations: fitted on one half (threshold chosen there), applied to the")
    print("other half and to the full batch.\n")
    print("| model | learner | features | fitted on | F1 there | other half | full batch (holds the fitted half) |")
    print("|---|---|---|---|---|---|---|")
    for m in MODELS:
        for with_sentences in ([False, True] if sentences else [False]):
            names = "5 pair views" + (" + 2 sentence" if with_sentences else "")
            data = {b: features(m, pairs[m, b], with_sentences) for b in BATCHES}
            for learner in ["logistic", "boosting"]:
                for fit_on, other in [("half0", "half1"), ("half1", "half0")]:
                    x, y = data[fit_on]
                    if learner == "logistic":
                        model = LogisticRegression(max_iter=3000)
                    else:
                        model = HistGradientBoostingClassifier(
                            max_depth=3, max_iter=200, learning_rate=0.05,
                            early_stopping=False, random_state=0,
                        )
                    model.fit(x, y)
                    prob = {b: model.predict_proba(data[b][0])[:, 1] for b in BATCHES}
                    there, t = best(pairs[m, fit_on], prob[fit_on],
                                    list(np.quantile(prob[fit_on], np.linspace(0.80, 0.999, 50))))
                    print(f"| {m} | {learner} | {names} | {fit_on} | {there:.3f} | "
                          f"{f1_at(pairs[m, other], prob[other], t):.3f} | "
                          f"{f1_at(pairs[m, 'full'], prob['full'], t):.3f} |", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "target" / "pair-ceiling"))
    ap.add_argument("--no-sentences", action="store_true")
    args = ap.parse_args()
    out = Path(args.out)
    if os.environ.get("RECOUPE_ANALYSIS_CHILD") != "1":
        if not CORPUS.exists():
            sys.exit(f"{CORPUS} not found: pair_ceiling needs ../shared/eval")
        out.mkdir(parents=True, exist_ok=True)
        dump(out, not args.no_sentences)
        ensure_venv()
        env = dict(os.environ, RECOUPE_ANALYSIS_CHILD="1")
        sys.exit(subprocess.run([str(VENV_PY), __file__, *sys.argv[1:]], env=env).returncode)
    analyse(out, not args.no_sentences)


if __name__ == "__main__":
    main()

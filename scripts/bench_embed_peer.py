#!/usr/bin/env python3
"""recoupe-embed against sentence-transformers: same texts, same run, interleaved.

    scripts/setup-reference-env.sh        # once: .recoupe/ref-venv (full torch, s-t 3.3.1)
    .recoupe/ref-venv/bin/python scripts/bench_embed_peer.py \
        [--model models/all-minilm-l6-v2] [--max-len 256] [--n 2000] [--rounds 3]

Texts: ECB+ dev articles (../shared/eval/ecbplus-dev.jsonl; news-length), cycled to --n.
Each round runs sentence-transformers `encode(batch_size=32)` in this process (model
loaded once, warm) and the Rust bench binary (`benches/benches/embed.rs` in peer mode: it
loads the model, warms up, then times one `embed` of all texts), alternating which goes
first. Prints the median texts/s of each and the ratio, plus the fidelity of the Rust
vectors against sentence-transformers' (min cosine). Only `embed`/`encode` is timed;
loading is not. The machine is shared: only the ratio within one run means something.
Extra `--env KEY=VALUE` are passed to the Rust binary (e.g. RECOUPE_EMBED_WORKERS=1).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # local model dirs only; no hub look-ups

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build_rust():
    env = dict(os.environ)
    cmd = ["cargo", "bench", "-p", "recoupe-bench", "--features", "embed", "--bench", "embed",
           "--no-run", "--message-format=json"]
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE).stdout
    exe = None
    for line in out.decode().splitlines():
        try:
            m = json.loads(line)
        except json.JSONDecodeError:
            continue
        if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "embed" \
                and m.get("executable"):
            exe = m["executable"]
    if not exe:
        sys.exit("could not find the embed bench executable")
    return exe


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "models/all-minilm-l6-v2"))
    ap.add_argument("--max-len", type=int, default=256)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", default=os.path.join(ROOT, "../shared/eval/ecbplus-dev.jsonl"))
    ap.add_argument("--exe", help="prebuilt bench binary (default: cargo bench --no-run)")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the Rust binary")
    args = ap.parse_args()
    args.model = os.path.abspath(args.model)

    arts = [json.loads(l)["text"] for l in open(args.data, encoding="utf-8") if l.strip()]
    arts = [a for a in arts if a.strip()]
    texts = [arts[i % len(arts)] for i in range(args.n)]
    exe = args.exe or build_rust()

    model = SentenceTransformer(args.model, device="cpu")
    model.max_seq_length = args.max_len
    name = os.path.basename(os.path.normpath(args.model))
    prefix = "passage: " if "e5" in name.lower() else ""
    st_texts = [prefix + t for t in texts]
    model.encode(st_texts[:16], batch_size=32)  # warm-up

    tmp = tempfile.mkdtemp(prefix="recoupe-embed-peer-")
    texts_path = os.path.join(tmp, "texts.jsonl")
    with open(texts_path, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    vec_path = os.path.join(tmp, "vectors.jsonl")
    env = dict(os.environ)
    env.update({
        "RECOUPE_EMBED_PEER_TEXTS": texts_path,
        "RECOUPE_EMBED_PEER_OUT": vec_path,
        "RECOUPE_EMBED_MODEL": os.path.abspath(args.model),
        "RECOUPE_EMBED_MAXLEN": str(args.max_len),
    })
    for kv in args.env:
        k, _, v = kv.partition("=")
        env[k] = v

    st_rates, rs_rates, st_vecs, info = [], [], None, None

    def run_st():
        nonlocal st_vecs
        t0 = time.perf_counter()
        v = model.encode(st_texts, batch_size=32, normalize_embeddings=True)
        dt = time.perf_counter() - t0
        st_vecs = v
        st_rates.append(len(texts) / dt)
        print(f"  sentence-transformers: {len(texts) / dt:7.2f} texts/s ({dt:.1f}s)", flush=True)

    def run_rs():
        nonlocal info
        out = subprocess.run([exe], env=env, check=True, stdout=subprocess.PIPE).stdout.decode()
        info = json.loads(out.strip().splitlines()[-1])
        rs_rates.append(info["texts_per_s"])
        print(f"  recoupe-embed:         {info['texts_per_s']:7.2f} texts/s ({info['seconds']:.1f}s, "
              f"{info['workers']} workers)", flush=True)

    print(f"{name}: {len(texts)} texts, max_len {args.max_len}, torch threads {torch.get_num_threads()}, "
          f"rounds {args.rounds}", flush=True)
    for r in range(args.rounds):
        print(f"round {r + 1}", flush=True)
        if r % 2 == 0:
            run_st()
            run_rs()
        else:
            run_rs()
            run_st()

    rs_vecs = np.array([json.loads(l) for l in open(vec_path)], dtype=np.float64)
    stv = np.asarray(st_vecs, dtype=np.float64)
    cos = (rs_vecs * stv).sum(1) / (np.linalg.norm(rs_vecs, axis=1) * np.linalg.norm(stv, axis=1))
    st_med, rs_med = statistics.median(st_rates), statistics.median(rs_rates)
    print(f"RESULT {name}: sentence-transformers median {st_med:.2f} texts/s, recoupe-embed median "
          f"{rs_med:.2f} texts/s, ratio {rs_med / st_med:.2f}x; cosine min {cos.min():.6f} "
          f"mean {cos.mean():.7f} ({info['model_id']})", flush=True)


if __name__ == "__main__":
    main()

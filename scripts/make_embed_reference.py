#!/usr/bin/env python3
"""Reference vectors for recoupe-embed's fidelity test, computed with sentence-transformers.

    scripts/setup-reference-env.sh                       # once: .recoupe/ref-venv
    .recoupe/ref-venv/bin/python scripts/make_embed_reference.py [model_dir ...]

Writes crates/recoupe-embed/tests/data/embed_reference.json: ~20 texts (French and
English; headlines, paragraphs, and articles longer than max_seq_length, taken from the
seed articles and ECB+ dev set under ../shared, plus a few written here) and, for each
model directory (default: models/all-minilm-l6-v2 and models/multilingual-e5-small, those
present), two vectors per text:

- "first": `SentenceTransformer.encode(prefix + text)` as it is: truncation to
  max_seq_length. recoupe's ChunkPooling::First must match it.
- "mean": recoupe's ChunkPooling::Mean mirrored here (sentence-aligned windows over the
  same tokenizer's tokens, each window run through the same SentenceTransformer modules,
  window vectors averaged and re-normalised), so the comparison is like-for-like.

Models already in the file and not recomputed are kept.
"""
import json
import os
import sys

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "crates/recoupe-embed/tests/data/embed_reference.json")
SHARED = os.path.join(ROOT, "..", "shared")
MAX_WINDOWS = 8  # recoupe's default SentenceEmbedderBuilder::max_windows

FINAL = ".!?…。！？"
CLOSERS = "\"'»”’)]"


def texts():
    out = [
        ("short-fr-1", "fr", "Un séisme de magnitude 6,1 a frappé le centre de l'Italie dans la nuit."),
        ("short-en-1", "en", "A magnitude 6.1 earthquake struck central Italy overnight."),
        ("short-fr-2", "fr", "La BCE maintient ses taux directeurs inchangés."),
        ("short-en-2", "en", "Apple unveils the new iPhone at its annual event in Cupertino."),
        ("word", "en", "Breaking"),
        ("mixed", "fr", "Le CEO d'OpenAI, Sam Altman, a été « réintégré » — selon Reuters (AFP)."),
    ]
    seed = os.path.join(SHARED, "fixtures/seed-articles/articles.jsonl")
    with open(seed, encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            out.append(("seed-" + a["id"], a.get("lang") or "fr", a["text"]))
    ecb = os.path.join(SHARED, "eval/ecbplus-dev.jsonl")
    with open(ecb, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    rows.sort(key=lambda r: len(r["text"]))
    picks = [rows[0], rows[len(rows) // 4], rows[len(rows) // 2], rows[3 * len(rows) // 4], rows[-2], rows[-1]]
    for r in picks:
        out.append(("ecb-" + r["id"], r.get("lang") or "en", r["text"]))
    # two title + body texts, as the pipeline builds them
    for r in rows[len(rows) // 3 : len(rows) // 3 + 2]:
        first, _, rest = r["text"].partition("\n")
        out.append(("ecb-titled-" + r["id"], "en", first + "\n" + rest))
    return out


def sentence_starts(text, offsets):
    """Mirror of recoupe_embed::chunk::sentence_starts (character offsets here)."""
    starts = [False] * len(offsets)
    for i in range(1, len(offsets)):
        prev_start, prev_end = offsets[i - 1]
        start, end = offsets[i]
        gap = text[min(prev_end, start):start]
        own = text[start:max(end, start)]
        lead = own[: len(own) - len(own.lstrip())]
        if "\n" in gap or "\n" in lead:
            starts[i] = True
            continue
        if any(c.isspace() for c in gap) or lead:
            head = text[:prev_end]
            ws = max((k for k, c in enumerate(head) if c.isspace()), default=-1)
            word_start = min(ws + 1, prev_start)
            word = text[word_start:prev_end].rstrip(CLOSERS)
            starts[i] = word.endswith(tuple(FINAL))
    return starts


def windows(starts, budget):
    """Mirror of recoupe_embed::chunk::windows."""
    budget = max(budget, 1)
    n, s, out = len(starts), 0, []
    while s < n:
        if n - s <= budget:
            out.append((s, n))
            break
        limit = s + budget
        end = next((b for b in range(limit, s, -1) if starts[b]), limit)
        out.append((s, end))
        s = end
    return out


def model_prefix(model_dir):
    st_cfg = os.path.join(model_dir, "config_sentence_transformers.json")
    prompts = {}
    if os.path.exists(st_cfg):
        prompts = json.load(open(st_cfg)).get("prompts", {}) or {}
    for k in ("passage", "document"):
        if k in prompts:
            return prompts[k]
    return "passage: " if "e5" in os.path.basename(model_dir).lower() else ""


def mean_windows(model, tok, prefix, text, max_len):
    full = prefix + text
    enc = tok.encode(full, add_special_tokens=False)
    core = len(prefix.rstrip())
    pref_ids, ids, offs = [], [], []
    for i, o in zip(enc.ids, enc.offsets):
        if prefix and o[1] <= core:
            pref_ids.append(i)
        else:
            ids.append(i)
            offs.append(o)
    specials = tok.encode("", add_special_tokens=True).ids
    assert len(specials) == 2, specials
    budget = max(max_len - 2 - len(pref_ids), 1)
    ws = windows(sentence_starts(full, offs), budget)[:MAX_WINDOWS]
    vecs = []
    for s, e in ws:
        seq = [specials[0]] + pref_ids + ids[s:e] + [specials[1]]
        feats = {
            "input_ids": torch.tensor([seq]),
            "attention_mask": torch.ones(1, len(seq), dtype=torch.long),
            "token_type_ids": torch.zeros(1, len(seq), dtype=torch.long),
        }
        with torch.no_grad():
            v = model(feats)["sentence_embedding"][0].double().numpy()
        vecs.append(v / np.linalg.norm(v))
    m = np.mean(vecs, axis=0)
    return m / np.linalg.norm(m), len(ws)


def main():
    dirs = sys.argv[1:] or [
        os.path.join(ROOT, "models/all-minilm-l6-v2"),
        os.path.join(ROOT, "models/multilingual-e5-small"),
    ]
    data = {"texts": [], "models": {}}
    if os.path.exists(OUT):
        data = json.load(open(OUT, encoding="utf-8"))
    items = texts()
    data["texts"] = [{"id": i, "lang": l, "text": t} for i, l, t in items]
    data["generator"] = (
        "scripts/make_embed_reference.py with torch %s, sentence-transformers %s"
        % (torch.__version__, __import__("sentence_transformers").__version__)
    )
    torch.set_num_threads(2)
    for d in dirs:
        if not os.path.isdir(d):
            print(f"skip {d}: not installed (scripts/setup.sh)", file=sys.stderr)
            continue
        name = os.path.basename(os.path.normpath(d))
        model = SentenceTransformer(d, device="cpu")
        model.eval()
        tok = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        prefix = model_prefix(d)
        max_len = model.max_seq_length
        first = model.encode([prefix + t for _, _, t in items], batch_size=1, normalize_embeddings=True)
        out = []
        for k, (tid, _, text) in enumerate(items):
            mean, nw = mean_windows(model, tok, prefix, text, max_len)
            out.append({
                "id": tid,
                "n_windows": nw,
                "first": [round(float(x), 7) for x in first[k]],
                "mean": [round(float(x), 7) for x in mean],
            })
        data["models"][name] = {"max_seq_length": max_len, "prefix": prefix, "vectors": out}
        print(f"{name}: {len(out)} texts, windows {[o['n_windows'] for o in out]}", file=sys.stderr)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

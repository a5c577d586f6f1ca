#!/usr/bin/env bash
# Every test suite of the project, as CI runs it (.ci/run calls this script).
# Usage: ./scripts/test.sh
# Real datasets are read from ../shared/datasets beside the project root, or $GALTON_DATASETS.
# The Python bindings are built into a virtualenv (target/pyenv, scripts/python-env.sh) and
# their pytest suite runs after the Rust tests; then the WebAssembly package's Node tests
# (scripts/wasm-build.sh) and the capture page's end-to-end test in headless Chromium
# (scripts/browser-env.sh installs chromium and playwright-core when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets -- -D warnings

step "core for wasm32 without default features (no rayon), as the browser bindings use it"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
cargo check -p galton --no-default-features --target wasm32-unknown-unknown
# The browser bindings as the browser compiles them (the workspace lint above sees them
# built for this machine). --no-deps: the core's lints are the host run's.
cargo clippy -p galton-wasm --no-deps --target wasm32-unknown-unknown -- -D warnings

step "core for aarch64 (the NEON kernels compile; scripts/test-aarch64.sh runs them under qemu)"
if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
  rustup target add aarch64-unknown-linux-gnu
fi
# Without the default `store` feature: it compiles the bundled SQLite C source, which needs a
# C cross compiler for aarch64 (aarch64-linux-gnu-gcc) that this machine does not have; the
# store has no architecture-specific code, and everything else is checked.
cargo check -p galton --no-default-features --features rayon --target aarch64-unknown-linux-gnu

step "Rust tests (unit, integration, doc)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace 2>&1 | tee "$log"

# One closing line for the whole run (cargo prints one per test binary, the last often empty).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
     END { printf "\nrust: %d passed, %d failed\n", p, f }' "$log"

step "Python bindings (virtualenv, build, pytest)"
python=$(./scripts/python-env.sh | tail -n 1)
pylog=$(mktemp)
trap 'rm -f "$log" "$pylog"' EXIT
set +e
"$python" -m pytest bindings-python/tests -q -p no:cacheprovider 2>&1 | tee "$pylog"
pytest_rc=${PIPESTATUS[0]}
set -e
# pytest's summary line, e.g. "3 failed, 57 passed, 1 xfailed in 9.1s", as one closing line.
awk '/^(=+ )?[0-9]+ (passed|failed|errors?|skipped|xfailed|xpassed|deselected|warnings?)(,.*)? in [0-9.]+s/ {
       p = 0; f = 0
       for (i = 2; i <= NF; i++) { if ($i ~ /^passed/) p = $(i-1); if ($i ~ /^(failed|errors?)/) f += $(i-1) } }
     END { printf "\npython: %d passed, %d failed\n", p, f }' "$pylog"

# node --test, summed into one closing line: "<label>: N passed, N failed".
node_tests() { # label dir
  local label=$1 dir=$2 out rc
  out=$(mktemp)
  set +e
  node --test "$dir" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  set -e
  awk -v label="$label" '/^# pass / { p = $3 } /^# fail / { f = $3 }
       END { printf "\n%s: %d passed, %d failed\n", label, p, f }' "$out"
  rm -f "$out"
  return "$rc"
}

step "WebAssembly package (wasm-bindgen build, size budget, node --test)"
./scripts/wasm-build.sh
set +e
node_tests wasm bindings-wasm/tests/
wasm_rc=$?
set -e

step "capture page in headless Chromium (Debian chromium, playwright-core)"
./scripts/browser-env.sh
./scripts/page.sh
set +e
node_tests browser bindings-wasm/e2e/
browser_rc=$?
set -e

if ((pytest_rc || wasm_rc || browser_rc)); then
  echo "test.sh: failures (python rc $pytest_rc, wasm rc $wasm_rc, browser rc $browser_rc)" >&2
  exit 1
fi

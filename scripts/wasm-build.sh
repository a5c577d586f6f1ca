#!/usr/bin/env bash
# Builds the WebAssembly package of galton (crate bindings-wasm) into
#   target/wasm/web    ES module for browsers and workers (wasm-bindgen --target web)
#   target/wasm/node   CommonJS module for Node.js (wasm-bindgen --target nodejs)
# each an npm-style package (package.json, .js, .d.ts, .wasm), and prints the .wasm's size.
#
# Installs what it needs when missing, and only then: the wasm32-unknown-unknown target
# (rustup) and wasm-bindgen-cli at exactly the version of the wasm-bindgen crate that
# bindings-wasm pins (cargo install, built from source).
# Usage: ./scripts/wasm-build.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' bindings-wasm/Cargo.toml)
if [[ -z "$version" ]]; then
  echo "wasm-build: bindings-wasm/Cargo.toml must pin wasm-bindgen exactly (\"=X.Y.Z\")" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $version"; then
  echo "wasm-build: installing wasm-bindgen-cli $version (cargo install, a few minutes)" >&2
  # The CLI's own lock file first; if the registry lacks a version it locks, resolve anew.
  cargo install wasm-bindgen-cli --version "$version" --locked ||
    cargo install wasm-bindgen-cli --version "$version"
fi

# The `wasm` profile: release with LTO, one codegen unit, abort on panic (Cargo.toml).
cargo build -p galton-wasm --target wasm32-unknown-unknown --profile wasm
module=target/wasm32-unknown-unknown/wasm/galton_wasm.wasm
crate_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

package() { # out-dir wasm-bindgen-target module-type
  local out=$1 target=$2 type=$3
  rm -rf "$out"
  wasm-bindgen --target "$target" --remove-name-section --remove-producers-section \
    --out-dir "$out" "$module"
  cat >"$out/package.json" <<EOF
{
  "name": "galton-wasm",
  "version": "$crate_version",
  "description": "galton in the browser and Node.js: fingerprint and face capture quality, minutiae, ISO/ANSI templates, face-embedding comparison",
  "license": "Apache-2.0",
  "type": "$type",
  "main": "galton_wasm.js",
  "types": "galton_wasm.d.ts",
  "files": ["galton_wasm.js", "galton_wasm.d.ts", "galton_wasm_bg.wasm", "galton_wasm_bg.wasm.d.ts"],
  "sideEffects": false
}
EOF
}
package target/wasm/web web module
package target/wasm/node nodejs commonjs

raw=$(wc -c <target/wasm/web/galton_wasm_bg.wasm)
gz=$(gzip -9 -c target/wasm/web/galton_wasm_bg.wasm | wc -c)
printf 'wasm: galton_wasm_bg.wasm %d KiB, %d KiB gzip -9 (budget 600 KB gzip)\n' \
  $((raw / 1024)) $((gz / 1024))
if ((gz > 600 * 1000)); then
  echo "wasm-build: the module exceeds its 600 KB gzip budget" >&2
  exit 1
fi

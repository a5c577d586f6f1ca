#!/usr/bin/env bash
# Builds the WebAssembly package (scripts/wasm-build.sh) and assembles the capture-quality page
# (bindings-wasm/page) into one self-contained static folder, target/page/:
#   index.html app.js i18n.js worker.js style.css icon.svg   the page (plain ES modules)
#   pkg/galton_wasm.js pkg/galton_wasm_bg.wasm                the web package the worker imports
#   sw.js                                                     the offline cache of all the above
# Open target/page/index.html through any static server, at any path; nothing is fetched from
# outside the folder. The e2e test (node --test bindings-wasm/e2e/) serves it in Chromium.
# Usage: ./scripts/page.sh
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/wasm-build.sh

src=bindings-wasm/page
out=target/page
rm -rf "$out"
mkdir -p "$out/pkg"
cp "$src"/index.html "$src"/app.js "$src"/i18n.js "$src"/worker.js "$src"/style.css "$src"/icon.svg "$out/"
cp target/wasm/web/galton_wasm.js target/wasm/web/galton_wasm_bg.wasm "$out/pkg/"

# The service worker caches every file of the folder (and the folder's own URL, the page),
# under a name that changes with their content, so that a new build replaces the old cache.
mapfile -t files < <(cd "$out" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
version=$(cd "$out" && sha256sum "${files[@]}" | sha256sum | cut -c1-16)
list="'./'"
for f in "${files[@]}"; do list+=", './$f'"; done
sed -e "s|^const VERSION = 'dev';$|const VERSION = '$version';|" \
  -e "s|^const FILES = \['./', './index.html'\];$|const FILES = [$list];|" \
  "$src/sw.js" >"$out/sw.js"
if ! grep -q "^const VERSION = '$version';" "$out/sw.js" || grep -q "^const FILES = \['./', './index.html'\];$" "$out/sw.js"; then
  echo "page: could not write the file list into sw.js" >&2
  exit 1
fi

printf 'page: %s (%d files, %d KiB, cache %s)\n' "$out" $((${#files[@]} + 1)) \
  $(($(du -sk "$out" | cut -f1))) "$version"

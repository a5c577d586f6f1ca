#!/usr/bin/env bash
# Installs what the page's end-to-end test (bindings-wasm/e2e) needs, when missing and only then:
#   Chromium  Debian's package (/usr/bin/chromium), or the browser that $CHROMIUM names
#   Node.js   Debian's nodejs and npm, when there is no node at all
#   playwright-core  at the version bindings-wasm/package-lock.json pins (npm ci)
# Playwright never downloads a browser here: the test drives the system's Chromium.
# Usage: ./scripts/browser-env.sh
set -euo pipefail
cd "$(dirname "$0")/.."

apt_updated=
apt_install() {
  if [[ -z "$apt_updated" ]]; then
    apt-get update -qq
    apt_updated=1
  fi
  # dpkg's hundreds of lines go to a log, shown only if the install fails.
  local log
  log=$(mktemp)
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x "$chromium" ]]; then
  if [[ -n "${CHROMIUM:-}" ]]; then
    echo "browser-env: CHROMIUM=$CHROMIUM is not an executable" >&2
    exit 1
  fi
  echo "browser-env: installing chromium (apt-get)" >&2
  apt_install chromium
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "browser-env: installing nodejs and npm (apt-get)" >&2
  apt_install nodejs npm
fi

if [[ ! -d bindings-wasm/node_modules/playwright-core ]]; then
  echo "browser-env: installing playwright-core (npm ci)" >&2
  (cd bindings-wasm && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

printf 'browser-env: %s; node %s; playwright-core %s\n' \
  "$("$chromium" --version 2>/dev/null | head -n 1)" "$(node --version)" \
  "$(node -p "require('./bindings-wasm/node_modules/playwright-core/package.json').version")"

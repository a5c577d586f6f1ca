#!/usr/bin/env bash
# The Python environment of the bindings: a virtualenv with maturin, numpy, pytest and
# dask[distributed], and the `galton` package built from bindings-python/ (dev profile, in the
# workspace's target directory) and installed into it. Idempotent: a second run installs
# nothing and only lets cargo check that the extension is up to date.
#
# Usage: ./scripts/python-env.sh      (prints the venv's python path on its last line)
# Env:   GALTON_PYENV  the virtualenv (default target/pyenv)
#        PYTHON        the interpreter to create it with (default python3; CPython >= 3.9)
#        GALTON_PY_PROFILE  dev (default) or release: the workspace's dev profile is optimised
#                      too (opt-level 2, dependencies 3) and shares the core's build with
#                      `cargo test`, so a cold build is minutes shorter
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${GALTON_PYENV:-target/pyenv}
python=${PYTHON:-python3}
requirements=(maturin numpy pytest matplotlib "dask[distributed]")

if [[ ! -x "$venv/bin/python" ]]; then
  echo "python-env: creating $venv" >&2
  "$python" -m venv "$venv"
fi
venv=$(cd "$venv" && pwd)
if ! "$venv/bin/python" -c 'import maturin, numpy, pytest, matplotlib, dask, distributed' 2>/dev/null; then
  echo "python-env: installing ${requirements[*]}" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
fi

# maturin develop: cargo build (dev profile unless GALTON_PY_PROFILE=release) of galton-python with pyo3/extension-module
# (pyproject.toml), then an editable install (the module lands in
# bindings-python/python/galton/, beside the pure-Python files).
profile=${GALTON_PY_PROFILE:-dev}
case "$profile" in
  release) profile_flag=(--release) ;;
  dev) profile_flag=() ;;
  *) echo "python-env: GALTON_PY_PROFILE is release or dev, not $profile" >&2; exit 2 ;;
esac
echo "python-env: building the extension ($profile)" >&2
VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" \
  "$venv/bin/maturin" develop "${profile_flag[@]}" --quiet -m bindings-python/Cargo.toml >&2

"$venv/bin/python" -c 'import galton, sys; print(f"python-env: galton {galton.__version__} on Python {sys.version.split()[0]}", file=sys.stderr)'
echo "$venv/bin/python"

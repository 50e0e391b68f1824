#!/usr/bin/env bash
# Creates peers/msal/.venv (git-ignored) and installs msal from PyPI into it (idempotent: reinstalls only when
# requirements.txt changed). Needs python3 with the venv module (Debian: python3-venv).
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
command -v "$PY" >/dev/null 2>&1 || { echo "install.sh: $PY not found" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi
.venv/bin/python -c 'import msal, requests; print("msal", msal.__version__, "requests", requests.__version__)'

#!/usr/bin/env bash
# Installs this peer's npm packages (exact versions from package-lock.json) into its own node_modules (git-ignored),
# never into wsconform's. Idempotent: does nothing when node_modules matches the lock file.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.wsconform-lock.sha256
want="$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
node -e 'const l=require("./package-lock.json").packages; for (const n of Object.keys(require("./package.json").dependencies)) console.log(n, l["node_modules/"+n].version)'

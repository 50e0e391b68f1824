#!/usr/bin/env bash
# Installs the calibration libraries (known-vulnerable and fixed token consumers) into test/calibration/node_modules,
# from the npm registry only. They are test fixtures, never dependencies of wsconform.
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund --ignore-scripts --no-save --package-lock=false

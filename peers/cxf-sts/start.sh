#!/usr/bin/env bash
# Starts the Apache CXF STS peer on https://127.0.0.1:${CXF_STS_PORT:-9443}; prints the base URL (last line of the
# start-up banner) when it is ready. Stops on SIGTERM/SIGINT. Run install.sh first.
set -euo pipefail
cd "$(dirname "$0")"
[ -f target/cxf-sts-peer-0.1.0.jar ] && [ -f keys/sts.p12 ] || { echo "start.sh: run install.sh first" >&2; exit 3; }
exec java -Xmx512m -XX:+UseSerialGC \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dsts.port="${CXF_STS_PORT:-9443}" -Dsts.keys="$PWD/keys" \
  -cp "target/cxf-sts-peer-0.1.0.jar:target/lib/*" wsconform.cxfsts.Launcher

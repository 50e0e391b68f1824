#!/usr/bin/env bash
# Runs the CXF STSClient against an STS: run.sh --url https://127.0.0.1:8443 --ca tls.pem 1.3:symmetric 2005:bearer ...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec java -Xmx256m -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$here/target/cxf-client-peer-0.1.0.jar:$here/target/lib/*" \
  wsconform.cxfclient.Main --client-keystore "$here/keys/client.p12" "$@"

#!/usr/bin/env bash
# Verifies the XML signatures in files with Apache Santuario, against one pinned certificate:
#   run.sh --cert idp.cert.pem --id-attr 'ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion' [--id-attr ...] FILE...
# Prints one JSON object per file on stdout (see src/main/java/wsconform/santuario/Main.java).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
  -cp "$here/target/santuario-verify-0.1.0.jar:$here/target/lib/*" wsconform.santuario.Main "$@"

#!/usr/bin/env bash
# Builds the CXF STSClient peer and its PublicKey (UseKey) keystore. Idempotent; dependencies cached in ~/.m2.
set -euo pipefail
cd "$(dirname "$0")"
for tool in java mvn keytool; do
  command -v "$tool" >/dev/null || { echo "install.sh: $tool not found (needs Java 17+ and Maven)" >&2; exit 3; }
done
mvn_repo=()
[ -n "${MAVEN_REPO_LOCAL:-}" ] && mvn_repo=(-Dmaven.repo.local="$MAVEN_REPO_LOCAL")
mkdir -p keys
[ -f keys/client.p12 ] || keytool -noprompt -genkeypair -storetype pkcs12 -storepass wsconform -keypass wsconform \
  -keystore keys/client.p12 -alias client -keyalg RSA -keysize 2048 -sigalg SHA256withRSA -validity 3650 \
  -dname "CN=wsconform CXF STSClient" >/dev/null 2>&1
jar=target/cxf-client-peer-0.1.0.jar
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -q -B "${mvn_repo[@]}" package -DskipTests
fi
echo "install.sh: ready ($PWD/$jar)"

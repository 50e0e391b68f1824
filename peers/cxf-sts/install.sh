#!/usr/bin/env bash
# Builds the Apache CXF STS peer and makes its keys. Idempotent: keys are made once, the jar is rebuilt only when a
# source file is newer. Dependencies are cached in ~/.m2 (or MAVEN_REPO_LOCAL). Needs Java 17+ and Maven 3.8+.
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
pass=wsconform
mvn_repo=()
[ -n "${MAVEN_REPO_LOCAL:-}" ] && mvn_repo=(-Dmaven.repo.local="$MAVEN_REPO_LOCAL")

for tool in java mvn keytool; do
  command -v "$tool" >/dev/null || { echo "install.sh: $tool not found (needs Java 17+ and Maven)" >&2; exit 3; }
done

mkdir -p keys
if [ ! -f keys/sts.p12 ] || [ ! -f keys/tls.p12 ]; then
  rm -f keys/*
  kt() { keytool -noprompt -storetype pkcs12 -storepass "$pass" -keypass "$pass" "$@" >/dev/null 2>&1; }
  # Token signing key of the STS (the trust anchor the harness verifies tokens with).
  kt -genkeypair -keystore keys/sts.p12 -alias sts -keyalg RSA -keysize 2048 -sigalg SHA256withRSA -validity 3650 \
     -dname "CN=wsconform CXF STS signing"
  # The relying parties' encryption key (symmetric proof keys are encrypted to it); its certificate sits in the STS store.
  kt -genkeypair -keystore keys/rp.p12 -alias rp -keyalg RSA -keysize 2048 -sigalg SHA256withRSA -validity 3650 \
     -dname "CN=wsconform demo RP encryption"
  kt -exportcert -rfc -keystore keys/rp.p12 -alias rp -file keys/rp-encryption.pem
  kt -importcert -keystore keys/sts.p12 -alias rp -file keys/rp-encryption.pem
  kt -exportcert -rfc -keystore keys/sts.p12 -alias sts -file keys/sts-signing.pem
  # TLS certificate for 127.0.0.1 (self-signed: it is its own CA file).
  kt -genkeypair -keystore keys/tls.p12 -alias tls -keyalg RSA -keysize 2048 -sigalg SHA256withRSA -validity 3650 \
     -dname "CN=127.0.0.1" -ext "san=ip:127.0.0.1,dns:localhost"
  kt -exportcert -rfc -keystore keys/tls.p12 -alias tls -file keys/tls-ca.pem
  echo "install.sh: keys written to $here/keys"
fi

jar=target/cxf-sts-peer-0.1.0.jar
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -q -B "${mvn_repo[@]}" package -DskipTests
fi
echo "install.sh: ready ($here/$jar)"

#!/usr/bin/env bash
# Builds the Apache Santuario signature-verification peer. Idempotent: rebuilds only when src/ or pom.xml changed;
# dependencies are cached in ~/.m2 (or $MAVEN_REPO_LOCAL).
set -euo pipefail
cd "$(dirname "$0")"
for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "install.sh: $tool not found (needs Java 17+ and Maven)" >&2; exit 3; }
done
mvn_repo=()
[ -n "${MAVEN_REPO_LOCAL:-}" ] && mvn_repo=(-Dmaven.repo.local="$MAVEN_REPO_LOCAL")
jar=target/santuario-verify-0.1.0.jar
if [ ! -f "$jar" ] || [ ! -d target/lib ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -q -B "${mvn_repo[@]}" package -DskipTests
fi
echo "install.sh: ready ($PWD/$jar)"

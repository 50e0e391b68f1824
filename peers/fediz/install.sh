#!/usr/bin/env bash
# Installs the Apache CXF Fediz IdP peer: the fediz-idp and fediz-idp-sts WARs (Maven Central), embedded Tomcat 9,
# the Java EE APIs the WARs took from the JDK, HSQLDB, and the launcher (src/, built with Maven into target/).
# Idempotent: rebuilds only when pom.xml or a source file is newer than the jar. Dependencies are cached in ~/.m2
# (or MAVEN_REPO_LOCAL). Needs Java 17+, Maven 3.8+ and keytool. Keys are made per state folder by start.mjs.
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
mvn_repo=()
[ -n "${MAVEN_REPO_LOCAL:-}" ] && mvn_repo=(-Dmaven.repo.local="$MAVEN_REPO_LOCAL")

for tool in java mvn keytool jar; do
  command -v "$tool" >/dev/null || { echo "install.sh: $tool not found (needs a Java 17+ JDK and Maven)" >&2; exit 3; }
done

jar=target/fediz-peer-0.1.0.jar
if [ ! -f "$jar" ] || [ ! -f target/wars/fediz-idp.war ] || [ ! -f target/wars/fediz-idp-sts.war ] \
   || [ ! -d target/overrides ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  rm -rf target/lib target/wars target/overrides
  mvn -q -B "${mvn_repo[@]}" package -DskipTests
fi
fediz=$(sed -n 's:.*<fediz.version>\(.*\)</fediz.version>.*:\1:p' pom.xml)
tomcat=$(sed -n 's:.*<tomcat.version>\(.*\)</tomcat.version>.*:\1:p' pom.xml)
echo "install.sh: ready ($here/$jar): fediz-idp $fediz, fediz-idp-sts $fediz, tomcat-embed $tomcat, $(java -version 2>&1 | head -1)"

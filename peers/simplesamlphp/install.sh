#!/usr/bin/env bash
# Installs SimpleSAMLphp 1.19.7 and a PHP CLI from Debian (as root; idempotent: does nothing when they are there).
# The Debian package pulls apache2 as its web server dependency; it is never started (start.mjs serves the
# package's www/ with `php -S` on loopback). Debian's policy-rc.d keeps services from starting at install time
# in containers; nothing here enables one.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(simplesamlphp php-cli php-xml php-mbstring)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "install.sh: needs root for apt-get (missing: ${missing[*]})" >&2; exit 1; }
  # Other apt users on the machine: wait for the dpkg lock rather than fail (bounded).
  apt_get() { apt-get -o DPkg::Lock::Timeout=300 "$@"; }
  apt-cache policy simplesamlphp 2>/dev/null | grep -q 'Candidate: 1\.19' || apt_get update -qq
  apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
dpkg-query -W -f='${Package} ${Version}\n' simplesamlphp php8.2-cli php8.2-xml php8.2-mbstring

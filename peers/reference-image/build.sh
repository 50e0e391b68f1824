#!/usr/bin/env bash
# Build the local docker image wsconform/reference:local of the reference STS without any registry: a rootfs with
# this machine's node binary, the shared libraries it links, and the project (runtime files and production
# node_modules only), imported with `docker import`. The container runs `wsconform serve` on 0.0.0.0:8089 with its
# keys generated into /tmp/wsconform on first start.
#
#   peers/reference-image/build.sh            # build if missing or if the sources changed (quick otherwise)
#   peers/reference-image/build.sh --rebuild  # build unconditionally
#
# Prints the image name on the last line of stdout.
set -euo pipefail

IMAGE="${WSCONFORM_REFERENCE_IMAGE:-wsconform/reference:local}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
rebuild=0
for a in "$@"; do
  case "$a" in
    --rebuild) rebuild=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $a (known: --rebuild)" >&2; exit 2 ;;
  esac
done

command -v docker >/dev/null 2>&1 || { echo "build.sh: docker is not installed" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "build.sh: no docker engine answers (start dockerd)" >&2; exit 1; }
NODE="$(readlink -f "$(command -v node)")"
[ -x "$NODE" ] || { echo "build.sh: node not found" >&2; exit 1; }

cd "$ROOT"
SOURCES=(protocol reference cli adapters package.json package-lock.json)
# What the image is made of: the sources, the lock file and the node binary. An image whose label matches is
# current and is kept.
fingerprint="$( { find "${SOURCES[@]}" -type f -print0 | sort -z | xargs -0 sha256sum; sha256sum "$NODE"; } | sha256sum | cut -c1-16)"
if [ "$rebuild" = 0 ]; then
  have="$(docker image inspect --format '{{ index .Config.Labels "wsconform.fingerprint" }}' "$IMAGE" 2>/dev/null || true)"
  if [ "$have" = "$fingerprint" ]; then
    echo "build.sh: $IMAGE is current (fingerprint $fingerprint)" >&2
    echo "$IMAGE"
    exit 0
  fi
fi

started=$(date +%s)
work="$(mktemp -d "${TMPDIR:-/tmp}/wsconform-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs/usr/local/bin" "$rootfs/app" "$rootfs/etc" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"

# node and what the dynamic loader needs for it, at the same paths (dereferenced: merged-/usr symlinks become
# real directories, which the loader's default search path covers just the same).
cp -L "$NODE" "$rootfs/usr/local/bin/node"
ldd "$NODE" | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]+ \(/ { print $1 }' | sort -u >"$work/libs"
grep -q 'ld-linux' "$work/libs" || { echo "build.sh: ldd $NODE named no dynamic loader" >&2; exit 1; }
while read -r lib; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done <"$work/libs"
printf 'root:x:0:0:root:/root:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\n' >"$rootfs/etc/group"

# The project: runtime sources (no tests, no .git) and the production dependency tree (npm ls --omit=dev lists it
# from the installed node_modules; nested packages are inside their parents, so only top-most paths are copied).
tar -C "$ROOT" -c "${SOURCES[@]}" | tar -C "$rootfs/app" -x
npm ls --omit=dev --all --parseable 2>/dev/null | sed "s#^$ROOT/##" | grep '^node_modules/' | sort -u |
  awk '{ for (k in kept) if (index($0, k "/") == 1) next; kept[$0] = 1; print }' >"$work/deps"
[ -s "$work/deps" ] || { echo "build.sh: npm ls found no production dependencies (run npm ci first)" >&2; exit 1; }
tar -C "$ROOT" -c -T "$work/deps" | tar -C "$rootfs/app" -x

tar -C "$rootfs" -c . | docker import \
  --change 'ENTRYPOINT ["/usr/local/bin/node","/app/cli/wsconform.mjs","serve","--host","0.0.0.0","--port","8089","--data","/tmp/wsconform"]' \
  --change 'EXPOSE 8089' \
  --change 'ENV TMPDIR=/tmp' \
  --change 'WORKDIR /app' \
  --change "LABEL wsconform.fingerprint=$fingerprint" \
  - "$IMAGE" >/dev/null
size="$(docker image inspect --format '{{ .Size }}' "$IMAGE")"
echo "build.sh: built $IMAGE ($((size / 1024 / 1024)) MiB, fingerprint $fingerprint) in $(( $(date +%s) - started )) s" >&2
echo "$IMAGE"

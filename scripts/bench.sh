#!/usr/bin/env bash
# The benchmark in one command on a fresh machine: installs what is missing (PostgreSQL,
# libclang), then times 1,000 and 10,000 tables (or the sizes given) on the system's
# PostgreSQL. The figures go to stdout as a markdown table (see BENCHMARKS.md).
#
# `scripts/bench.sh --peer [N ...] [--runs=K]` times instead our end-to-end plans side by
# side with Supabase's pg-delta (installed from npm into the cache directory), in the same
# run and on the same server (default 1000 tables, medians of 3 runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [[ " $* " == *" --peer "* ]]; then
  # shellcheck source=scripts/cache.sh
  . scripts/cache.sh
  version=1.0.0-alpha.34
  prefix=$profe_cache/pg-delta-$version
  if [ ! -x "$prefix/node_modules/.bin/pgdelta" ]; then
    mkdir -p "$prefix"
    npm install --silent --no-audit --no-fund --prefix "$prefix" "@supabase/pg-delta@$version"
  fi
  export PGDELTA=$prefix/node_modules/.bin/pgdelta
  sizes=0
  for a in "$@"; do [[ "$a" =~ ^[0-9]+$ ]] && sizes=1; done
  if [ "$sizes" -eq 0 ]; then set -- "$@" 1000; fi
elif [ "$#" -eq 0 ]; then
  set -- 1000 10000
fi
exec cargo bench --locked --bench engine -- "$@"
